import { useRef, type KeyboardEvent } from 'react';
import type { ServerState } from '../../app/contract';
import { formatCount, plural } from '../format';
import { displayNames } from '../display-names';
import { STATUS_LABEL, serverListDetail } from '../server-status';
import { useEditedServers } from '../stores/drafts-store';
import { selectServer, useSelection } from '../stores/selection-store';
import { useServers } from '../stores/servers-store';
import { StatusDot } from './status-dot';

/** Put focus on the selected server, e.g. after the pane that had it went away with a removed server. */
export function focusSelectedServer(): void {
  const selected = document.querySelector<HTMLElement>('.server-list [aria-current="true"]');
  (selected ?? document.querySelector<HTMLElement>('.serve-button'))?.focus();
}

interface ItemProps {
  server: ServerState;
  /** The name, with parent folders where names collide. */
  name: string;
  selected: boolean;
  /** Settings edited but not applied. */
  edited: boolean;
  register: (el: HTMLButtonElement | null) => void;
}

function ServerListItem({ server, name, selected, edited, register }: ItemProps) {
  const requests = server.counters.requests;
  return (
    <button
      ref={register}
      type="button"
      className="server-item"
      aria-current={selected ? 'true' : undefined}
      // One tab stop for the whole list; arrows move within it.
      tabIndex={selected ? 0 : -1}
      onClick={() => selectServer(server.id)}
    >
      <StatusDot status={server.status} />
      <span className="server-item-text">
        <span className="server-item-name-row">
          <span className="server-item-name" title={name}>
            {name}
          </span>
          {edited ? (
            <span className="unsaved-marker" title="Unsaved changes">
              <span className="visually-hidden">, unsaved changes</span>
            </span>
          ) : null}
        </span>
        <span className="visually-hidden">, {STATUS_LABEL[server.status]}, </span>
        <span className={server.status === 'error' ? 'server-item-detail is-error' : 'server-item-detail'}>
          {serverListDetail(server)}
        </span>
      </span>
      <span className="server-item-count" title={plural(requests, 'request')}>
        {formatCount(requests)}
        <span className="visually-hidden"> {requests === 1 ? 'request' : 'requests'}</span>
      </span>
    </button>
  );
}

export function ServerList() {
  const servers = useServers();
  const selected = useSelection();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const names = displayNames(servers);
  const edited = useEditedServers();

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const index = servers.findIndex((s) => s.id === selected?.id);
    const last = servers.length - 1;
    const target = { ArrowDown: Math.min(index + 1, last), ArrowUp: Math.max(index - 1, 0), Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = servers[target];
    if (!next) return;
    selectServer(next.id);
    buttons.current.get(next.id)?.focus();
  };

  return (
    <div className="server-nav">
      {/* The list is named by its aria-label; this is the same word for sighted users. */}
      <div className="sidebar-heading" aria-hidden="true">
        Servers
      </div>
      {servers.length === 0 ? <p className="server-list-empty">No servers yet</p> : null}
      <ul className="server-list" aria-label="Servers" onKeyDown={onKeyDown}>
        {servers.map((server) => (
          <li key={server.id}>
            <ServerListItem
              server={server}
              name={names.get(server.id) ?? server.config.name}
              selected={server.id === selected?.id}
              edited={edited.has(server.id)}
              register={(el) => {
                if (el) buttons.current.set(server.id, el);
                else buttons.current.delete(server.id);
              }}
            />
          </li>
        ))}
      </ul>
    </div>
  );
}
