import { useDeferredValue, useMemo, useState } from 'react';
import type { ServerState } from '../../app/contract';
import { formatCount, plural } from '../format';
import { filterEntries, isFilterOn, STATUS_CLASSES, type StatusClass } from '../log-filter';
import { showNotice } from '../stores/notices-store';
import { clearRequestLog, useRequestLog, type RequestLogView } from '../stores/request-log-store';
import { PauseIcon, PlayIcon, SearchIcon } from './icons';
import { LogList } from './log-list';

function Summary({ server, shown, filtered, dropped }: { server: ServerState; shown: number; filtered: boolean; dropped: number }) {
  const { requests, s4xx, s5xx } = server.counters;
  return (
    <span className="log-summary">
      {filtered ? `${formatCount(shown)} shown · ` : ''}
      {plural(requests, 'request')}
      {filtered ? '' : ` · ${plural(s4xx + s5xx, 'error')}`}
      {/* More arrived at once than the log takes: counted above, not listed. */}
      {dropped > 0 ? ` · ${formatCount(dropped)} not listed` : ''}
    </span>
  );
}

export function RequestsSection({ server }: { server: ServerState }) {
  const log = useRequestLog(server.id);
  const [text, setText] = useState('');
  // Every class shows until its toggle is released, like the level filters of a browser console.
  const [hidden, setHidden] = useState<readonly StatusClass[]>([]);
  // While paused the view keeps the log as it was; the store keeps receiving.
  const [paused, setPaused] = useState<RequestLogView | null>(null);

  const shown = paused ?? log;
  // Typing stays responsive while the filter runs over thousands of entries.
  const deferredText = useDeferredValue(text);
  const filter = useMemo(() => ({ text: deferredText, hidden }), [deferredText, hidden]);
  const visible = useMemo(() => filterEntries(shown.entries, filter), [shown.entries, filter]);
  const newWhilePaused = paused ? log.lastSeq - paused.lastSeq : 0;

  const toggleClass = (c: StatusClass) => setHidden((current) => (current.includes(c) ? current.filter((x) => x !== c) : [...current, c]));

  const clear = async () => {
    if (paused) setPaused({ entries: [], lastSeq: log.lastSeq, dropped: 0 });
    const message = await clearRequestLog(server.id);
    if (message) showNotice(message);
  };

  const empty =
    shown.entries.length > 0 ? (
      <p>No requests match the filter.</p>
    ) : paused ? (
      <p>Paused. New requests are counted but not shown.</p>
    ) : server.url && server.status === 'running' ? (
      <p>
        No requests yet. Open <span className="mono log-empty-url">{server.url}</span> to see them here.
      </p>
    ) : (
      <p>No requests yet. Start the server, then open its address to see them here.</p>
    );

  return (
    <section className="card requests" aria-labelledby="requests-heading">
      <div className="log-toolbar">
        <h3 className="section-heading" id="requests-heading">
          Requests
        </h3>
        <Summary server={server} shown={visible.length} filtered={isFilterOn(filter)} dropped={shown.dropped} />
        <div className="log-tools">
          <label className="search-field">
            <SearchIcon />
            <input
              type="text"
              className="input"
              aria-label="Filter requests"
              placeholder="Path, method, IP, status"
              spellCheck={false}
              value={text}
              onChange={(event) => setText(event.target.value)}
            />
          </label>
          <div className="segmented status-toggles" role="group" aria-label="Status classes">
            {STATUS_CLASSES.map((c) => (
              <button key={c} type="button" className={`toggle toggle-${c}`} aria-pressed={!hidden.includes(c)} onClick={() => toggleClass(c)}>
                <span className="toggle-dot" aria-hidden="true" />
                {c}
              </button>
            ))}
          </div>
          <button type="button" className="btn pause-button" onClick={() => setPaused(paused ? null : log)}>
            {paused ? <PlayIcon /> : <PauseIcon />}
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" className="btn" onClick={() => void clear()}>
            Clear
          </button>
        </div>
      </div>
      <LogList
        entries={visible}
        empty={empty}
        overlay={
          // Always in the DOM as a live region; it floats over the rows so pausing moves nothing.
          <p className={paused ? 'paused-pill is-shown' : 'paused-pill'} role="status">
            {paused ? `Paused${newWhilePaused > 0 ? ` · ${plural(newWhilePaused, 'new request')}` : ''}` : ''}
          </p>
        }
      />
    </section>
  );
}
