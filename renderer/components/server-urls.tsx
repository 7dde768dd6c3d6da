import { useState } from 'react';
import type { ServerState, UrlChoice } from '../../app/contract';
import { pier } from '../pier';
import { showNotice } from '../stores/notices-store';
import { CheckIcon, CopyIcon, ExternalIcon, QrIcon, WifiIcon } from './icons';
import { QrDialog } from './qr-dialog';
import { CertificateRow, LanExposureWarning } from './sharing-rows';
import { useFlash } from './use-flash';

/** Always in the DOM, so screen readers hear "Copied" when it fills (a live region must exist before it changes). */
function CopiedStatus({ shown }: { shown: boolean }) {
  return (
    <span role="status" className={shown ? 'copied is-shown' : 'copied'}>
      {shown ? (
        <>
          <CheckIcon />
          Copied
        </>
      ) : null}
    </span>
  );
}

/** What the Local row says while there is no address to show. */
const PLACEHOLDER: Record<ServerState['status'], string> = {
  starting: 'Starting…',
  stopped: 'Not running — start it to get an address',
  error: 'Not serving — the error above says why',
  running: '',
};

function LanHint({ server }: { server: ServerState }) {
  if (!server.config.lan) {
    return <p className="url-note">Only this computer can open it. Turn on “Reachable from the LAN” in Settings to open it on a phone.</p>;
  }
  if (server.status !== 'running') return <p className="url-note">Reachable from your network once it runs.</p>;
  return <p className="url-note">No network address found. Connect to a network to open it on other devices.</p>;
}

export function ServerUrls({ server }: { server: ServerState }) {
  const [copied, flashCopied] = useFlash<UrlChoice>();
  const [qrOpen, setQrOpen] = useState(false);
  const running = server.status === 'running' && server.url !== null;
  const lanUrls = running && server.config.lan ? server.lanUrls : [];

  const copy = async (which: UrlChoice) => {
    const result = await pier().copyUrl(server.id, which);
    if (result.ok) flashCopied(which);
    else showNotice(result.message);
  };
  const open = async () => {
    const result = await pier().openUrl(server.id, 'local');
    if (!result.ok) showNotice(result.message);
  };

  return (
    <section className="card urls" aria-label="Addresses">
      <div className="url-row url-row-local">
        <span className="url-label">Local</span>
        {running ? (
          <span className="url url-primary mono">{server.url}</span>
        ) : (
          <span className="url url-placeholder">{PLACEHOLDER[server.status]}</span>
        )}
        <div className="url-actions">
          <CopiedStatus shown={copied === 'local'} />
          {/* In a narrow pane these show only their icons; the name stays (aria-label) and shows as a tooltip (title). */}
          <button type="button" className="btn btn-collapsible" aria-label="Copy URL" title="Copy URL" disabled={!running} onClick={() => void copy('local')}>
            <CopyIcon />
            <span className="btn-collapsible-label">Copy URL</span>
          </button>
          <button
            type="button"
            className="btn btn-primary btn-collapsible"
            aria-label="Open in browser"
            title="Open in browser"
            disabled={!running}
            onClick={() => void open()}
          >
            <ExternalIcon />
            <span className="btn-collapsible-label">Open in browser</span>
          </button>
        </div>
      </div>
      {lanUrls.length > 0 ? (
        lanUrls.map((url, index) => (
          <div className="url-row" key={url}>
            <span className="url-label">
              <WifiIcon />
              LAN
            </span>
            <span className="url mono">{url}</span>
            <div className="url-actions">
              <CopiedStatus shown={copied === index} />
              {/* One QR button: the dialog lets you pick among several addresses, so its name stays unique. */}
              {index === 0 ? (
                <button type="button" className="btn btn-ghost btn-collapsible" aria-label="Show QR code" title="Show QR code" onClick={() => setQrOpen(true)}>
                  <QrIcon />
                  <span className="btn-collapsible-label">Show QR code</span>
                </button>
              ) : null}
              <button type="button" className="btn btn-ghost btn-collapsible" aria-label={`Copy LAN URL ${url}`} title="Copy" onClick={() => void copy(index)}>
                <CopyIcon />
                <span className="btn-collapsible-label">Copy</span>
              </button>
            </div>
          </div>
        ))
      ) : (
        <LanHint server={server} />
      )}
      <LanExposureWarning server={server} />
      <CertificateRow server={server} />
      {qrOpen && lanUrls.length > 0 ? <QrDialog server={server} onClose={() => setQrOpen(false)} /> : null}
    </section>
  );
}
