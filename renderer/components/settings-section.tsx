import { useState } from 'react';
import type { ServerState } from '../../app/contract';
import { isUp } from '../server-status';
import { ChevronIcon } from './icons';
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
  if (c.headers.length) parts.push(`${c.headers.length} header${c.headers.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

export function SettingsSection({ server }: { server: ServerState }) {
  // A running server's log matters most; a stopped one is more likely being set up.
  const [open, setOpen] = useState(() => !isUp(server));
  return (
    <section className="card settings" aria-labelledby="settings-heading">
      <h3 className="section-heading" id="settings-heading">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls="settings-body" onClick={() => setOpen(!open)}>
          <ChevronIcon className="disclosure-chevron" />
          Settings
        </button>
        {open ? null : <span className="settings-summary">{summary(server)}</span>}
      </h3>
      {/* Hidden rather than unmounted, so closing the section keeps unapplied edits. */}
      <div id="settings-body" hidden={!open}>
        <SettingsForm server={server} />
      </div>
    </section>
  );
}
