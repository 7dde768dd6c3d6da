import { useCallback, useMemo, useSyncExternalStore } from 'react';

/** The log's columns, in order. Path is always shown: it is what people scan for. */
// Widths are CSS variables (log.css), so a narrow pane can tighten them. The path takes what is left, never
// under 120px; Client IP grows up to its width before the path does, so in a tight pane it gives way first.
export const LOG_COLUMNS = [
  { id: 'time', title: 'Time', width: 'var(--log-w-time)' },
  { id: 'status', title: 'Status', width: 'var(--log-w-status)' },
  { id: 'method', title: 'Method', width: 'var(--log-w-method)' },
  { id: 'path', title: 'Path', width: 'minmax(120px, 1fr)' },
  { id: 'size', title: 'Size', width: 'var(--log-w-size)' },
  { id: 'duration', title: 'Duration', width: 'var(--log-w-duration)' },
  { id: 'ip', title: 'Client IP', width: 'minmax(0, var(--log-w-ip))' },
] as const;
export type LogColumnId = (typeof LOG_COLUMNS)[number]['id'];
/** The CSS grid template for these columns, in their order. */
export const columnTemplate = (columns: readonly { width: string }[]) => columns.map((column) => column.width).join(' ');

/** The columns someone may hide. */
export const HIDEABLE_COLUMNS = LOG_COLUMNS.filter((column) => column.id !== 'path');

const STORAGE_KEY = 'pier.log.hiddenColumns';
const listeners = new Set<() => void>();
/** The choice when storage refused it: followed in this window, not kept for the next launch. */
let unsaved: string | null = null;

function readHidden(): string {
  if (unsaved !== null) return unsaved;
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    // Storage unavailable (a locked-down profile): every column shows.
    return '';
  }
}

let hiddenCache: { raw: string; set: ReadonlySet<LogColumnId> } = { raw: '', set: new Set() };
function hiddenColumns(): ReadonlySet<LogColumnId> {
  const raw = readHidden();
  if (raw !== hiddenCache.raw) {
    const known = new Set<string>(HIDEABLE_COLUMNS.map((column) => column.id));
    hiddenCache = { raw, set: new Set(raw.split(',').filter((id): id is LogColumnId => known.has(id))) };
  }
  return hiddenCache.set;
}

/** The columns shown, in order, and a way to show or hide one; the choice is kept across launches (localStorage). */
export function useLogColumns() {
  const subscribe = useCallback((listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  const hidden = useSyncExternalStore(subscribe, hiddenColumns);
  const toggle = useCallback((id: LogColumnId) => {
    const next = new Set(hiddenColumns());
    if (next.has(id)) next.delete(id);
    else next.add(id);
    try {
      localStorage.setItem(STORAGE_KEY, [...next].join(','));
    } catch {
      unsaved = [...next].join(',');
    }
    for (const listener of listeners) listener();
  }, []);
  const shown = useMemo(() => LOG_COLUMNS.filter((column) => !hidden.has(column.id)), [hidden]);
  return { shown, hidden, toggle };
}
