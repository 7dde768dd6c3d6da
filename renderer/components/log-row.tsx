import { Fragment, memo, type ReactNode } from 'react';
import type { LogEntry } from '../../app/contract';
import { formatBytes, formatClock, formatDuration } from '../format';
import { statusClass } from '../log-filter';
import type { LogColumnId } from './log-columns';

/** "http://127.0.0.1:3001/base" → "127.0.0.1:3001/base". */
export const upstreamHost = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

function cell(entry: LogEntry, column: LogColumnId): ReactNode {
  const kind = statusClass(entry.status);
  switch (column) {
    case 'time':
      return <span className="log-time">{formatClock(entry.time)}</span>;
    case 'status':
      return <span className={`log-status status-text-${kind}`}>{entry.status}</span>;
    case 'method':
      return <span className="log-method">{entry.method}</span>;
    case 'path':
      return entry.upstream === undefined ? (
        <span className="log-path" title={entry.path}>
          {entry.path}
        </span>
      ) : (
        // Proxied: who answered, small after the path, instead of a column most rows would leave empty.
        <span className="log-path log-path-proxied" title={`${entry.path} → ${entry.upstream}`}>
          <span className="log-path-text">{entry.path}</span>
          <span className="log-upstream">
            <span className="visually-hidden">answered by </span>→ {upstreamHost(entry.upstream)}
          </span>
        </span>
      );
    case 'size':
      return <span className="log-size">{formatBytes(entry.bytes)}</span>;
    case 'duration':
      return <span className="log-duration">{formatDuration(entry.ms)}</span>;
    case 'ip':
      return <span className="log-ip">{entry.ip}</span>;
  }
}

interface LogRowProps {
  entry: LogEntry;
  top: number;
  columns: readonly LogColumnId[];
  /** Its details are open. */
  selected: boolean;
  /** The row Tab lands on (one per list, as in a listbox). */
  tabbable: boolean;
}

/**
 * One request: plain text in fixed columns, so it reads the same to a screen
 * reader as on screen. A button: click or Enter opens its details (handled
 * by the list, which owns focus and the arrow keys).
 */
export const LogRow = memo(function LogRow({ entry, top, columns, selected, tabbable }: LogRowProps) {
  const kind = statusClass(entry.status);
  return (
    // Positioned through the style property (CSSOM), which the CSP allows; a style="" attribute it would not.
    <div
      className={`log-row log-row-${kind}${selected ? ' is-selected' : ''}`}
      role="button"
      aria-pressed={selected}
      tabIndex={tabbable ? 0 : -1}
      data-seq={entry.seq}
      style={{ transform: `translateY(${top}px)` }}
    >
      {columns.map((column) => (
        <Fragment key={column}>{cell(entry, column)}</Fragment>
      ))}
    </div>
  );
});

/** Column titles, on the same grid as the rows. */
export function LogColumnTitles({ columns }: { columns: readonly { id: LogColumnId; title: string }[] }) {
  return (
    <div className="log-columns" aria-hidden="true">
      {columns.map((column) => (
        <span key={column.id} className={`log-title-${column.id}`} title={column.title}>
          {column.title}
        </span>
      ))}
    </div>
  );
}
