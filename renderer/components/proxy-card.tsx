import type { ServerState, UpstreamState } from '../../app/contract';
import { formatClock, formatCount } from '../format';

interface UpstreamRow {
  url: string;
  /** Null while the engine has nothing on it (not running, or not checked yet). */
  state: UpstreamState | null;
}

/** The rules' upstreams in the rules' order, each with what the engine knows of it. */
function rowsByRule(server: ServerState, upstreams: UpstreamState[]): { prefix: string; rows: UpstreamRow[] }[] {
  return server.config.proxies.map((rule) => {
    const known = upstreams.filter((u) => u.prefix === rule.prefix);
    const rows = known.length ? known.map((state) => ({ url: state.url, state })) : rule.upstreams.map((url) => ({ url, state: null }));
    return { prefix: rule.prefix, rows };
  });
}

const hostOf = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

function UpstreamLine({ row, running }: { row: UpstreamRow; running: boolean }) {
  const { state } = row;
  const dot = !state ? 'status-stopped' : state.up ? 'status-running' : 'status-error';
  // Not running: the card's heading already says when checks start.
  const said = !running ? '' : !state ? 'Not checked yet' : state.up ? 'Up' : state.downSince ? `Down since ${formatClock(state.downSince)}` : 'Down';
  return (
    <li className="upstream-state">
      <span className={`status-dot ${dot}`} aria-hidden="true" />
      <span className="upstream-url mono" title={row.url}>
        {hostOf(row.url)}
      </span>
      {said ? <span className={`upstream-said${state && !state.up ? ' is-down' : ''}`}>{said}</span> : null}
      {state ? (
        <span className="upstream-stats">
          <span>{formatCount(state.requests)} served</span>
          <span>{formatCount(state.active)} in flight</span>
          <span>{state.latencyMs === null ? '– ms' : `${Math.round(state.latencyMs)} ms`}</span>
        </span>
      ) : null}
      {state?.lastError ? <span className="upstream-error">{state.lastError}</span> : null}
    </li>
  );
}

/** Each upstream of each proxy rule: is it up, since when is it down and why, what it served and how fast. */
export function ProxyCard({ server }: { server: ServerState }) {
  return server.config.proxies.length === 0 ? null : <ProxyCardBody server={server} />;
}

function ProxyCardBody({ server }: { server: ServerState }) {
  // Snapshots bring up/down changes; the numbers ride with the log batches (servers-store.ts).
  const upstreams = server.upstreams;
  const running = server.status === 'running';
  const groups = rowsByRule(server, upstreams);
  const upCount = upstreams.filter((u) => u.up).length;
  const note = running
    ? upstreams.length
      ? `${upCount} of ${upstreams.length} up`
      : 'Checking upstreams…'
    : 'Starts checking when the server runs.';
  return (
    <section className="card proxy-card" aria-labelledby="proxy-heading">
      <div className="proxy-card-head">
        <h3 className="proxy-card-title" id="proxy-heading">
          Proxy
        </h3>
        <span className="proxy-card-note">{note}</span>
      </div>
      {groups.map((group) => (
        <div className="proxy-group" key={group.prefix}>
          <span className="proxy-group-prefix mono">
            {group.prefix}
          </span>
          <ul className="upstream-states" aria-label={`Upstreams of ${group.prefix}`}>
            {group.rows.map((row) => (
              <UpstreamLine key={row.url} row={row} running={running} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
