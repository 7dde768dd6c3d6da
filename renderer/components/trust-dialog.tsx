import { useState } from 'react';
import type { TrustAction, TrustOutcome, TrustStatus, TrustStoreState } from '../../app/contract';
import { pier } from '../pier';
import { changeable, setTrustStatus } from '../stores/trust-store';
import { AlertIcon, CheckIcon } from './icons';
import { ModalDialog } from './modal-dialog';
import { usePending } from './use-pending';

function StoreList({ title, stores, note }: { title: string; stores: TrustStoreState[]; note?: (store: TrustStoreState) => string | null }) {
  if (stores.length === 0) return null;
  return (
    <section className="trust-group" aria-label={title}>
      <h3 className="trust-group-title">{title}</h3>
      <ul className="trust-stores">
        {stores.map((store) => (
          <li key={store.id}>
            <span className="trust-store-label">{asLine(store.label)}</span>
            {note?.(store) ? <span className="trust-store-note">{note(store)}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Store labels may start in lower case ("this computer's certificate store"); in a list they start a line. */
const asLine = (label: string) => label.charAt(0).toUpperCase() + label.slice(1);

function Outcome({ outcome }: { outcome: TrustOutcome }) {
  if (outcome.changes.length === 0) return <p className="trust-lead">Nothing needed changing.</p>;
  return (
    <ul className="trust-outcome" aria-label="What changed">
      {outcome.changes.map((change) => (
        <li key={change.id} className={change.ok ? 'is-ok' : 'is-failed'}>
          {change.ok ? <CheckIcon /> : <AlertIcon />}
          {/* The message names the store ("Added to …"). */}
          <span>{asLine(change.message)}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * Trust Pier's certificate authority on this computer: first says exactly
 * which stores Install changes (and which it can't, and why), then shows what
 * happened in each. Only this user's stores; the machine's need
 * `pier trust --system` in a terminal.
 */
export function TrustDialog({ status, onClose }: { status: TrustStatus; onClose: () => void }) {
  const [pending, run] = usePending();
  const [outcome, setOutcome] = useState<{ action: TrustAction; result: TrustOutcome } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = outcome?.result.status ?? status;

  const stores = changeable(shown);
  const toInstall = stores.filter((store) => !store.trusted);
  const trusted = shown.stores.filter((store) => store.trusted);
  const removable = stores.filter((store) => store.trusted);
  const unavailable = shown.stores.filter((store) => !store.trusted && (store.system || store.unavailable !== null));

  const act = (action: TrustAction) =>
    run(async () => {
      setError(null);
      const result = await pier().trust(action);
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setTrustStatus(result.value.status);
      setOutcome({ action, result: result.value });
    });

  return (
    <ModalDialog labelledBy="trust-title" describedBy="trust-lead" onClose={onClose} className="dialog-trust">
      <h2 id="trust-title">{outcome ? (outcome.action === 'install' ? 'Trust installed' : 'Trust removed') : 'Trust on this computer'}</h2>
      {outcome ? (
        <>
          <p className="trust-lead" id="trust-lead">
            {outcome.action === 'install'
              ? 'Browsers that use these stores now accept Pier’s HTTPS servers. A browser that was open may need a restart.'
              : 'Browsers that use these stores warn about Pier’s HTTPS servers again.'}
          </p>
          <Outcome outcome={outcome.result} />
        </>
      ) : (
        <>
          <p className="trust-lead" id="trust-lead">
            Browsers warn about Pier’s HTTPS servers until they trust Pier’s own certificate authority. It was made on this computer and its key
            never leaves it.
          </p>
          <StoreList title={toInstall.length ? 'Install adds it to' : 'Nothing to add'} stores={toInstall} />
          <StoreList title="Already trusted by" stores={trusted} />
          <StoreList
            title="Can’t be changed from here"
            stores={unavailable}
            note={(store) => store.unavailable ?? (store.system ? 'Needs administrator rights: run “pier trust --system” in a terminal.' : null)}
          />
        </>
      )}
      <p className="trust-fingerprint">
        SHA-256 <span className="mono">{shown.fingerprint}</span>
      </p>
      {error ? (
        <p className="field-error trust-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        {outcome ? (
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            {removable.length > 0 ? (
              <button type="button" className="btn btn-ghost trust-remove" disabled={pending} onClick={() => act('uninstall')}>
                Remove trust
              </button>
            ) : null}
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            {toInstall.length > 0 ? (
              <button type="button" className="btn btn-primary" disabled={pending} onClick={() => act('install')}>
                Install
              </button>
            ) : null}
          </>
        )}
      </div>
    </ModalDialog>
  );
}
