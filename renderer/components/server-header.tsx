import { useState } from 'react';
import type { ServerState } from '../../app/contract';
import { shortenPath } from '../format';
import { pier } from '../pier';
import { START_FAILURES } from '../serve-folder';
import { STATUS_LABEL, isFolderError, isUp } from '../server-status';
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
  // When the error alert offers a fix (a new port, another folder), that is the action to take; Start would fail the same way.
  const startIsMain = !up && !(server.status === 'error' && (server.error?.suggestedPort || isFolderError(server.error?.code)));

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
        {/* A long name gives way to the status in a narrow pane; the tooltip has it whole. */}
        <h2 id="server-title" className="pane-title" title={server.config.name}>
          {server.config.name}
        </h2>
        <span className={`status-badge status-badge-${server.status}`}>
          <StatusDot status={server.status} />
          {STATUS_LABEL[server.status]}
        </span>
        {/* Beside the status: how a visitor meets this server (HTTPS, a password) is part of its state. */}
        <OptionChips config={server.config} />
        {/* In a narrow pane these show only their icons; the name stays for screen readers and as a tooltip. */}
        <div className="pane-actions">
          <button
            type="button"
            className={startIsMain ? 'btn btn-primary btn-collapsible start-stop' : 'btn btn-collapsible start-stop'}
            aria-label={up ? 'Stop' : 'Start'}
            title={up ? 'Stop' : 'Start'}
            disabled={pending}
            onClick={toggle}
          >
            {up ? <StopIcon /> : <PlayIcon />}
            <span className="btn-collapsible-label">{up ? 'Stop' : 'Start'}</span>
          </button>
          <button type="button" className="btn btn-ghost btn-collapsible" aria-label="Export…" title="Export… a Caddyfile or nginx config for this server" onClick={() => setExporting(true)}>
            <ExportIcon />
            <span className="btn-collapsible-label">Export…</span>
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
      </div>
      {exporting ? <ExportDialog server={server} onClose={() => setExporting(false)} /> : null}
      {confirming ? <RemoveDialog server={server} onCancel={() => setConfirming(false)} onRemove={remove} /> : null}
    </header>
  );
}
