/**
 * The one server certificate for every server with HTTPS switched on, signed
 * by Pier's local certificate authority (local-ca.ts), so a browser or phone
 * that trusts that authority (`pier trust`) trusts every Pier server, and
 * kept on disk so it survives restarts and is shared by the app and the CLI.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { caDirIn, loadOrCreateCa, type LocalCa } from './local-ca';

/** PEM-encoded private key and certificate, ready for `https.createServer()`. */
export interface TlsMaterial {
  key: string;
  cert: string;
  /** The PEM certificate of the authority that signed `cert` (what phones download from `/.pier/ca.crt`). */
  ca?: string;
}

const CERT_FILE = 'pier-cert.pem';
const KEY_FILE = 'pier-key.pem';
const META_FILE = 'pier-cert.json';

const DAY_MS = 24 * 60 * 60 * 1000;
// Browsers (Apple's rules, followed by Chrome) reject server certificates
// valid for longer than 825 days.
const VALID_DAYS = 825;
// Renew this early so a running server never serves a certificate that
// expires mid-session, and the user isn't surprised by a warning next week.
const RENEW_BEFORE_DAYS = 30;
// Start validity a day early: a phone whose clock runs a little behind would
// otherwise see a "not yet valid" certificate for a freshly made one.
const BACKDATE_MS = DAY_MS;

/** What `pier-cert.json` holds: for deciding whether the files can be reused. */
interface CertMeta {
  /** LAN addresses in the SAN besides 127.0.0.1 and ::1, least recently asked for first. */
  addresses: string[];
  /** ISO date; informational, the certificate's own notAfter is what counts. */
  expires: string;
  /** SHA-256 fingerprint of the certificate the addresses belong to. */
  fingerprint256: string;
  /** SHA-256 fingerprint of the authority that signed it: a new authority means a new certificate. */
  caFingerprint256: string;
  /** Host names in the SAN besides localhost (the machine's name when it was made). */
  hostnames: string[];
}

interface Cached {
  /** LAN addresses the certificate covers (see {@link CertMeta.addresses}). */
  addresses: string[];
  hostnames: string[];
  caFingerprint256: string;
  material: TlsMaterial;
  expires: Date;
}

// A laptop that moves between networks collects addresses; past this many the
// least recently asked for are left out of the next certificate. Generous, so
// in practice every address a phone has seen stays covered.
const MAX_ADDRESSES = 32;

/**
 * Hands out one key and certificate, signed by Pier's local CA, for every
 * server: it covers `localhost`, the machine's host name, `127.0.0.1`, `::1`
 * and every LAN address asked for so far, so a local-only server and a LAN
 * server share it. It is stored in `dir` and re-made only when an address or
 * host name it does not cover is asked for (the new one covers the old
 * addresses too), when the CA is not the one that signed it, or when it nears
 * expiry. The price: the certificate names earlier LAN addresses of this
 * machine to whoever connects, which on a LAN they could see anyway.
 */
export class TlsStore {
  private readonly now: () => Date;
  private memory: Cached | null = null;
  private readonly pending = new Map<string, Promise<TlsMaterial>>();
  /** Addresses asked for and not yet in a certificate: one generation covers every waiting call. */
  private readonly asked = new Set<string>();
  // Disk work runs one call at a time, so two generations can't interleave
  // their writes and leave a cert and a key that don't match.
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param dir folder for `pier-cert.pem`, `pier-key.pem` and `pier-cert.json`;
   *   created when first needed.
   * @param options.now clock, for tests of expiry.
   */
  private readonly caDir: string;
  private readonly hostname: () => string;
  private readonly onNotice: (message: string) => void;

  /**
   * @param dir folder for `pier-cert.pem`, `pier-key.pem` and `pier-cert.json`
   *   (and, by default, the CA in `dir/ca`); created when first needed.
   * @param options.now clock, for tests of expiry.
   * @param options.caDir where the local CA lives; defaults to `dir/ca`, which
   *   is where `trustStatus(dataDir)` finds it when `dir` is `<dataDir>/tls`.
   * @param options.hostname the machine's name for the SAN; defaults to os.hostname().
   * @param options.onNotice told when a damaged CA was kept aside and replaced; defaults to stderr.
   */
  constructor(
    private readonly dir: string,
    options: { now?: () => Date; caDir?: string; hostname?: () => string; onNotice?: (message: string) => void } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.caDir = options.caDir ?? caDirIn(dir);
    this.hostname = options.hostname ?? os.hostname;
    this.onNotice = options.onNotice ?? ((message) => process.stderr.write(`pier: ${message}\n`));
  }

  /**
   * Key and certificate covering at least these LAN addresses (and the
   * loopback names). Generating takes a noticeable moment, so calls made
   * meanwhile share the one result.
   *
   * Rejects with a TypeError if an address is not an IP address (a caller bug).
   */
  material(addresses: readonly string[]): Promise<TlsMaterial> {
    let wanted: string[];
    try {
      wanted = normalize(addresses);
    } catch (error) {
      // Reject rather than throw, so callers handle one failure path.
      return Promise.reject(error);
    }
    const remembered = this.covering(wanted);
    if (remembered) return Promise.resolve(remembered);
    const id = wanted.join(',');
    const pending = this.pending.get(id);
    if (pending) return pending;

    for (const address of wanted) this.asked.add(address);
    const run = this.queue.then(() => this.loadOrCreate(wanted));
    // The caller sees a failure through `run`; the queue only has to go on.
    this.queue = run.catch(() => undefined);
    this.pending.set(id, run);
    const clear = () => this.pending.delete(id);
    run.then(clear, clear);
    return run;
  }

  /** The material in memory if it covers these addresses and is still fresh. */
  private covering(wanted: readonly string[]): TlsMaterial | null {
    return this.memory && this.usable(this.memory, wanted) ? this.memory.material : null;
  }

  private usable(cached: Cached, wanted: readonly string[], ca?: LocalCa): boolean {
    return (
      this.fresh(cached.expires) &&
      wanted.every((address) => cached.addresses.includes(address)) &&
      hostnamesFor(this.hostname()).every((name) => cached.hostnames.includes(name)) &&
      (ca === undefined || cached.caFingerprint256 === ca.fingerprint)
    );
  }

  private fresh(expires: Date): boolean {
    return expires.getTime() - this.now().getTime() > RENEW_BEFORE_DAYS * DAY_MS;
  }

  private async loadOrCreate(wanted: string[]): Promise<TlsMaterial> {
    // An earlier queued call may already have made what we need.
    const remembered = this.covering(wanted);
    if (remembered) return remembered;
    const { ca, notice } = await loadOrCreateCa(this.caDir, { now: this.now });
    if (notice) this.onNotice(notice);
    // Read the disk also when we hold one: the CLI shares the folder and may have stored one covering more.
    const stored = await this.readDisk(ca);
    if (stored && this.usable(stored, wanted, ca)) {
      this.memory = stored;
      return stored.material;
    }
    // Cover what the stored one did too: otherwise two servers (or two
    // networks) asking for different addresses would re-make it on every start.
    const others = [...(stored?.addresses ?? []), ...(this.memory?.addresses ?? []), ...this.asked];
    const addresses = newestLast(others, wanted);
    this.memory = await this.create(addresses, ca);
    for (const address of addresses) this.asked.delete(address);
    return this.memory.material;
  }

  /** The stored certificate if it is intact and signed by `ca` (fresh or not); else null. */
  private async readDisk(ca: LocalCa): Promise<Cached | null> {
    let key: string, cert: string, metaText: string;
    try {
      [key, cert, metaText] = await Promise.all(
        [KEY_FILE, CERT_FILE, META_FILE].map((file) => readFile(path.join(this.dir, file), 'utf8')),
      ) as [string, string, string];
    } catch {
      // Missing or unreadable: the files are derived data, a new pair replaces them.
      return null;
    }
    try {
      const meta = JSON.parse(metaText) as Partial<CertMeta>;
      if (!Array.isArray(meta.addresses) || !Array.isArray(meta.hostnames)) return null;
      const addresses = unique(meta.addresses);
      const hostnames = meta.hostnames.filter((name): name is string => typeof name === 'string');
      const x509 = new X509Certificate(cert);
      // The three files are renamed into place one by one; a crash between
      // renames must not pair a certificate with the wrong key or address list.
      if (x509.fingerprint256 !== meta.fingerprint256) return null;
      if (!x509.checkPrivateKey(createPrivateKey(key))) return null;
      // Made by an earlier CA (or an older, self-signed Pier): browsers that trust today's CA would refuse it.
      if (meta.caFingerprint256 !== ca.fingerprint || !x509.verify(new X509Certificate(ca.cert).publicKey)) return null;
      const expires = new Date(x509.validTo);
      if (Number.isNaN(expires.getTime())) return null;
      return { addresses, hostnames, caFingerprint256: ca.fingerprint, material: { key, cert, ca: ca.cert }, expires };
    } catch {
      // Corrupt PEM or JSON, or an address that is not one: same as missing, a new pair replaces it.
      return null;
    }
  }

  private async create(addresses: string[], ca: LocalCa): Promise<Cached> {
    const notBefore = new Date(this.now().getTime() - BACKDATE_MS);
    // Never past the CA's own end: a chain is only as valid as its shortest link.
    const notAfter = new Date(Math.min(notBefore.getTime() + VALID_DAYS * DAY_MS, ca.expires.getTime()));
    const hostnames = hostnamesFor(this.hostname());
    // Loaded on first use: it is the heaviest module Pier has, and most servers never need it.
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'Pier local server' }], {
      keyType: 'rsa',
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: notBefore,
      notAfterDate: notAfter,
      ca: { key: ca.key, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          // Browsers match only the SAN, never the CN, so every name a user
          // may type or scan has to be here.
          altNames: [
            ...['localhost', ...hostnames].map((value) => ({ type: 2 as const, value })),
            ...['127.0.0.1', '::1', ...addresses].map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    });
    const material: TlsMaterial = { key: pems.private, cert: pems.cert, ca: ca.cert };
    const x509 = new X509Certificate(pems.cert);
    const expires = new Date(x509.validTo);
    const meta: CertMeta = {
      addresses,
      hostnames,
      expires: expires.toISOString(),
      fingerprint256: x509.fingerprint256,
      caFingerprint256: ca.fingerprint,
    };
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeAtomic(path.join(this.dir, KEY_FILE), material.key, 0o600);
      await writeAtomic(path.join(this.dir, CERT_FILE), material.cert, 0o644);
      // Written last: until it names the new fingerprint, readDisk rejects the
      // files, so a half-finished write is never trusted.
      await writeAtomic(path.join(this.dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`, 0o644);
    } catch {
      // Storing is only a cache: HTTPS still works this session with the
      // material in memory; the next run generates again.
    }
    return { addresses, hostnames, caFingerprint256: ca.fingerprint, material, expires };
  }
}

/**
 * The DNS names for this machine: its host name as the OS reports it and,
 * for a bare name, `NAME.local` (how phones reach it over mDNS). Names that
 * are not valid DNS names (or are just "localhost") are left out.
 */
export function hostnamesFor(hostname: string): string[] {
  const name = hostname.trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name) || name.length > 253) return [];
  if (name === 'localhost' || isIP(name) !== 0) return [];
  return name.includes('.') ? [name] : [name, `${name}.local`];
}

/**
 * `others` then `wanted`, each address once and at its latest place, so the
 * list runs from least to most recently asked for; cut from the front to
 * {@link MAX_ADDRESSES}, never dropping one of `wanted`.
 */
function newestLast(others: readonly string[], wanted: readonly string[]): string[] {
  const all = unique([...others, ...wanted].reverse()).reverse();
  const keep = Math.max(MAX_ADDRESSES, wanted.length);
  const droppable = all.filter((address) => !wanted.includes(address));
  const drop = new Set(droppable.slice(0, Math.max(0, all.length - keep)));
  return all.filter((address) => !drop.has(address));
}

/**
 * LAN addresses to cover: unique, sorted (a stable key for calls made
 * meanwhile), without the loopback ones every certificate has anyway.
 * Throws on anything that is not an IP address.
 */
function normalize(addresses: readonly unknown[]): string[] {
  return unique(addresses).sort();
}

/** Each address once, in first-seen order, without 127.0.0.1 and ::1; throws on anything that is not an IP address. */
function unique(addresses: readonly unknown[]): string[] {
  for (const a of addresses) {
    if (typeof a !== 'string' || isIP(a) === 0) throw new TypeError(`Not an IP address: ${String(a)}`);
  }
  return [...new Set(addresses as string[])].filter((a) => a !== '127.0.0.1' && a !== '::1');
}

/** Write to a temp file in the same folder, then rename: readers see the old file or the new one, never half. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // `mode` applies when the file is created, so the key is never readable by others, not even briefly.
    await writeFile(temp, text, { mode, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
