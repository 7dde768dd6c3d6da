import { useEffect, useState } from 'react';
import type { QrImage, Result, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { ModalDialog } from './modal-dialog';
import { PhoneHelp } from './phone-help';

type Shown = { key: string; src: string; url: string } | { key: string; error: string };

/** A QR code main drew (SVG markup) for one of the server's own URLs; `load` is called again when `loadKey` changes. */
function QrCode({ loadKey, load }: { loadKey: string; load: () => Promise<Result<QrImage>> }) {
  const [image, setImage] = useState<Shown | null>(null);
  useEffect(() => {
    let current = true;
    load().then(
      (result) => {
        if (!current) return;
        // As a data: image the SVG can't run anything, and the CSP allows data: images.
        if (result.ok) setImage({ key: loadKey, url: result.value.url, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(result.value.svg)}` });
        else setImage({ key: loadKey, error: result.message });
      },
      (error: unknown) => current && setImage({ key: loadKey, error: String(error) }),
    );
    return () => {
      current = false;
    };
    // `load` is a new function every render; what it loads is named by loadKey.
  }, [loadKey]);
  const shown = image?.key === loadKey ? image : null;
  return (
    <div className="qr-frame">
      {shown && 'src' in shown ? (
        // Named by the URL main put in it.
        <img src={shown.src} alt={`QR code for ${shown.url}`} width={208} height={208} />
      ) : shown ? (
        <p className="qr-error">{shown.error}</p>
      ) : (
        <span className="qr-loading" aria-label="Loading the QR code" role="img" />
      )}
    </div>
  );
}

/** About what fits side by side as buttons in the narrowest dialog (two IPv4 addresses); longer lists get a menu. */
const PICKER_CHARACTERS = 30;

/**
 * Open the server on a phone: the LAN URL as a QR code and, for an HTTPS
 * server, a second one for the page that installs Pier's certificate on the
 * phone; below, what to check when the phone can't reach it.
 */
export function QrDialog({ server, onClose }: { server: ServerState; onClose: () => void }) {
  const [index, setIndex] = useState(0);
  const urls = server.lanUrls;
  const url = urls[index] ?? urls[0] ?? '';
  const https = server.config.https;
  const hostnames = urls.map((u) => new URL(u).hostname);
  // Built the same way main builds it, for the caption; the QR code holds main's own.
  const trustUrl = url ? `http://${new URL(url).host}/.pier/trust` : '';

  const siteQr = (
    <QrCode
      loadKey={`site ${server.id} ${index}`}
      load={async () => {
        const result = await pier().qrCode(server.id, index);
        return result.ok ? { ok: true, value: { url, svg: result.value } } : result;
      }}
    />
  );

  return (
    <ModalDialog labelledBy="qr-title" describedBy="qr-hint" onClose={onClose} className={https ? 'dialog-qr dialog-qr-two' : 'dialog-qr'}>
      <h2 id="qr-title">Open on your phone</h2>
      {https ? (
        <div className="qr-pair">
          <section className="qr-panel" aria-labelledby="qr-trust-title">
            <h3 id="qr-trust-title" className="qr-step">
              <span className="qr-step-number">1</span>Trust on your phone
            </h3>
            <QrCode loadKey={`trust ${server.id} ${index}`} load={() => pier().trustQrCode(server.id, index)} />
            <p className="qr-url mono">
              {/* Breaks before the path, not inside a word, where the column is narrow. */}
              {trustUrl.replace(/\/\.pier\/trust$/, '')}
              <wbr />
              /.pier/trust
            </p>
            <p className="qr-hint">Plain HTTP on purpose: the phone can’t check Pier’s certificate yet. The page has it, with the steps for iPhone and Android.</p>
          </section>
          <section className="qr-panel" aria-labelledby="qr-site-title">
            <h3 id="qr-site-title" className="qr-step">
              <span className="qr-step-number">2</span>Open the site
            </h3>
            {siteQr}
            <p className="qr-url mono">{url}</p>
            <p className="qr-hint" id="qr-hint">
              Scan with your phone’s camera. Your phone has to be on the same network.
            </p>
          </section>
        </div>
      ) : (
        <>
          {siteQr}
          <p className="qr-url mono">{url}</p>
          <p className="qr-hint" id="qr-hint">
            Scan with your phone's camera. Your phone has to be on the same network.
          </p>
        </>
      )}
      {urls.length > 3 || hostnames.join('').length > PICKER_CHARACTERS ? (
        // Many adapters (Docker, VPNs) or long (IPv6) addresses: a menu, which never outgrows the dialog.
        <select className="select qr-select" aria-label="Network address" value={index} onChange={(event) => setIndex(Number(event.target.value))}>
          {urls.map((u, i) => (
            <option key={u} value={i}>
              {hostnames[i]}
            </option>
          ))}
        </select>
      ) : urls.length > 1 ? (
        <div className="segmented qr-choice" role="group" aria-label="Network address">
          {urls.map((u, i) => (
            <button key={u} type="button" aria-pressed={i === index} onClick={() => setIndex(i)}>
              {hostnames[i]}
            </button>
          ))}
        </div>
      ) : null}
      <PhoneHelp port={server.port} />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
