import { useState } from 'react';
import type { ServerState } from '../../app/contract';
import { shortenPath } from '../format';
import { pier } from '../pier';
import { START_FAILURES } from '../serve-folder';
import { STATUS_LABEL, isUp } from '../server-status';
import { showNotice } from '../stores/notices-store';
import { neighbourOf, selectServer } from '../stores/selection-store';
import { ExportDialog } from './export-dialog';
import { ExportIcon, FolderIcon, PlayIcon, StopIcon, TrashIcon } from './icons';
import { OptionChips } from './option-chips';
import { RemoveDialog } from './remove-dialog';
import { focusSelectedServer } from './server-list';
import { StatusDot } from './status-dot';
import { usePending } from './use-pending';

export function ServerHeader({ server }: { server: ServerState }) {
  const [pending, run] = usePending();
  const [confirming, setConfirming] = useState(false);
  const [exporting, setExporting] = useState(false);
  const up = isUp(server);
  // When the error alert offers a new port, that is the action to take; Start would fail the same way.
  const startIsMain = !up && !(server.status === 'error' && server.error?.suggestedPort);

  const toggle = () =>
    run(async () => {
      const result = up ? await pier().stopServer(server.id) : await pier().startServer(server.id);
      // A failed start leaves the server in status `error`, which the pane shows with its fix.
      if (!result.ok && !START_FAILURES.has(result.code)) showNotice(result.message);
    });

  const remove = () => {
    setConfirming(false);
    const next = neighbourOf(server.id);
    run(async () => {
      const result = await pier().removeServer(server.id);
      if (!result.ok) {
        showNotice(result.message);
        return;
      }
      if (next) selectServer(next);
      // This pane is about to go; keyboard focus would fall to the page otherwise.
      requestAnimationFrame(focusSelectedServer);
    });
  };

  const reveal = () =>
    run(async () => {
      const result = await pier().revealFolder(server.id);
      if (!result.ok) showNotice(result.message);
    });

  return (
    <header className="pane-header">
      <div className="pane-title-row">
        <h2 id="server-title" className="pane-title">
          {server.config.name}
        </h2>
        <span className={`status-badge status-badge-${server.status}`}>
          <StatusDot status={server.status} />
          {STATUS_LABEL[server.status]}
        </span>
        <div className="pane-actions">
          <button type="button" className={startIsMain ? 'btn btn-primary start-stop' : 'btn start-stop'} disabled={pending} onClick={toggle}>
            {up ? <StopIcon /> : <PlayIcon />}
            {up ? 'Stop' : 'Start'}
          </button>
          <button type="button" className="btn btn-ghost" title="A Caddyfile or nginx config for this server" onClick={() => setExporting(true)}>
            <ExportIcon />
            Export…
          </button>
          <button type="button" className="btn btn-ghost btn-icon" aria-label="Remove server" title="Remove server" onClick={() => setConfirming(true)}>
            <TrashIcon />
          </button>
        </div>
      </div>
      <div className="pane-path">
        <FolderIcon />
        <span className="mono pane-path-text" title={server.config.root}>
          {shortenPath(server.config.root)}
        </span>
        <button type="button" className="btn-link" onClick={reveal}>
          Show folder
        </button>
        <OptionChips config={server.config} />
      </div>
      {exporting ? <ExportDialog server={server} onClose={() => setExporting(false)} /> : null}
      {confirming ? <RemoveDialog server={server} onCancel={() => setConfirming(false)} onRemove={remove} /> : null}
    </header>
  );
}
