import type { ServerState } from '../../app/contract';
import { RequestsSection } from './requests-section';
import { ServerErrorAlert } from './server-error-alert';
import { ServerHeader } from './server-header';
import { ServerUrls } from './server-urls';
import { SettingsSection } from './settings-section';

/** Everything about the selected server: who it is, where to reach it, how it serves, what it served. */
export function ServerPane({ server }: { server: ServerState }) {
  return (
    <main className="pane" aria-labelledby="server-title">
      <ServerHeader server={server} />
      {server.status === 'error' && server.error ? <ServerErrorAlert server={server} error={server.error} /> : null}
      <ServerUrls server={server} />
      <SettingsSection server={server} />
      <RequestsSection server={server} />
    </main>
  );
}
