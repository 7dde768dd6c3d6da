import { useEffect, useState } from 'react';
import type { LanAddress } from '../../app/contract';
import { pier } from '../pier';

function adapterLabel(entry: LanAddress): string {
  const kind = entry.virtual ? 'VPN / virtual' : 'Wi-Fi / Ethernet';
  return entry.interface ? `${kind} (${entry.interface})` : 'Network adapter';
}

/** The addresses this computer has, real adapters first, each with what it is. */
function Addresses() {
  const [addresses, setAddresses] = useState<LanAddress[] | null>(null);
  useEffect(() => {
    let current = true;
    pier()
      .networkAddresses()
      .then(
        (list) => current && setAddresses(list),
        () => current && setAddresses([]),
      );
    return () => {
      current = false;
    };
  }, []);
  if (addresses === null) return null;
  if (addresses.length === 0) return <p>Pier sees no network address on this computer: connect to Wi-Fi or Ethernet.</p>;
  return (
    <ul className="phone-addresses" aria-label="Addresses Pier sees">
      {addresses.map((entry) => (
        <li key={entry.address} className={entry.virtual ? 'is-virtual' : undefined}>
          <span>{adapterLabel(entry)}</span>
          <span className="mono">{entry.address}</span>
        </li>
      ))}
    </ul>
  );
}

/** "Can't open it on your phone?": the usual reasons, in the order they happen. */
export function PhoneHelp({ port }: { port: number | null }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="phone-help" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Can’t open it on your phone?</summary>
      <div className="phone-help-body">
        <ul className="phone-reasons">
          <li>
            <strong>Same network.</strong> The phone has to be on the same Wi-Fi as this computer, not on mobile data.
          </li>
          <li>
            <strong>Firewall.</strong> Windows: allow Pier on Private networks when Windows Defender Firewall asks, or in Settings → Privacy &amp;
            security → Windows Security → Firewall → Allow an app. macOS: System Settings → Network → Firewall → Options → allow Pier.
            {port ? ` Linux with ufw: sudo ufw allow ${port}/tcp.` : null}
          </li>
          <li>
            <strong>Guest or office Wi-Fi.</strong> Guest networks and some office networks keep devices from reaching each other; try another
            network or your phone’s hotspot.
          </li>
          <li>
            <strong>VPN.</strong> A VPN on this computer or on the phone can send the traffic elsewhere; pause it, or use the address of the
            Wi-Fi or Ethernet adapter.
          </li>
        </ul>
        <p className="phone-addresses-title">Addresses Pier sees on this computer</p>
        {open ? <Addresses /> : null}
      </div>
    </details>
  );
}
