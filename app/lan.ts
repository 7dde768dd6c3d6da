/**
 * The addresses other devices on the local network can reach this machine at,
 * so a server bound to all interfaces can show a link (and a QR code) that
 * works from a phone.
 */
import os from 'node:os';

import type { LanAddress } from './contract';

/** The part of `os.networkInterfaces()` entries that we read. */
export interface InterfaceAddress {
  address: string;
  /** 'IPv4' | 'IPv6' since Node 18; 4 | 6 before (and in Node 18.0–18.3). */
  family: string | number;
  internal: boolean;
}

/** Interface name → its addresses, the shape `os.networkInterfaces()` returns. */
export type InterfaceTable = Record<string, readonly InterfaceAddress[] | undefined>;

// Adapters made by containers, VMs and VPNs. Their addresses are usually not
// reachable from a phone on the same Wi-Fi, so they go after the real ones
// (still listed: a VPN address can be exactly what a colleague needs).
const VIRTUAL_PREFIXES = [
  'docker',
  'veth',
  'br-',
  'virbr',
  'vmnet',
  'vboxnet',
  'utun',
  'tailscale',
  'zt',
  'wg',
  'tun',
  'tap',
  'ham',
  'vethernet',
  'virtualbox',
  'vmware',
];

/** An adapter made by a container, a VM or a VPN, by its name. */
export function isVirtual(name: string): boolean {
  const lower = name.toLowerCase();
  return VIRTUAL_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

function isIPv4(family: string | number): boolean {
  return family === 'IPv4' || family === 4;
}

/**
 * The machine's IPv4 addresses that another device on the LAN could use, each
 * with the adapter it is on (for a person: "Wi-Fi (en0)" vs "VPN (utun3)").
 *
 * Skips loopback/internal and link-local (169.254.x.x: self-assigned when DHCP
 * failed, not routable) addresses and all IPv6 (a phone's browser rarely
 * reaches a bracketed IPv6 URL, and the list would get long). Addresses on
 * virtual adapters (Docker, VMs, VPNs) come after real ones; otherwise the
 * operating system's order is kept. Each address appears once.
 *
 * @param interfaces defaults to `os.networkInterfaces()`; pass a table in tests.
 */
export function lanInterfaces(interfaces: InterfaceTable = os.networkInterfaces()): LanAddress[] {
  const real: LanAddress[] = [];
  const virtual: LanAddress[] = [];
  for (const [name, entries] of Object.entries(interfaces)) {
    const bucket = isVirtual(name) ? virtual : real;
    for (const entry of entries ?? []) {
      if (entry.internal || !isIPv4(entry.family)) continue;
      if (entry.address.startsWith('169.254.')) continue;
      bucket.push({ address: entry.address, interface: name, virtual: bucket === virtual });
    }
  }
  // The first sighting wins, so an address seen on a real adapter stays in
  // the real group even if a virtual one reports it too.
  const seen = new Set<string>();
  return [...real, ...virtual].filter(({ address }) => !seen.has(address) && Boolean(seen.add(address)));
}

/** The addresses of {@link lanInterfaces}, in the same order: what LAN URLs are made of. */
export function lanAddresses(interfaces: InterfaceTable = os.networkInterfaces()): string[] {
  return lanInterfaces(interfaces).map(({ address }) => address);
}

/** LAN addresses with their adapters, for addresses given without one (a test seam): each counts as real, its adapter unknown. */
export function unnamedAddresses(addresses: readonly string[]): LanAddress[] {
  return addresses.map((address) => ({ address, interface: '', virtual: false }));
}

/**
 * One URL per LAN address, e.g. `http://192.168.1.20:8080/`.
 *
 * @param addresses defaults to {@link lanAddresses}`()`.
 */
export function lanUrls(protocol: 'http' | 'https', port: number, addresses: readonly string[] = lanAddresses()): string[] {
  // IPv6 literals need brackets in a URL; lanAddresses() returns none, but a
  // caller may pass its own list.
  return addresses.map((address) => `${protocol}://${address.includes(':') ? `[${address}]` : address}:${port}/`);
}
