import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { LogEntry, ServerState } from '../../app/contract';
import { formatCount, plural } from '../format';
import { filterEntries, isFilterOn, STATUS_CLASSES, type StatusClass } from '../log-filter';
import { pier } from '../pier';
import { showNotice } from '../stores/notices-store';
import { clearRequestLog, LOG_CAPACITY, useRequestLog, type RequestLogView } from '../stores/request-log-store';
import { CloseIcon, PauseIcon, PlayIcon, SearchIcon } from './icons';
import { columnTemplate, useLogColumns, type LogColumnId } from './log-columns';
import { LogMenu } from './log-columns-menu';
import { LogList } from './log-list';
import { RequestDetailsPanel } from './request-details';
import { formatRate, useRequestRate } from './use-request-rate';

const COMPACT_COLUMNS: readonly LogColumnId[] = ['status', 'method', 'path'];

function Summary({ server, shown, filtered, dropped }: { server: ServerState; shown: number; filtered: boolean; dropped: number }) {
  const { requests, s4xx, s5xx } = server.counters;
  const rate = useRequestRate(server.id, requests);
  return (
    <span className="log-summary">
      {filtered ? `${formatCount(shown)} shown · ` : ''}
      {plural(requests, 'request')}
      {/* 401s and a missing favicon are not errors: say what they are. */}
      {filtered ? '' : ` · ${formatCount(s4xx)} 4xx · ${formatCount(s5xx)} 5xx`}
      {server.status === 'running' ? <span className="log-rate"> · {formatRate(rate)} req/s</span> : null}
      {/* More arrived at once than the log takes: counted above, not listed. */}
      {dropped > 0 ? ` · ${formatCount(dropped)} not listed` : ''}
    </span>
  );
}

export function RequestsSection({ server }: { server: ServerState }) {
  const log = useRequestLog(server.id);
  const [text, setText] = useState('');
  const filterInput = useRef<HTMLInputElement>(null);
  // Every class shows until its toggle is released, like the level filters of a browser console.
  const [hidden, setHidden] = useState<readonly StatusClass[]>([]);
  // While paused the view keeps the log as it was; the store keeps receiving.
  const [paused, setPaused] = useState<RequestLogView | null>(null);
  // The request whose details are open: kept as the entry, so it stays open while the log moves on.
  const [opened, setOpened] = useState<{ serverId: string; entry: LogEntry } | null>(null);
  const columns = useLogColumns();

  const shown = paused ?? log;
  // Typing stays responsive while the filter runs over thousands of entries.
  const deferredText = useDeferredValue(text);
  const filter = useMemo(() => ({ text: deferredText, hidden }), [deferredText, hidden]);
  const visible = useMemo(() => filterEntries(shown.entries, filter), [shown.entries, filter]);
  const newWhilePaused = paused ? log.lastSeq - paused.lastSeq : 0;
  const details = opened?.serverId === server.id ? opened.entry : null;
  // With details open beside it, the list keeps what finds a request, as DevTools' network panel narrows to Name.
  const listColumns = useMemo(
    () => (details ? columns.shown.filter((column) => COMPACT_COLUMNS.includes(column.id)) : columns.shown),
    [details, columns.shown],
  );

  const toggleClass = (c: StatusClass) => setHidden((current) => (current.includes(c) ? current.filter((x) => x !== c) : [...current, c]));

  const clearFilter = () => {
    setText('');
    setHidden([]);
    filterInput.current?.focus();
  };

  const closeDetails = () => {
    const seq = details?.seq;
    setOpened(null);
    // Back to the row it was opened from, so the keyboard keeps its place.
    if (seq !== undefined) document.querySelector<HTMLElement>(`.log-row[data-seq="${seq}"]`)?.focus();
  };

  const clear = async () => {
    if (paused) setPaused({ entries: [], lastSeq: log.lastSeq, dropped: 0, olderDropped: false });
    setOpened(null);
    const message = await clearRequestLog(server.id);
    if (message) showNotice(message);
  };

  const empty =
    shown.entries.length > 0 ? (
      <div className="log-empty-match">
        <p>No requests match</p>
        <button type="button" className="btn btn-small" onClick={clearFilter}>
          Clear filter
        </button>
      </div>
    ) : paused ? (
      <p>Paused. New requests are counted but not shown.</p>
    ) : server.url && server.status === 'running' ? (
      <p>
        No requests yet. Open{' '}
        <a
          className="mono log-empty-url"
          href={server.url}
          onClick={(event) => {
            event.preventDefault();
            void pier().openUrl(server.id, 'local');
          }}
        >
          {server.url}
        </a>{' '}
        to see them here.
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
              ref={filterInput}
              type="text"
              className="input"
              aria-label="Filter requests"
              data-testid="log-filter"
              placeholder="Path, method, IP, status"
              spellCheck={false}
              value={text}
              onChange={(event) => setText(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape' && text !== '') {
                  event.preventDefault();
                  setText('');
                }
              }}
            />
            {text !== '' ? (
              <button type="button" className="search-clear" aria-label="Clear the filter text" title="Clear (Esc)" onClick={() => {
                setText('');
                filterInput.current?.focus();
              }}>
                <CloseIcon />
              </button>
            ) : null}
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
          <LogMenu serverId={server.id} hidden={columns.hidden} onToggle={columns.toggle} />
          <button type="button" className="btn" onClick={() => void clear()}>
            Clear
          </button>
        </div>
      </div>
      <div className={details ? 'log-body has-details' : 'log-body'}>
        <LogList
          entries={visible}
          empty={empty}
          columns={listColumns}
          template={columnTemplate(listColumns)}
          selectedSeq={details?.seq ?? null}
          onOpen={(entry) => setOpened({ serverId: server.id, entry })}
          onEscape={() => setOpened(null)}
          notice={
            shown.olderDropped ? (
              <p className="log-notice">Older requests were dropped: the log keeps the last {formatCount(LOG_CAPACITY)}.</p>
            ) : null
          }
          overlay={
            // Always in the DOM as a live region; it floats over the rows so pausing moves nothing.
            <p className={paused ? 'paused-pill is-shown' : 'paused-pill'} role="status">
              {paused ? `Paused${newWhilePaused > 0 ? ` · ${plural(newWhilePaused, 'new request')}` : ''}` : ''}
            </p>
          }
        />
        {details ? <RequestDetailsPanel key={details.seq} serverId={server.id} entry={details} onClose={closeDetails} /> : null}
      </div>
    </section>
  );
}
