import type { PierError, ServerPatch, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { START_FAILURES } from '../serve-folder';
import { isFolderError } from '../server-status';
import { showNotice } from '../stores/notices-store';
import { AlertIcon } from './icons';
import { usePending } from './use-pending';

/**
 * Change a server (another port, another folder) and make sure it runs.
 * updateServer restarts only a server the user wants running; a stopped one
 * has to be started after. Resolves with a message to show, or null.
 */
export async function changeAndStart(id: string, patch: ServerPatch): Promise<string | null> {
  const updated = await pier().updateServer(id, patch);
  if (!updated.ok) return updated.message;
  if (updated.value.status === 'running' || updated.value.status === 'starting') return null;
  const started = await pier().startServer(id);
  // A start that fails again shows in the server's own state (with a new suggestion).
  return started.ok || START_FAILURES.has(started.code) ? null : started.message;
}

export function ServerErrorAlert({ server, error }: { server: ServerState; error: PierError }) {
  const [pending, run] = usePending();
  const suggested = error.suggestedPort;
  const folderFix = isFolderError(error.code);
  const fix = (patch: ServerPatch) =>
    run(async () => {
      const message = await changeAndStart(server.id, patch);
      if (message) showNotice(message);
    });
  const chooseFolder = () =>
    run(async () => {
      const picked = await pier().pickFolder();
      if (!picked) return;
      const message = await changeAndStart(server.id, { root: picked });
      if (message) showNotice(message);
    });
  return (
    <div className="callout callout-error" role="alert">
      <AlertIcon />
      <div className="callout-body">
        <p className="callout-title">{error.message}</p>
        {suggested ? <p className="callout-text">Pier can move this server to port {suggested} and start it there.</p> : null}
        {folderFix ? <p className="callout-text">Choose the folder where the site is now; the port and settings stay.</p> : null}
      </div>
      {suggested ? (
        <button type="button" className="btn btn-primary" disabled={pending} onClick={() => fix({ port: suggested })}>
          Use port {suggested}
        </button>
      ) : null}
      {folderFix ? (
        <button type="button" className="btn btn-primary" disabled={pending} onClick={chooseFolder}>
          Choose folder…
        </button>
      ) : null}
    </div>
  );
}
