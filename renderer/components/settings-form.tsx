import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { Caching, ServerConfig, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { START_FAILURES } from '../serve-folder';
import { blockedReason, draftFromConfig, hasErrors, isEmptyPatch, patchFromDraft, validateDraft, type SettingsDraft } from '../settings-draft';
import { HeadersEditor } from './headers-editor';
import { PasswordFields } from './password-fields';
import { PortField } from './port-field';
import { ProxyEditor } from './proxy-editor';
import { SwitchField } from './switch-field';
import { usePending } from './use-pending';

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

export function SettingsForm({ server }: { server: ServerState }) {
  const ids = useId();
  const config = server.config;
  // Snapshots bring a new config object every time; compare by content.
  const configKey = JSON.stringify(config);
  const [baseKey, setBaseKey] = useState(configKey);
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFromConfig(config));
  const [applyError, setApplyError] = useState<string | null>(null);
  const [pending, run] = usePending();

  // The config changed under the form (applied, or changed elsewhere): follow it
  // unless the user has edits of their own, which are kept.
  if (baseKey !== configKey) {
    const base = JSON.parse(baseKey) as ServerConfig;
    if (isEmptyPatch(patchFromDraft(draft, base))) setDraft(draftFromConfig(config));
    setBaseKey(configKey);
  }

  const errors = validateDraft(draft);
  const patch = patchFromDraft(draft, config);
  const dirty = !isEmptyPatch(patch);
  const invalid = hasErrors(errors);
  const caching = CACHING.find((c) => c.value === draft.caching) ?? CACHING[0]!;

  const change = (next: Partial<SettingsDraft>) => {
    setApplyError(null);
    setDraft((current) => ({ ...current, ...next }));
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (!dirty || invalid || pending) return;
    run(async () => {
      const result = await pier().updateServer(server.id, patch);
      if (!result.ok) {
        // A restart that failed to listen puts the server in `error`; the pane's alert says why and offers the fix.
        if (!START_FAILURES.has(result.code)) setApplyError(result.message);
        return;
      }
      // A server in error isn't running, so a new port isn't tried until it is started.
      if (patch.port !== undefined && result.value.status === 'error') {
        const started = await pier().startServer(server.id);
        if (!started.ok && !START_FAILURES.has(started.code)) setApplyError(started.message);
      }
    });
  };

  return (
    <form aria-label="Server settings" className="settings-form" noValidate onSubmit={apply}>
      <div className="settings-grid">
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
            <PortField
              serverId={server.id}
              mode={draft.portMode}
              value={draft.port}
              lan={draft.lan}
              boundPort={server.port}
              error={errors.port}
              offeredElsewhere={server.status === 'error' ? server.error?.suggestedPort : undefined}
              onChange={change}
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
      <SettingsGroup title="Proxy">
        <ProxyEditor rules={draft.proxies} errors={errors.proxies} onChange={(proxies) => change({ proxies })} />
      </SettingsGroup>
      <div className="settings-footer">
        {applyError ? (
          // Inserted as an alert, so a screen reader hears main's refusal at once.
          <p className="settings-status field-error" role="alert">
            {applyError}
          </p>
        ) : (
          <p className="settings-status">
            {!dirty ? null : invalid ? blockedReason(errors) : server.status === 'running' ? 'Applying restarts the server.' : 'Unsaved changes.'}
          </p>
        )}
        <button
          type="button"
          className="btn"
          disabled={!dirty || pending}
          onClick={() => {
            setApplyError(null);
            setDraft(draftFromConfig(config));
          }}
        >
          Revert
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || invalid || pending}>
          Apply
        </button>
      </div>
    </form>
  );
}
