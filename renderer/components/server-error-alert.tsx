import type { PierError, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { START_FAILURES } from '../serve-folder';
import { showNotice } from '../stores/notices-store';
import { AlertIcon } from './icons';
import { usePending } from './use-pending';

/**
 * Move a server to another port and make sure it runs. updateServer restarts
 * only a running server; one in status `error` has to be started after.
 */
export async function moveToPort(id: string, port: number): Promise<string | null> {
  const updated = await pier().updateServer(id, { port });
  if (!updated.ok) return updated.message;
  if (updated.value.status === 'running' || updated.value.status === 'starting') return null;
  const started = await pier().startServer(id);
  // A start that fails again shows in the server's own state (with a new suggestion).
  return started.ok || START_FAILURES.has(started.code) ? null : started.message;
}

export function ServerErrorAlert({ server, error }: { server: ServerState; error: PierError }) {
  const [pending, run] = usePending();
  const suggested = error.suggestedPort;
  return (
    <div className="callout callout-error" role="alert">
      <AlertIcon />
      <div className="callout-body">
        <p className="callout-title">{error.message}</p>
        {suggested ? (
          <p className="callout-text">Pier can move this server to port {suggested} and start it there.</p>
        ) : null}
      </div>
      {suggested ? (
        <button
          type="button"
          className="btn btn-primary"
          disabled={pending}
          onClick={() =>
            run(async () => {
              const message = await moveToPort(server.id, suggested);
              if (message) showNotice(message);
            })
          }
        >
          Use port {suggested}
        </button>
      ) : null}
    </div>
  );
}
