// How numbers read in the window. app/format.ts has the CLI's twins of these,
// but the renderer may take only types from app/, so they live here too.

/** "1.2 KB": powers of 1024, one decimal under 10. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** "12:01:03" in local time. */
export function formatClock(time: number): string {
  const d = new Date(time);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "3 ms", "<1 ms", "1.4 s". */
export function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

// Made once: toLocaleString builds a formatter on every call, and counts render on every log batch.
const numberFormat = new Intl.NumberFormat('en-US');

/** "12,480". */
export const formatCount = (count: number) => numberFormat.format(count);

/** "1 request", "2 requests". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** A home-relative path reads shorter: /home/ana/site → ~/site (display only). */
export function shortenPath(path: string): string {
  const match = /^(\/Users\/[^/]+|\/home\/[^/]+|[A-Za-z]:\\Users\\[^\\]+)(?=[/\\]|$)/.exec(path);
  return match ? `~${path.slice(match[0].length)}` : path;
}
