import { useEffect, useState, type ReactNode } from 'react';
import type { HeaderField, LogEntry, RequestDetails, ServerId } from '../../app/contract';
import { formatBytes, formatClock, formatDuration } from '../format';
import { statusClass } from '../log-filter';
import { pier } from '../pier';
import { CloseIcon, CopyIcon } from './icons';
import { useFlash } from './use-flash';

type Loaded = { state: 'loading' } | { state: 'gone' } | { state: 'failed'; message: string } | { state: 'ready'; details: RequestDetails };

/** One request's headers, fetched from main when the panel opens: they never travel with the log. */
function useRequestDetails(serverId: ServerId, seq: number): Loaded {
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded }>({ key: '', value: { state: 'loading' } });
  const key = `${serverId}:${seq}`;
  useEffect(() => {
    let current = true;
    pier()
      .getRequestDetails(serverId, seq)
      .then(
        (result) => {
          if (!current) return;
          const value: Loaded = !result.ok ? { state: 'failed', message: result.message } : result.value ? { state: 'ready', details: result.value } : { state: 'gone' };
          setLoaded({ key, value });
        },
        (error: unknown) => current && setLoaded({ key, value: { state: 'failed', message: error instanceof Error ? error.message : String(error) } }),
      );
    return () => {
      current = false;
    };
  }, [serverId, seq, key]);
  return loaded.key === key ? loaded.value : { state: 'loading' };
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="details-field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Headers({ title, headers }: { title: string; headers: readonly HeaderField[] }) {
  return (
    <section className="details-section" aria-label={title}>
      <h4 className="details-heading">{title}</h4>
      {headers.length === 0 ? (
        <p className="details-note">None were sent.</p>
      ) : (
        <dl className="header-list">
          {headers.map((header, i) => (
            <div key={i} className="header-line">
              <dt>{header.name}</dt>
              <dd>{header.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

interface RequestDetailsPanelProps {
  serverId: ServerId;
  entry: LogEntry;
  onClose(): void;
}

/** The details of one request, as a browser's network panel shows them: the basics, then the headers Pier still keeps. */
export function RequestDetailsPanel({ serverId, entry, onClose }: RequestDetailsPanelProps) {
  const loaded = useRequestDetails(serverId, entry.seq);
  const [copied, flashCopied] = useFlash<'curl'>();
  const details = loaded.state === 'ready' ? loaded.details : null;
  const kind = statusClass(entry.status);

  const copyCurl = async () => {
    if (!details) return;
    await pier().copyText(details.curl);
    flashCopied('curl');
  };

  return (
    <aside
      className="request-details"
      aria-label="Request details"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <div className="details-head">
        <span className={`details-status status-text-${kind}`}>{entry.status}</span>
        <span className="details-method">{entry.method}</span>
        <span className="details-path" title={entry.path}>
          {entry.path}
        </span>
        <button type="button" className="btn btn-icon btn-ghost" aria-label="Close details" title="Close (Esc)" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      <div className="details-body">
        <dl className="details-grid">
          <Field label="URL">
            <span className="details-url">{details?.url ?? entry.path}</span>
          </Field>
          <Field label="Status">{details?.statusText ? `${entry.status} ${details.statusText}` : entry.status}</Field>
          <Field label="Finished">
            {formatClock(entry.time)} · {new Date(entry.time).toLocaleDateString()}
          </Field>
          <Field label="Duration">{formatDuration(entry.ms)}</Field>
          <Field label="Response">{formatBytes(entry.bytes)}</Field>
          {details?.requestBodyBytes != null ? <Field label="Request body">{formatBytes(details.requestBodyBytes)}</Field> : null}
          {details ? <Field label="Protocol">{details.httpVersion}</Field> : null}
          <Field label="Client">{entry.ip}</Field>
          <Field label="User agent">{entry.userAgent || '—'}</Field>
          <Field label="Referer">{entry.referer || '—'}</Field>
          {entry.upstream !== undefined ? <Field label="Upstream">{entry.upstream}</Field> : null}
        </dl>
        <div className="details-actions">
          <button type="button" className="btn btn-small" disabled={!details} onClick={() => void copyCurl()}>
            <CopyIcon />
            Copy as cURL
          </button>
          <span className="details-copied" role="status">
            {copied ? 'Copied' : ''}
          </span>
        </div>
        {loaded.state === 'loading' ? <p className="details-note">Loading headers…</p> : null}
        {loaded.state === 'gone' ? (
          <p className="details-note">Headers no longer kept: Pier keeps them only for the most recent requests.</p>
        ) : null}
        {loaded.state === 'failed' ? <p className="details-note">Could not load the headers: {loaded.message}</p> : null}
        {details?.redacted ? (
          <p className="details-note">This server has a password: Authorization and cookie values are not kept and show as [redacted].</p>
        ) : null}
        {details?.truncated ? <p className="details-note">The headers were longer than Pier keeps per request; the last ones are missing.</p> : null}
        {details ? (
          <>
            <Headers title="Response headers" headers={details.responseHeaders} />
            <Headers title="Request headers" headers={details.requestHeaders} />
          </>
        ) : null}
      </div>
    </aside>
  );
}
