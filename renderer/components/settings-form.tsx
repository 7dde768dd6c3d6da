import { useId, type FormEvent, type ReactNode } from 'react';
import type { Caching, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { blockedReason, hasErrors, isEmptyPatch, patchFromDraft, validateDraft, type SettingsDraft } from '../settings-draft';
import { applyDraft, discardDraft, editDraft, notePortCheck, takenPortOf, useDraft } from '../stores/drafts-store';
import { HeadersEditor } from './headers-editor';
import { PasswordFields } from './password-fields';
import { PortField } from './port-field';
import { ProxyEditor } from './proxy-editor';
import { SwitchField } from './switch-field';

const CACHING: { value: Caching; label: string; hint: string }[] = [
  { value: 'revalidate', label: 'Always revalidate (development)', hint: 'The browser asks every time and gets a quick “not modified” when nothing changed.' },
  { value: 'no-store', label: 'Never cache', hint: 'Nothing is kept by the browser; every load downloads every file.' },
  { value: 'max-age', label: 'Cache for an hour', hint: 'Like a production CDN: files are reused for an hour without asking.' },
];

/** A titled box of settings rows, like a group in System Settings. */
function SettingsGroup({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="settings-group">
      <legend className="group-title">{title}</legend>
      <div className="group-box">{children}</div>
    </fieldset>
  );
}

/** What the footer says beside Apply. */
function footerStatus(server: ServerState, dirty: boolean, invalid: boolean, taken: number | null, reason: string): string | null {
  if (!dirty) return null;
  if (taken !== null) return `Port ${taken} is in use. Choose another port to apply.`;
  if (invalid) return reason;
  return server.status === 'running' ? 'Unsaved changes. Applying restarts the server.' : 'Unsaved changes.';
}

/**
 * The server's settings, edited as a draft that survives switching servers
 * (drafts-store.ts). While there are edits, the Apply bar floats at the
 * bottom of the pane, wherever the user has scrolled or with Settings closed.
 */
export function SettingsForm({ server, open }: { server: ServerState; open: boolean }) {
  const ids = useId();
  const config = server.config;
  const { draft, error: applyError, applying, edited, ...entry } = useDraft(server);

  const errors = validateDraft(draft);
  const patch = patchFromDraft(draft, config);
  const dirty = !isEmptyPatch(patch);
  const taken = takenPortOf({ draft, error: applyError, applying, ...entry });
  const invalid = hasErrors(errors) || taken !== null;
  const caching = CACHING.find((c) => c.value === draft.caching) ?? CACHING[0]!;
  const status = footerStatus(server, dirty, invalid, taken, blockedReason(errors));

  const change = (next: Partial<SettingsDraft>) => editDraft(server, next);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    void applyDraft(server).catch((reason: unknown) => console.error(reason));
  };
  const chooseFolder = async () => {
    const picked = await pier().pickFolder();
    if (picked) change({ root: picked });
  };

  return (
    <form aria-label="Server settings" className="settings-form" noValidate onSubmit={apply}>
      <div className="settings-grid" hidden={!open}>
        <div className="settings-column">
          <SettingsGroup title="General">
            <div className="field-row">
              <div className="field-label">
                <label htmlFor={`${ids}-name`}>Name</label>
              </div>
              <input
                id={`${ids}-name`}
                className="input name-input"
                value={draft.name}
                maxLength={120}
                aria-invalid={errors.name ? true : undefined}
                aria-describedby={errors.name ? `${ids}-name-error` : undefined}
                onChange={(event) => change({ name: event.target.value })}
              />
              {errors.name ? (
                <p className="field-message field-error" id={`${ids}-name-error`}>
                  {errors.name}
                </p>
              ) : null}
            </div>
            <div className="field-row field-row-folder">
              <div className="field-label">
                <span id={`${ids}-folder`}>Folder</span>
              </div>
              <div className="folder-control">
                <span className="mono folder-path" id={`${ids}-folder-path`}>
                  {draft.root}
                </span>
                <button
                  type="button"
                  className="btn btn-small"
                  aria-describedby={`${ids}-folder ${ids}-folder-path`}
                  onClick={() => void chooseFolder().catch((reason: unknown) => console.error(reason))}
                >
                  Choose…
                </button>
              </div>
            </div>
            <PortField
              serverId={server.id}
              mode={draft.portMode}
              value={draft.port}
              lan={draft.lan}
              boundPort={server.port}
              edited={draft.portMode !== (config.port === 'auto' ? 'auto' : 'fixed') || (draft.portMode === 'fixed' && draft.port !== String(config.port))}
              error={errors.port}
              offeredElsewhere={server.status === 'error' ? server.error?.suggestedPort : undefined}
              onChange={change}
              onChecked={(port, free) => notePortCheck(server.id, port, free)}
            />
            <SwitchField
              label="Reachable from the LAN"
              hint="Listen on every network interface, so phones and other computers on your network can open it."
              checked={draft.lan}
              onChange={(lan) => change({ lan })}
            />
            <SwitchField
              label="HTTPS"
              hint="Serve over TLS with a local certificate. Browsers ask you to trust it once."
              checked={draft.https}
              onChange={(https) => change({ https })}
            />
          </SettingsGroup>
          <SettingsGroup title="Access">
            <PasswordFields on={draft.authOn} username={draft.username} password={draft.password} errors={errors} onChange={change} />
          </SettingsGroup>
        </div>
        <div className="settings-column">
          <SettingsGroup title="Serving">
            <SwitchField
              label="Directory listing"
              hint="Folders without an index.html show their files."
              checked={draft.listing}
              onChange={(listing) => change({ listing })}
            />
            <SwitchField
              label="SPA fallback"
              hint="Unknown routes without a file extension answer with /index.html."
              checked={draft.spa}
              onChange={(spa) => change({ spa })}
            />
            <SwitchField
              label="Clean URLs"
              hint="/about serves about.html, and links drop the .html."
              checked={draft.cleanUrls}
              onChange={(cleanUrls) => change({ cleanUrls })}
            />
            <SwitchField label="CORS" hint="Pages from any other origin may fetch these files." checked={draft.cors} onChange={(cors) => change({ cors })} />
            <SwitchField
              label="Compression"
              hint="HTML, CSS, scripts and other text go out as brotli or gzip when the browser accepts it; app.js.br or app.js.gz beside a file is sent instead."
              checked={draft.compress}
              onChange={(compress) => change({ compress })}
            />
            <SwitchField
              label="Live reload"
              hint="Pages reload by themselves when a file in the folder changes; a changed stylesheet is swapped in without a reload."
              checked={draft.liveReload}
              onChange={(liveReload) => change({ liveReload })}
            />
            <SwitchField
              label="Cross-origin isolation"
              hint="COOP and COEP headers, so SharedArrayBuffer and WASM threads work (Godot, Emscripten). Needs a secure context: this computer, or HTTPS."
              checked={draft.crossOriginIsolated}
              onChange={(crossOriginIsolated) => change({ crossOriginIsolated })}
            />
            <SwitchField
              label="Unity build"
              hint="A Unity WebGL build's compressed files (Build/*.br, *.gz) go out with Content-Encoding and their real type, so the loader runs without the decompression fallback."
              checked={draft.unity}
              onChange={(unity) => change({ unity })}
            />
            <div className="field-row field-row-select">
              <div className="field-label">
                <label htmlFor={`${ids}-caching`}>Caching</label>
              </div>
              <select
                id={`${ids}-caching`}
                className="select"
                value={draft.caching}
                aria-describedby={`${ids}-caching-hint`}
                onChange={(event) => change({ caching: event.target.value as Caching })}
              >
                {CACHING.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
              <p className="field-hint field-hint-wide" id={`${ids}-caching-hint`}>
                {caching.hint}
              </p>
            </div>
          </SettingsGroup>
          <SettingsGroup title="Custom headers">
            <HeadersEditor headers={draft.headers} errors={errors.headers} onChange={(headers) => change({ headers })} />
          </SettingsGroup>
        </div>
      </div>
      <div hidden={!open}>
        <SettingsGroup title="Proxy">
          <ProxyEditor rules={draft.proxies} errors={errors.proxies} onChange={(proxies) => change({ proxies })} />
        </SettingsGroup>
      </div>
      {/* With edits the bar floats over the pane's bottom edge, so Apply is in view wherever the user is. */}
      <div className={edited ? 'settings-footer is-floating' : 'settings-footer'} hidden={!open && !edited}>
        {applyError ? (
          // Inserted as an alert, so a screen reader hears main's refusal at once.
          <p className="settings-status field-error" role="alert">
            {applyError}
          </p>
        ) : (
          <p className="settings-status">{status}</p>
        )}
        <button type="button" className="btn" disabled={!edited || applying} onClick={() => discardDraft(server.id)}>
          Discard
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || invalid || applying}>
          Apply
        </button>
      </div>
    </form>
  );
}
