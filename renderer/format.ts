// How numbers read in the window. Sizes, times and durations read exactly as
// in the CLI's log lines: app/format.ts is pure and the one engine module the
// renderer may take values from (see eslint.config.js).
export { formatBytes, formatClock, formatDuration } from '../app/format';

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
