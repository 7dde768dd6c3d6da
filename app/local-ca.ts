/**
 * Pier's local certificate authority, made once per user (the mkcert model):
 * its key never leaves Pier's data folder, and the server certificates it
 * signs are trusted wherever the user chose to trust it (`pier trust`).
 *
 * Layout: `<tls dir>/ca/` (0700) holding `ca-key.pem` (0600) and
 * `ca-cert.pem`. The folder appears in one rename of a finished temp folder,
 * so readers see either no CA or a complete one, and when the CLI and the
 * app create it at the same moment one rename wins and both use its CA.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A loaded authority: what signs certificates and what trust stores receive. */
export interface LocalCa {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8). Never sent anywhere. */
  key: string;
  /** Path of `ca-cert.pem`. */
  certPath: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex (as browsers show it). */
  fingerprint: string;
  /** The certificate's subject common name, e.g. "Pier local CA (ann@laptop)". */
  name: string;
  expires: Date;
}

/** A CA and, when something unusual happened on the way, one sentence for the user. */
export interface LoadedCa {
  ca: LocalCa;
  /** Set when a damaged or expiring CA was kept aside and a new one made. */
  notice: string | null;
}

export const CA_DIR = 'ca';
export const CA_CERT_FILE = 'ca-cert.pem';
export const CA_KEY_FILE = 'ca-key.pem';

const DAY_MS = 24 * 60 * 60 * 1000;
/** mkcert's lifetime for its CA. Browsers put no ceiling on roots the user installed. */
const CA_VALID_YEARS = 10;
/** A CA this close to its end is replaced: leaves it signs could not outlive it by much. */
const CA_RENEW_BEFORE_DAYS = 60;

/** The CA folder inside Pier's TLS folder (`<data dir>/tls`). */
export function caDirIn(tlsDir: string): string {
  return path.join(tlsDir, CA_DIR);
}

/** Pier's TLS folder inside its data folder (`pierDataDir()` / the engine's `userDataDir`). */
export function tlsDirIn(dataDir: string): string {
  return path.join(dataDir, 'tls');
}

export interface CaOptions {
  now?: () => Date;
}

/**
 * The CA in `caDir`, made if there is none. A damaged one (unreadable PEM,
 * a key that does not match, a half-deleted folder) or one near its end is
 * renamed aside, never overwritten, and a new one made; `notice` says so.
 * Safe to call from several processes at once: they end up with one CA.
 */
export async function loadOrCreateCa(caDir: string, options: CaOptions = {}): Promise<LoadedCa> {
  const now = options.now ?? (() => new Date());
  let notice: string | null = null;
  // A few rounds at most: each one either returns or moves a bad CA aside.
  for (let round = 0; round < 4; round++) {
    const found = await readCa(caDir);
    if (found.state === 'ok' && found.ca.expires.getTime() - now().getTime() > CA_RENEW_BEFORE_DAYS * DAY_MS) {
      return { ca: found.ca, notice };
    }
    if (found.state === 'missing') {
      const made = await createCa(caDir, now());
      if (made) return { ca: made, notice };
      continue; // another process won the rename: read its CA
    }
    const why = found.state === 'ok' ? 'was about to expire' : `was damaged (${found.reason})`;
    const aside = await keepAside(caDir, found.state === 'ok' ? 'expired' : 'corrupt');
    if (aside) {
      notice =
        `Pier's local certificate authority in ${caDir} ${why}; it was kept as ${aside} and a new one was made. ` +
        'Run `pier trust` again so browsers trust the new one.';
    }
  }
  throw new Error(`Pier could not create its local certificate authority in ${caDir}.`);
}

type ReadResult = { state: 'ok'; ca: LocalCa } | { state: 'missing' } | { state: 'bad'; reason: string };

/** The CA in `caDir` without creating one. */
export async function readCa(caDir: string): Promise<ReadResult> {
  const certPath = path.join(caDir, CA_CERT_FILE);
  let cert: string, key: string;
  try {
    cert = await readFile(certPath, 'utf8');
  } catch (error) {
    // A file where the folder should be: damaged, like any other mess in its place.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return { state: 'bad', reason: `${caDir} is not a folder` };
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // No certificate but a folder: a half-removed CA; no folder at all: none yet.
    return (await exists(caDir)) ? { state: 'bad', reason: `${CA_CERT_FILE} is missing` } : { state: 'missing' };
  }
  try {
    key = await readFile(path.join(caDir, CA_KEY_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { state: 'bad', reason: `${CA_KEY_FILE} is missing` };
  }
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.ca) return { state: 'bad', reason: 'the certificate is not a CA' };
    if (!x509.checkPrivateKey(createPrivateKey(key))) return { state: 'bad', reason: 'the key does not match the certificate' };
    const expires = new Date(x509.validTo);
    if (Number.isNaN(expires.getTime())) return { state: 'bad', reason: 'the certificate has no valid end date' };
    const name = /(?:^|\n)CN=(.*)/.exec(x509.subject)?.[1] ?? 'Pier local CA';
    return { state: 'ok', ca: { cert, key, certPath, fingerprint: x509.fingerprint256, name, expires } };
  } catch (error) {
    return { state: 'bad', reason: `unreadable: ${(error as Error).message}` };
  }
}

/** "Pier local CA (ann@laptop)": who and where, so a user looking at a trust store knows which one is which. */
export function caCommonName(): string {
  let user = 'user';
  try {
    user = os.userInfo().username || user;
  } catch {
    // No passwd entry (some containers): the host name alone still says where it came from.
  }
  return `Pier local CA (${user}@${os.hostname()})`;
}

/**
 * Make a CA in a private temp folder beside `caDir`, then rename the folder
 * into place. The rename is the exclusive step: it fails when `caDir` exists
 * and is not empty, i.e. when another process was quicker. Resolves with the
 * new CA, or null when it lost that race.
 */
async function createCa(caDir: string, now: Date): Promise<LocalCa | null> {
  const parent = path.dirname(caDir);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  // mkdtemp makes the folder 0700: the key inside is never readable by others.
  const temp = await mkdtemp(path.join(parent, '.ca-new-'));
  try {
    const notBefore = new Date(now.getTime() - DAY_MS);
    const notAfter = new Date(notBefore);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALID_YEARS);
    const name = caCommonName();
    // Loaded on first use: the heaviest module Pier has.
    const { generate } = await import('selfsigned');
    const pems = await generate(
      [
        { name: 'commonName', value: name },
        { name: 'organizationName', value: 'Pier local CA' },
      ],
      {
        // RSA 3072 as mkcert: every phone and browser accepts it as a root.
        keyType: 'rsa',
        keySize: 3072,
        algorithm: 'sha256',
        notBeforeDate: notBefore,
        notAfterDate: notAfter,
        extensions: [
          // pathLen 0: it signs server certificates only, never another CA.
          { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ],
      },
    );
    await writeFile(path.join(temp, CA_KEY_FILE), pems.private, { mode: 0o600, flag: 'wx' });
    await writeFile(path.join(temp, CA_CERT_FILE), pems.cert, { mode: 0o644, flag: 'wx' });
    try {
      await rename(temp, caDir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Linux says ENOTEMPTY or EEXIST, Windows EPERM or EACCES: someone else's CA is in place.
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM' || code === 'EACCES') return null;
      throw error;
    }
    await chmod(caDir, 0o700).catch(() => undefined); // already 0700 from mkdtemp; Windows ignores modes
    const x509 = new X509Certificate(pems.cert);
    return {
      cert: pems.cert,
      key: pems.private,
      certPath: path.join(caDir, CA_CERT_FILE),
      fingerprint: x509.fingerprint256,
      name,
      expires: new Date(x509.validTo),
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Rename the CA folder to `ca.<kind>-<time>` so nothing is lost. Resolves with
 * the new name, or null when the folder was gone already (another process
 * moved it). If what was moved turns out to be a good CA (another process
 * replaced the bad one between our read and our rename), it goes back.
 */
async function keepAside(caDir: string, kind: string): Promise<string | null> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const aside = `${caDir}.${kind}-${stamp}-${process.pid}`;
  try {
    await rename(caDir, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (kind === 'corrupt' && (await readCa(aside)).state === 'ok') {
    // Not the one we judged: put it back (fails harmlessly if yet another one is in place).
    await rename(aside, caDir).catch(() => undefined);
    return null;
  }
  return aside;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
