import { memo } from 'react';
import type { ServerState } from '../../app/contract';
import { createStore, useStore } from '../stores/create-store';
import { ChevronIcon } from './icons';
import { PRESET_LABEL } from './option-chips';
import { SettingsForm } from './settings-form';

/** A few words on how it serves, for when the section is closed. */
function summary(server: ServerState): string {
  const c = server.config;
  const parts = [c.port === 'auto' ? 'Automatic port' : `Port ${c.port}`];
  if (c.lan) parts.push('LAN');
  if (c.https) parts.push('HTTPS');
  if (c.auth) parts.push('Password');
  if (c.spa) parts.push('SPA');
  if (c.cleanUrls) parts.push('Clean URLs');
  if (c.cors) parts.push('CORS');
  if (c.liveReload) parts.push('Live reload');
  for (const preset of c.presets) parts.push(PRESET_LABEL[preset]);
  if (c.headers.length) parts.push(`${c.headers.length} header${c.headers.length === 1 ? '' : 's'}`);
  if (c.proxies.length) parts.push(`${c.proxies.length} proxy rule${c.proxies.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

// Open or closed is the user's choice for every server alike, kept while the window lives.
const openStore = createStore(true);

/** Open Settings and put the keyboard on "Require a password" (the LAN warning's action). */
export function showPasswordSetting(): void {
  openStore.set(true);
  // After React has shown the section.
  requestAnimationFrame(() => {
    const field = document.querySelector<HTMLInputElement>('[data-setting="password"]');
    field?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    field?.focus({ preventScroll: true });
  });
}

/**
 * Snapshots arrive with every change of a server's request counters; the
 * form only needs to re-render when something it shows has changed.
 */
const sameForSettings = (a: { server: ServerState }, b: { server: ServerState }) =>
  a.server.id === b.server.id &&
  a.server.status === b.server.status &&
  a.server.port === b.server.port &&
  a.server.error?.suggestedPort === b.server.error?.suggestedPort &&
  JSON.stringify(a.server.config) === JSON.stringify(b.server.config);

export const SettingsSection = memo(function SettingsSection({ server }: { server: ServerState }) {
  const open = useStore(openStore);
  const setOpen = openStore.set;
  return (
    <section className="card settings" aria-labelledby="settings-heading">
      <h3 className="section-heading" id="settings-heading">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls="settings-body" onClick={() => setOpen(!open)}>
          <ChevronIcon className="disclosure-chevron" />
          Settings
        </button>
        {open ? null : <span className="settings-summary">{summary(server)}</span>}
      </h3>
      <div id="settings-body">
        <SettingsForm server={server} open={open} />
      </div>
    </section>
  );
}, sameForSettings);
