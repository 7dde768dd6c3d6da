import { memo } from 'react';
import type { LogEntry } from '../../app/contract';
import { formatBytes, formatClock, formatDuration } from '../format';
import { statusClass } from '../log-filter';

/** "http://127.0.0.1:3001/base" → "127.0.0.1:3001/base". */
const upstreamHost = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

/** One request: plain text in fixed columns, so it reads the same to a screen reader as on screen. */
export const LogRow = memo(function LogRow({ entry, top }: { entry: LogEntry; top: number }) {
  const kind = statusClass(entry.status);
  return (
    // Positioned through the style property (CSSOM), which the CSP allows; a style="" attribute it would not.
    <div className={`log-row log-row-${kind}`} data-seq={entry.seq} style={{ transform: `translateY(${top}px)` }}>
      <span className="log-time">{formatClock(entry.time)}</span>
      <span className={`log-status status-text-${kind}`}>{entry.status}</span>
      <span className="log-method">{entry.method}</span>
      {entry.upstream === undefined ? (
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
      )}
      <span className="log-size">{formatBytes(entry.bytes)}</span>
      <span className="log-duration">{formatDuration(entry.ms)}</span>
      <span className="log-ip">{entry.ip}</span>
    </div>
  );
});

/** Column titles, on the same grid as the rows. */
export function LogColumns() {
  return (
    <div className="log-columns" aria-hidden="true">
      <span>Time</span>
      <span>Status</span>
      <span>Method</span>
      <span>Path</span>
      <span className="log-size">Size</span>
      <span className="log-duration">Duration</span>
      <span>Client IP</span>
    </div>
  );
}
