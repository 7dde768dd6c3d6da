/**
 * Where Pier's local certificate authority is trusted, and changing that,
 * through each platform's own tools (the mkcert model): by default only the
 * user's own stores (NSS databases on Linux, the login keychain on macOS, the
 * current user's Root store on Windows); the machine-wide store only when
 * asked for with `system: true`, which needs administrator rights.
 *
 * Every tool runs through execFile (no shell) with a timeout. A store is
 * recognised by a name derived from the CA's fingerprint, so uninstalling
 * removes exactly the entry that installing added, and a different CA (made
 * after a damaged one was kept aside) never counts as trusted.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { TrustOutcome, TrustStatus, TrustStoreState } from './contract';
import { caDirIn, loadOrCreateCa, tlsDirIn, type LocalCa } from './local-ca';

/** A Linux machine-wide store: a folder of PEM files and the command that rebuilds the bundle. */
export interface LinuxSystemStore {
  /** e.g. "/usr/local/share/ca-certificates". */
  dir: string;
  /** File name extension the update tool picks up. */
  ext: string;
  /** e.g. ["update-ca-certificates"]. */
  update: readonly string[];
  /** For messages: the package or distribution family. */
  family: string;
}

/** Debian/Ubuntu first, then Fedora/RHEL; the first whose folder exists is used. */
export const LINUX_SYSTEM_STORES: readonly LinuxSystemStore[] = [
  { dir: '/usr/local/share/ca-certificates', ext: '.crt', update: ['update-ca-certificates'], family: 'Debian' },
  { dir: '/etc/pki/ca-trust/source/anchors', ext: '.pem', update: ['update-ca-trust', 'extract'], family: 'Fedora' },
];

/** Where to look; defaults are this user's real ones. Tests pass temp folders. */
export interface TrustOptions {
  /** The user's home folder (default os.homedir()). */
  home?: string;
  platform?: NodeJS.Platform;
  /** Linux machine-wide stores to consider (default {@link LINUX_SYSTEM_STORES}). */
  linuxSystemStores?: readonly LinuxSystemStore[];
  /** Whether this process has administrator rights (default: uid 0 on Unix). */
  admin?: boolean;
  /**
   * Without administrator rights, the Linux machine store is changed through
   * this command (default "sudo", which asks for the password on the
   * terminal); null: no such command, the store is unavailable.
   */
  sudo?: string | null;
}

/** An expected failure of one store, with a message for people. */
class StoreError extends Error {}

/** One store Pier can inspect and change. */
interface Store {
  id: string;
  label: string;
  system: boolean;
  /** Null when usable; else why not and what to do. */
  unavailable(): Promise<string | null>;
  has(): Promise<boolean>;
  add(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Pier's CA (created if missing) and, for each store on this platform,
 * whether it trusts it. Reading never changes a store.
 */
export async function trustStatus(dataDir: string, options: TrustOptions = {}): Promise<TrustStatus> {
  const ca = await caOf(dataDir);
  return statusOf(ca, await storesFor(ca, options));
}

/**
 * Trust Pier's CA in the user's stores, and with `system: true` also in the
 * machine's. Stores already trusting it are left alone. Never throws for a
 * store that could not be changed: its line in `changes` says why.
 */
export async function installTrust(dataDir: string, flags: { system: boolean }, options: TrustOptions = {}): Promise<TrustOutcome> {
  return change(dataDir, flags, options, 'install');
}

/** Remove exactly the entries {@link installTrust} adds (user stores; with `system: true` the machine's too). */
export async function uninstallTrust(dataDir: string, flags: { system: boolean }, options: TrustOptions = {}): Promise<TrustOutcome> {
  return change(dataDir, flags, options, 'uninstall');
}

async function change(
  dataDir: string,
  flags: { system: boolean },
  options: TrustOptions,
  action: 'install' | 'uninstall',
): Promise<TrustOutcome> {
  const ca = await caOf(dataDir);
  const stores = await storesFor(ca, options);
  const changes: TrustOutcome['changes'] = [];
  // One store at a time: tools like the keychain ask the user, one question at a time.
  for (const store of stores) {
    if (store.system && !flags.system) continue;
    const line = (ok: boolean, message: string) => changes.push({ id: store.id, ok, message });
    try {
      const why = await store.unavailable();
      if (why) {
        line(false, `${store.label}: ${why}`);
        continue;
      }
      const present = await store.has();
      if (action === 'install') {
        if (present) line(true, `Already trusted by ${store.label}.`);
        else {
          await store.add();
          line(true, `Added to ${store.label}.`);
        }
      } else if (!present) line(true, `Not in ${store.label}; nothing to remove.`);
      else {
        await store.remove();
        line(true, `Removed from ${store.label}.`);
      }
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      line(false, `${store.label}: ${error.message}`);
    }
  }
  return { status: await statusOf(ca, stores), changes };
}

async function caOf(dataDir: string): Promise<LocalCa> {
  const { ca, notice } = await loadOrCreateCa(caDirIn(tlsDirIn(dataDir)));
  if (notice) process.stderr.write(`pier: ${notice}\n`);
  return ca;
}

async function statusOf(ca: LocalCa, stores: readonly Store[]): Promise<TrustStatus> {
  const states: TrustStoreState[] = [];
  for (const store of stores) {
    const unavailable = await store.unavailable();
    let trusted = false;
    if (!unavailable) {
      try {
        trusted = await store.has();
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        states.push({ id: store.id, label: store.label, trusted: false, unavailable: error.message, system: store.system });
        continue;
      }
    }
    states.push({ id: store.id, label: store.label, trusted, unavailable, system: store.system });
  }
  return { certPath: ca.certPath, fingerprint: ca.fingerprint, expires: ca.expires.toISOString(), stores: states };
}

/**
 * The name of this CA's entry in a store: its common name plus the start of
 * its fingerprint, so two CAs (an old one kept aside, the new one) never share one.
 */
export function storeNickname(ca: LocalCa): string {
  return `${ca.name} ${ca.fingerprint.replace(/:/g, '').slice(0, 8)}`;
}

async function storesFor(ca: LocalCa, options: TrustOptions): Promise<Store[]> {
  const platform = options.platform ?? process.platform;
  const home = options.home ?? os.homedir();
  if (platform === 'linux') return linuxStores(ca, home, options);
  if (platform === 'darwin') return macStores(ca, home);
  if (platform === 'win32') return windowsStores(ca);
  return [];
}

// ---------------------------------------------------------------- tools

/** Seconds a tool may take. Keychain, UAC and sudo prompts wait for a person. */
const QUICK_MS = 20_000;
const PROMPT_MS = 180_000;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a tool without a shell. A missing tool rejects with `missing` as a StoreError; a non-zero exit resolves. */
function run(file: string, args: readonly string[], missing: string, timeoutMs = QUICK_MS, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new StoreError(missing));
      if (error && error.killed) return reject(new StoreError(`${file} did not finish within ${Math.round(timeoutMs / 1000)} s.`));
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.on('error', () => {
      // The tool exited before reading its input; its exit code says what went wrong.
    });
    child.stdin?.end(input ?? '');
  });
}

function failed(what: string, result: RunResult): StoreError {
  const detail = (result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ');
  return new StoreError(`${what} failed${detail ? `: ${detail}` : ` (exit code ${result.code})`}.`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    // ENOENT or no permission to see it: either way not something Pier can use.
    return false;
  }
}

// ---------------------------------------------------------------- Linux

function certutilMissing(): string {
  return 'Install libnss3-tools (it provides certutil): sudo apt install libnss3-tools (Fedora: sudo dnf install nss-tools).';
}

function tilde(home: string, file: string): string {
  return file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
}

/** Null when certutil runs; else what to install. Asked once per `certutilChecker()`. */
function certutilChecker(): () => Promise<string | null> {
  let answer: Promise<string | null> | null = null;
  return () =>
    (answer ??= run('certutil', ['-H'], certutilMissing()).then(
      // certutil -H prints its help and exits non-zero; what matters is that it runs.
      () => null,
      (error: unknown) => {
        if (error instanceof StoreError) return error.message;
        throw error;
      },
    ));
}

/** An NSS database (Chromium's shared one, or a Firefox profile) through certutil. */
function nssStore(ca: LocalCa, dir: string, id: string, label: string, createIfMissing: boolean, certutilCheck: () => Promise<string | null>): Store {
  const db = `sql:${dir}`;
  const nick = storeNickname(ca);
  return {
    id,
    label,
    system: false,
    unavailable: certutilCheck,
    has: async () => {
      if (!(await exists(path.join(dir, 'cert9.db')))) return false;
      const result = await run('certutil', ['-L', '-d', db, '-n', nick], certutilMissing());
      if (result.code === 0) return true;
      if (/could not find cert/i.test(result.stderr + result.stdout)) return false;
      throw failed('Reading the database', result);
    },
    add: async () => {
      if (!(await exists(path.join(dir, 'cert9.db')))) {
        if (!createIfMissing) throw new StoreError('the profile has no certificate database.');
        // Chromium reads ~/.pki/nssdb but creates it only on some systems: make it, as Chromium would.
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const created = await run('certutil', ['-N', '-d', db, '--empty-password'], certutilMissing());
        if (created.code !== 0) throw failed('Creating the database', created);
      }
      // C,, : a trusted CA for TLS servers only (not for e-mail or code signing).
      const added = await run('certutil', ['-A', '-d', db, '-t', 'C,,', '-n', nick, '-i', ca.certPath], certutilMissing());
      if (added.code !== 0) throw failed('Adding the certificate', added);
    },
    remove: async () => {
      const removed = await run('certutil', ['-D', '-d', db, '-n', nick], certutilMissing());
      if (removed.code !== 0) throw failed('Removing the certificate', removed);
    },
  };
}

/** Firefox profiles with an NSS database, in the usual, snap and flatpak locations. */
async function firefoxProfiles(home: string): Promise<{ dir: string; label: string }[]> {
  const roots = [
    { dir: path.join(home, '.mozilla', 'firefox'), kind: 'Firefox' },
    { dir: path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'), kind: 'Firefox (snap)' },
    { dir: path.join(home, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox'), kind: 'Firefox (flatpak)' },
  ];
  const found: { dir: string; label: string }[] = [];
  for (const root of roots) {
    let names: string[];
    try {
      names = await readdir(root.dir);
    } catch {
      // No Firefox of this kind for this user.
      continue;
    }
    for (const name of names.sort()) {
      const dir = path.join(root.dir, name);
      if (await exists(path.join(dir, 'cert9.db'))) {
        found.push({ dir, label: `${root.kind}, profile ${name.replace(/^[a-z0-9]{8}\./, '')} (${tilde(home, dir)})` });
      }
    }
  }
  return found;
}

async function linuxStores(ca: LocalCa, home: string, options: TrustOptions): Promise<Store[]> {
  const shared = path.join(home, '.pki', 'nssdb');
  const certutilCheck = certutilChecker();
  const stores: Store[] = [
    nssStore(ca, shared, `nss:${shared}`, `Chromium and Chrome (NSS database ${tilde(home, shared)})`, true, certutilCheck),
  ];
  for (const profile of await firefoxProfiles(home)) {
    stores.push(nssStore(ca, profile.dir, `firefox:${profile.dir}`, profile.label, false, certutilCheck));
  }
  for (const layout of options.linuxSystemStores ?? LINUX_SYSTEM_STORES) {
    if (await exists(layout.dir)) {
      const admin = options.admin ?? process.getuid?.() === 0;
      const sudo = admin ? null : options.sudo === undefined ? 'sudo' : options.sudo;
      stores.push(linuxSystemStore(ca, layout, admin, sudo));
      break;
    }
  }
  return stores;
}

/**
 * This CA's file in a Linux system folder, named by fingerprint so removal
 * takes exactly it. Without administrator rights the file and the update go
 * through `sudo` (as mkcert does): running all of Pier as root would use
 * root's data folder, and so root's CA, not this user's.
 */
function linuxSystemStore(ca: LocalCa, layout: LinuxSystemStore, admin: boolean, sudo: string | null): Store {
  const file = path.join(layout.dir, `pier-local-ca-${ca.fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase()}${layout.ext}`);
  const noSudo = 'Needs administrator rights: run `pier trust --system` as an administrator (sudo was not found).';
  /** Run a tool as administrator: directly when we are one, else through sudo (which may ask for the password). */
  const privileged = async (tool: string, args: readonly string[], what: string) => {
    const result =
      admin || !sudo
        ? await run(tool, args, `${tool} is missing; it comes with the ca-certificates package.`, PROMPT_MS)
        : await run(sudo, ['--', tool, ...args], noSudo, PROMPT_MS);
    if (result.code !== 0) throw failed(what, result);
  };
  const [updateTool, ...updateArgs] = layout.update as [string, ...string[]];
  return {
    id: 'system',
    label: `this computer's certificate store (${file}, for every user and most programs${admin ? '' : '; sudo asks for your password'})`,
    system: true,
    unavailable: async () => {
      if (admin) return null;
      if (!sudo) return noSudo;
      try {
        await run(sudo, ['-V'], noSudo);
        return null;
      } catch (error) {
        if (error instanceof StoreError) return error.message;
        throw error;
      }
    },
    has: async () => {
      try {
        return new X509Certificate(await readFile(file)).fingerprint256 === ca.fingerprint;
      } catch {
        // Missing or not a certificate: this CA is not in the store.
        return false;
      }
    },
    add: async () => {
      if (admin) {
        try {
          await writeFile(file, ca.cert, { mode: 0o644 });
          await chmod(file, 0o644);
        } catch (error) {
          throw new StoreError(`writing ${file} failed: ${(error as Error).message}`);
        }
      } else {
        await privileged('install', ['-m', '0644', ca.certPath, file], `Copying the certificate to ${file}`);
      }
      await privileged(updateTool, updateArgs, updateTool);
    },
    remove: async () => {
      if (admin) await rm(file, { force: true });
      else await privileged('rm', ['-f', '--', file], `Removing ${file}`);
      await privileged(updateTool, updateArgs, updateTool);
    },
  };
}

// ---------------------------------------------------------------- macOS

function macStores(ca: LocalCa, home: string): Store[] {
  const sha1 = new X509Certificate(ca.cert).fingerprint.replace(/:/g, '');
  const missing = 'The `security` tool is missing; it is part of macOS.';
  const keychain = (file: string, system: boolean): Store => ({
    id: system ? 'system' : 'keychain:login',
    label: system ? 'the System keychain (every user of this Mac)' : 'your login keychain (Safari, Chrome, Edge)',
    system,
    unavailable: async () => null,
    has: async () => {
      const result = await run('security', ['find-certificate', '-a', '-Z', '-c', ca.name, file], missing);
      return result.code === 0 && result.stdout.toUpperCase().includes(sha1);
    },
    add: async () => {
      // The system asks for the user's (or an administrator's) password: a person is waiting.
      const args = ['add-trusted-cert', ...(system ? ['-d'] : []), '-r', 'trustRoot', '-k', file, ca.certPath];
      const result = await run('security', args, missing, PROMPT_MS);
      if (result.code !== 0) throw failed('security add-trusted-cert', result);
    },
    remove: async () => {
      const result = await run('security', ['delete-certificate', '-t', '-Z', sha1, file], missing, PROMPT_MS);
      if (result.code !== 0) throw failed('security delete-certificate', result);
    },
  });
  return [
    keychain(path.join(home, 'Library', 'Keychains', 'login.keychain-db'), false),
    keychain('/Library/Keychains/System.keychain', true),
  ];
}

// ---------------------------------------------------------------- Windows

function windowsStores(ca: LocalCa): Store[] {
  const sha1 = new X509Certificate(ca.cert).fingerprint.replace(/:/g, '');
  const missing = 'certutil.exe is missing; it is part of Windows.';
  const root = (system: boolean): Store => {
    const scope = system ? [] : ['-user'];
    return {
      id: system ? 'system' : 'windows:user-root',
      label: system ? "this computer's Trusted Root store (every user)" : 'your Trusted Root store (Edge, Chrome)',
      system,
      unavailable: async () => null,
      has: async () => (await run('certutil', [...scope, '-store', 'Root', sha1], missing)).code === 0,
      add: async () => {
        // Windows shows a confirmation dialog for the user's Root store: a person is waiting.
        const result = await run('certutil', [...scope, '-addstore', 'Root', ca.certPath], missing, PROMPT_MS);
        if (result.code !== 0) throw failed('certutil -addstore', result);
      },
      remove: async () => {
        const result = await run('certutil', [...scope, '-delstore', 'Root', sha1], missing, PROMPT_MS);
        if (result.code !== 0) throw failed('certutil -delstore', result);
      },
    };
  };
  return [root(false), root(true)];
}
