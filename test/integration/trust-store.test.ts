/**
 * trust-store.ts against real NSS databases (certutil) in a temp HOME, and a
 * stand-in machine-wide store (a temp folder and a recording update command)
 * passed as options, so this machine's real stores are never touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { loadOrCreateCa } from '../../app/local-ca';
import { installTrust, trustStatus, uninstallTrust, type LinuxSystemStore, type TrustOptions } from '../../app/trust-store';

const haveCertutil = existsSync('/usr/bin/certutil');

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pier-trust-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function nicknames(dbDir: string): string[] {
  const out = execFileSync('certutil', ['-L', '-d', `sql:${dbDir}`], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.startsWith('Pier local CA')).map((line) => line.replace(/\s+C,,\s*$/, ''));
}

/** A temp HOME with two Firefox profiles (one snap), one folder that is no profile, and a stand-in system store. */
async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const base = await tempDir(t);
  const home = path.join(base, 'home');
  const dataDir = path.join(home, '.config', 'Pier');
  const firefox = path.join(home, '.mozilla', 'firefox', 'abcd1234.default-release');
  const snap = path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox', 'wxyz9876.default');
  for (const profile of [firefox, snap]) {
    await mkdir(profile, { recursive: true });
    execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
  }
  await mkdir(path.join(home, '.mozilla', 'firefox', 'Crash Reports'), { recursive: true });
  const systemDir = path.join(base, 'system-ca');
  await mkdir(systemDir);
  await writeFile(path.join(systemDir, 'someone-else.crt'), 'not ours');
  const updates = path.join(base, 'updates.log');
  const system: LinuxSystemStore = { dir: systemDir, ext: '.crt', update: ['sh', '-c', `echo ran >> '${updates}'`], family: 'Debian' };
  const options: TrustOptions = { home, platform: 'linux', linuxSystemStores: [system], admin: true };
  const updateCount = async () => (existsSync(updates) ? (await readFile(updates, 'utf8')).split('\n').filter(Boolean).length : 0);
  return { home, dataDir, firefox, snap, systemDir, options, updateCount };
}

test('install adds the CA to the NSS database and each Firefox profile; uninstall removes exactly it', { skip: !haveCertutil && 'needs certutil' }, async (t) => {
  const { home, dataDir, firefox, snap, systemDir, options, updateCount } = await setup(t);
  const shared = path.join(home, '.pki', 'nssdb');

  const before = await trustStatus(dataDir, options);
  assert.equal(before.certPath, path.join(dataDir, 'tls', 'ca', 'ca-cert.pem'), 'the CA was made');
  assert.deepEqual(
    before.stores.map((s) => [s.id, s.trusted, s.unavailable, s.system]),
    [
      [`nss:${shared}`, false, null, false],
      [`firefox:${firefox}`, false, null, false],
      [`firefox:${snap}`, false, null, false],
      ['system', false, null, true],
    ],
  );
  assert.match(before.stores[1]!.label, /^Firefox, profile default-release \(~\/\.mozilla\/firefox\/abcd1234\.default-release\)$/);
  assert.match(before.stores[2]!.label, /^Firefox \(snap\)/);

  // Someone else's certificate in a profile stays where it is.
  const other = await loadOrCreateCa(path.join(await tempDir(t), 'ca'));
  execFileSync('certutil', ['-A', '-d', `sql:${firefox}`, '-t', 'C,,', '-n', 'Other CA', '-i', other.ca.certPath]);

  const installed = await installTrust(dataDir, { system: false }, options);
  assert.deepEqual(installed.changes.map((c) => c.ok), [true, true, true]);
  assert.match(installed.changes[0]!.message, /^Added to Chromium and Chrome \(NSS database ~\/\.pki\/nssdb\)\.$/);
  assert.deepEqual(installed.status.stores.map((s) => s.trusted), [true, true, true, false]);
  const nick = nicknames(shared);
  assert.equal(nick.length, 1);
  assert.match(nick[0]!, /^Pier local CA \(.+@.+\) [0-9A-F]{8}$/);
  assert.deepEqual(nicknames(firefox), nick);
  assert.deepEqual(nicknames(snap), nick);
  // Not --system: the machine's store and its update tool untouched.
  assert.deepEqual(await readdir(systemDir), ['someone-else.crt']);
  assert.equal(await updateCount(), 0);

  const removed = await uninstallTrust(dataDir, { system: false }, options);
  assert.deepEqual(removed.changes.map((c) => c.ok), [true, true, true]);
  assert.deepEqual(removed.status.stores.map((s) => s.trusted), [false, false, false, false]);
  for (const db of [shared, firefox, snap]) assert.deepEqual(nicknames(db), [], db);
  assert.match(execFileSync('certutil', ['-L', '-d', `sql:${firefox}`], { encoding: 'utf8' }), /Other CA/);

  const twice = await uninstallTrust(dataDir, { system: false }, options);
  assert.ok(twice.changes.every((c) => c.ok && /nothing to remove/.test(c.message)));
});

test('--system also writes the machine store and runs its update tool; uninstall takes back exactly that', { skip: !haveCertutil && 'needs certutil' }, async (t) => {
  const { dataDir, systemDir, options, updateCount } = await setup(t);
  const installed = await installTrust(dataDir, { system: true }, options);
  assert.ok(installed.changes.every((c) => c.ok), JSON.stringify(installed.changes));
  const files = (await readdir(systemDir)).sort();
  assert.equal(files.length, 2);
  const ours = files.find((f) => f.startsWith('pier-local-ca-'))!;
  assert.match(ours, /^pier-local-ca-[0-9a-f]{16}\.crt$/);
  assert.equal(await readFile(path.join(systemDir, ours), 'utf8'), await readFile(installed.status.certPath, 'utf8'));
  assert.equal(await updateCount(), 1);
  assert.equal(installed.status.stores.find((s) => s.id === 'system')?.trusted, true);

  const removed = await uninstallTrust(dataDir, { system: true }, options);
  assert.ok(removed.changes.every((c) => c.ok));
  assert.deepEqual(await readdir(systemDir), ['someone-else.crt']);
  assert.equal(await readFile(path.join(systemDir, 'someone-else.crt'), 'utf8'), 'not ours');
  assert.equal(await updateCount(), 2);
});

test('--system without administrator rights: the user stores change, the machine store says why not', { skip: !haveCertutil && 'needs certutil' }, async (t) => {
  const { dataDir, systemDir, options, updateCount } = await setup(t);
  const outcome = await installTrust(dataDir, { system: true }, { ...options, admin: false, sudo: null });
  const system = outcome.changes.find((c) => c.id === 'system')!;
  assert.equal(system.ok, false);
  assert.match(system.message, /Needs administrator rights.*sudo was not found/);
  assert.ok(outcome.changes.filter((c) => c.id !== 'system').every((c) => c.ok));
  assert.deepEqual(await readdir(systemDir), ['someone-else.crt']);
  assert.equal(await updateCount(), 0);
});

test('--system without administrator rights goes through sudo for the file and the update, and back', { skip: !haveCertutil && 'needs certutil' }, async (t) => {
  const { dataDir, systemDir, options, updateCount } = await setup(t);
  // A stand-in for sudo that records what it was asked to run, then runs it.
  const bin = await tempDir(t);
  const log = path.join(bin, 'sudo.log');
  const sudo = path.join(bin, 'fake-sudo');
  await writeFile(sudo, `#!/bin/sh\necho "$*" >> '${log}'\n[ "$1" = "-V" ] && exit 0\nshift\nexec "$@"\n`);
  await chmod(sudo, 0o755);
  const installed = await installTrust(dataDir, { system: true }, { ...options, admin: false, sudo });
  assert.ok(installed.changes.every((c) => c.ok), JSON.stringify(installed.changes));
  assert.match(installed.status.stores.find((s) => s.id === 'system')!.label, /sudo asks for your password/);
  const ours = (await readdir(systemDir)).find((f) => f.startsWith('pier-local-ca-'))!;
  assert.equal(await updateCount(), 1);
  await uninstallTrust(dataDir, { system: true }, { ...options, admin: false, sudo });
  assert.deepEqual(await readdir(systemDir), ['someone-else.crt']);
  const calls = (await readFile(log, 'utf8')).trim().split('\n').filter((line) => line !== '-V');
  assert.deepEqual(calls, [
    `-- install -m 0644 ${installed.status.certPath} ${path.join(systemDir, ours)}`,
    `-- sh -c echo ran >> '${path.join(path.dirname(systemDir), 'updates.log')}'`,
    `-- rm -f -- ${path.join(systemDir, ours)}`,
    `-- sh -c echo ran >> '${path.join(path.dirname(systemDir), 'updates.log')}'`,
  ]);
});

test('without certutil every NSS store says what to install, and nothing is changed', async (t) => {
  const { home, dataDir, options } = await setup(t).catch(async () => {
    // No certutil to make profiles with: a bare HOME is enough here.
    const base = await tempDir(t);
    return { home: path.join(base, 'home'), dataDir: path.join(base, 'data'), options: { home: path.join(base, 'home'), platform: 'linux', linuxSystemStores: [] } as TrustOptions };
  });
  const emptyPath = await tempDir(t);
  const savedPath = process.env.PATH;
  process.env.PATH = emptyPath; // this test process only: certutil cannot be found
  try {
    const status = await trustStatus(dataDir, { ...options, linuxSystemStores: [] });
    for (const store of status.stores) {
      assert.equal(store.unavailable, 'Install libnss3-tools (it provides certutil): sudo apt install libnss3-tools (Fedora: sudo dnf install nss-tools).');
    }
    const outcome = await installTrust(dataDir, { system: false }, { ...options, linuxSystemStores: [] });
    assert.ok(outcome.changes.length > 0 && outcome.changes.every((c) => !c.ok && /libnss3-tools/.test(c.message)));
  } finally {
    process.env.PATH = savedPath;
  }
  assert.equal(existsSync(path.join(home, '.pki')), false);
});

test('a new CA (the old one damaged and kept aside) is not taken for trusted', { skip: !haveCertutil && 'needs certutil' }, async (t) => {
  const { dataDir, options } = await setup(t);
  await installTrust(dataDir, { system: false }, options);
  await writeFile(path.join(dataDir, 'tls', 'ca', 'ca-cert.pem'), 'garbage');
  const status = await trustStatus(dataDir, options);
  assert.ok(status.stores.every((s) => !s.trusted), 'the new CA is in no store yet');
});
