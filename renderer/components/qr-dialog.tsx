import { useEffect, useState } from 'react';
import type { ServerState } from '../../app/contract';
import { pier } from '../pier';
import { ModalDialog } from './modal-dialog';

type QrImage = { index: number; src: string } | { index: number; error: string };

/** The LAN URL as a QR code, for a phone on the same network. */
export function QrDialog({ server, onClose }: { server: ServerState; onClose: () => void }) {
  const [index, setIndex] = useState(0);
  const [image, setImage] = useState<QrImage | null>(null);
  const urls = server.lanUrls;
  const url = urls[index] ?? urls[0] ?? '';

  useEffect(() => {
    let current = true;
    pier()
      .qrCode(server.id, index)
      .then(
        (result) => {
          if (!current) return;
          // Main sends SVG markup; as a data: image it can't run anything, and the CSP allows data: images.
          if (result.ok) setImage({ index, src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(result.value)}` });
          else setImage({ index, error: result.message });
        },
        (error: unknown) => current && setImage({ index, error: String(error) }),
      );
    return () => {
      current = false;
    };
  }, [server.id, index]);

  const shown = image?.index === index ? image : null;
  return (
    <ModalDialog labelledBy="qr-title" describedBy="qr-hint" onClose={onClose} className="dialog-qr">
      <h2 id="qr-title">Open on your phone</h2>
      <div className="qr-frame">
        {shown && 'src' in shown ? (
          <img src={shown.src} alt={`QR code for ${url}`} width={208} height={208} />
        ) : shown ? (
          <p className="qr-error">{shown.error}</p>
        ) : (
          <span className="qr-loading" aria-label="Loading the QR code" role="img" />
        )}
      </div>
      <p className="qr-url mono">{url}</p>
      <p className="qr-hint" id="qr-hint">
        Scan with your phone's camera. Your phone has to be on the same network.
      </p>
      {urls.length > 1 ? (
        <div className="segmented qr-choice" role="group" aria-label="Network address">
          {urls.map((u, i) => (
            <button key={u} type="button" aria-pressed={i === index} onClick={() => setIndex(i)}>
              {new URL(u).hostname}
            </button>
          ))}
        </div>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
