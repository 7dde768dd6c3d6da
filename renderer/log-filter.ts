import type { LogEntry } from '../app/contract';

export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

export interface LogFilter {
  /** Matched against path, method, client IP and status, ignoring case. */
  text: string;
  /** Classes switched off (their toggle released); all others show, as does any status outside 2xx–5xx. */
  hidden: readonly StatusClass[];
}

export const statusClass = (status: number): StatusClass | 'other' =>
  status >= 200 && status < 600 ? (`${Math.floor(status / 100)}xx` as StatusClass) : 'other';

export const isFilterOn = (filter: LogFilter) => filter.text.trim() !== '' || filter.hidden.length > 0;

/**
 * The entries a filter lets through, in order. One pass over at most
 * LOG_CAPACITY entries; with no filter the same array comes back, uncopied.
 */
export function filterEntries(entries: readonly LogEntry[], filter: LogFilter): readonly LogEntry[] {
  if (!isFilterOn(filter)) return entries;
  const needle = filter.text.trim().toLowerCase();
  const hidden = new Set<string>(filter.hidden);
  return entries.filter((entry) => {
    if (hidden.has(statusClass(entry.status))) return false;
    if (!needle) return true;
    return (
      entry.path.toLowerCase().includes(needle) ||
      entry.method.toLowerCase().includes(needle) ||
      entry.ip.toLowerCase().includes(needle) ||
      String(entry.status).includes(needle)
    );
  });
}
