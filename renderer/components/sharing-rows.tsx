import { useEffect, useState } from 'react';
import type { ServerState } from '../../app/contract';
import { loadTrust, trustedHere, useTrust } from '../stores/trust-store';
import { AlertIcon, CheckIcon, ShieldIcon } from './icons';
import { showPasswordSetting } from './settings-section';
import { TrustDialog } from './trust-dialog';

const folderName = (root: string) => root.split(/[\\/]/).filter(Boolean).pop() ?? root;

/** A LAN server without a password: say plainly who can read it, and where to fix that. */
export function LanExposureWarning({ server }: { server: ServerState }) {
  if (!server.config.lan || server.config.auth) return null;
  return (
    <div className="url-row url-row-note url-warning">
      <span className="url-label">
        <AlertIcon />
        Open
      </span>
      <p className="url-warning-text">
        Anyone on this network can open every file in <strong>{folderName(server.config.root)}</strong> — add a password in Settings.
      </p>
      <div className="url-actions">
        <button type="button" className="btn" onClick={showPasswordSetting}>
          Add a password
        </button>
      </div>
    </div>
  );
}

/** An HTTPS server: is Pier's certificate authority trusted here, and the way to trust it (or stop). */
export function CertificateRow({ server }: { server: ServerState }) {
  const trust = useTrust();
  const [open, setOpen] = useState(false);
  const https = server.config.https;
  useEffect(() => {
    if (https) void loadTrust();
  }, [https]);
  if (!https) return null;

  const status = trust.state === 'loaded' ? trust.status : null;
  const trusted = status ? trustedHere(status) : false;
  return (
    <div className="url-row url-row-note">
      <span className="url-label">
        <ShieldIcon />
        TLS
      </span>
      <p className={trusted ? 'url-cert is-trusted' : 'url-cert'}>
        {trust.state === 'failed' ? (
          trust.message
        ) : !status ? (
          'Checking whether this computer trusts Pier’s certificates…'
        ) : trusted ? (
          <>
            <CheckIcon />
            Browsers on this computer trust Pier’s certificates.
          </>
        ) : (
          'Browsers on this computer will warn until they trust Pier’s certificate authority.'
        )}
      </p>
      <div className="url-actions">
        <button type="button" className={trusted ? 'btn btn-ghost' : 'btn'} disabled={!status}
          onClick={() => {
            // Trust may have changed since (`pier trust` in a terminal): the dialog follows a fresh read.
            void loadTrust(true);
            setOpen(true);
          }}
        >
          {trusted ? 'Manage trust' : 'Trust on this computer'}
        </button>
      </div>
      {open && status ? <TrustDialog status={status} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}
