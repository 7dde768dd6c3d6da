import type { ServerState } from '../../app/contract';
import { BuildBanner } from './build-banner';
import { ProxyCard } from './proxy-card';
import { RequestsSection } from './requests-section';
import { ServerErrorAlert } from './server-error-alert';
import { ServerHeader } from './server-header';
import { ServerUrls } from './server-urls';
import { SettingsSection } from './settings-section';

/**
 * Everything about the selected server: who it is, where to reach it, what it
 * served, how it serves. The live log is what a running server is watched
 * for, so it fills the first screen; Settings starts right below it, with its
 * heading in view.
 */
export function ServerPane({ server }: { server: ServerState }) {
  return (
    <main className="pane" aria-labelledby="server-title">
      <div className="pane-first-screen">
        <ServerHeader server={server} />
        {server.status === 'error' && server.error ? <ServerErrorAlert server={server} error={server.error} /> : null}
        <BuildBanner server={server} />
        <ServerUrls server={server} />
        <ProxyCard server={server} />
        <RequestsSection server={server} />
      </div>
      <SettingsSection server={server} />
    </main>
  );
}
