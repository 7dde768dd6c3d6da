import { useEffect, useId, useState } from 'react';
import type { ExportedConfig, ExportTarget, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { CheckIcon, CopyIcon, DownloadIcon } from './icons';
import { ModalDialog } from './modal-dialog';
import { useFlash } from './use-flash';

const TARGETS: Array<{ value: ExportTarget; label: string }> = [
  { value: 'caddy', label: 'Caddy' },
  { value: 'nginx', label: 'nginx' },
];

type Loaded = { key: string; value: ExportedConfig } | { key: string; error: string };

/** The file name the save dialog offers: `Caddyfile`, or `<server>.conf` for nginx's sites-enabled. */
function configFileName(server: ServerState, target: ExportTarget): string {
  if (target === 'caddy') return 'Caddyfile';
  const slug = server.config.name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return `${slug || 'pier'}.conf`;
}

/** The last segment of a path the config refers to (`/etc/nginx/x.htpasswd` → `x.htpasswd`). */
const baseName = (file: string) => file.split('/').filter(Boolean).pop() ?? 'export.txt';

/** Copy and Save… for one text, with "Copied" / "Saved to …" said where a screen reader hears it. */
function TextActions({ text, fileName, label }: { text: string; fileName: string; label?: string }) {
  const [copied, flashCopied] = useFlash<true>();
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const suffix = label ? ` ${label}` : '';

  const copy = async () => {
    await pier().copyText(text);
    setStatus(null);
    flashCopied(true);
  };
  const save = async () => {
    const result = await pier().saveExport(text, fileName);
    if (!result.ok) setStatus({ text: result.message, error: true });
    else if (result.value) setStatus({ text: `Saved to ${result.value}`, error: false });
  };

  return (
    <div className="export-actions">
      <span role="status" className={status?.error ? 'export-status is-error' : 'export-status'}>
        {copied ? (
          <>
            <CheckIcon />
            Copied
          </>
        ) : (
          status?.text
        )}
      </span>
      <button type="button" className="btn" aria-label={`Copy${suffix}`} onClick={() => void copy()}>
        <CopyIcon />
        Copy
      </button>
      <button type="button" className="btn" aria-label={`Save${suffix}…`} onClick={() => void save()}>
        <DownloadIcon />
        Save…
      </button>
    </div>
  );
}

/**
 * "A way out to production": the server's current settings as a Caddyfile or
 * an nginx server block (written by the engine, as `pier export` writes it),
 * with what has no equivalent and the extra files the config refers to.
 */
export function ExportDialog({ server, onClose }: { server: ServerState; onClose: () => void }) {
  const id = useId();
  const [target, setTarget] = useState<ExportTarget>('caddy');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  // A change of settings while the dialog is open makes a new export.
  const key = `${server.id} ${target} ${JSON.stringify(server.config)}`;

  useEffect(() => {
    let current = true;
    pier()
      .exportConfig(server.id, target)
      .then(
        (result) => current && setLoaded(result.ok ? { key, value: result.value } : { key, error: result.message }),
        (error: unknown) => current && setLoaded({ key, error: String(error) }),
      );
    return () => {
      current = false;
    };
    // `key` names everything the export depends on.
  }, [key]);

  const shown = loaded?.key === key ? loaded : null;
  const exported = shown && 'value' in shown ? shown.value : null;
  const configLabel = target === 'caddy' ? 'Caddyfile' : 'nginx config';

  return (
    <ModalDialog labelledBy={`${id}-title`} describedBy={`${id}-hint`} onClose={onClose} className="dialog-export">
      <div className="export-head">
        <h2 id={`${id}-title`}>Export for production</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Server to export for</legend>
          {TARGETS.map((choice) => (
            <label key={choice.value} className="segmented-option">
              <input type="radio" name={`${id}-target`} value={choice.value} checked={target === choice.value} onChange={() => setTarget(choice.value)} />
              {choice.label}
            </label>
          ))}
        </fieldset>
      </div>
      <p id={`${id}-hint`} className="export-hint">
        {target === 'caddy'
          ? 'A Caddyfile that serves this folder with the same settings.'
          : 'An nginx server block for sites-enabled, with the map lines it needs before it.'}
      </p>
      {shown && 'error' in shown ? (
        <p className="export-error" role="alert">
          {shown.error}
        </p>
      ) : (
        <textarea
          className="export-text mono"
          aria-label={configLabel}
          readOnly
          spellCheck={false}
          wrap="off"
          rows={14}
          value={exported?.text ?? ''}
          aria-busy={!exported}
        />
      )}
      {exported ? <TextActions key={target} text={exported.text} fileName={configFileName(server, target)} /> : null}
      {exported && exported.notes.length > 0 ? (
        <section className="export-notes" aria-labelledby={`${id}-notes`}>
          <h3 id={`${id}-notes`}>Not carried over, or needs your attention</h3>
          <ul>
            {exported.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {exported?.files?.map((file) => (
        <section key={file.name} className="export-file" aria-label={`File ${file.name}`}>
          <h3>
            Also write <span className="mono">{file.name}</span>
          </h3>
          <textarea className="export-text export-file-text mono" aria-label={file.name} readOnly spellCheck={false} wrap="off" rows={2} value={file.content} />
          <TextActions text={file.content} fileName={baseName(file.name)} label={file.name} />
        </section>
      ))}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
