import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as x509 from '@peculiar/x509';

import { loadOrCreateCa, readCa } from '../../app/local-ca';

const DAY_MS = 24 * 60 * 60 * 1000;
const LOCAL_CA = fileURLToPath(new URL('../../app/local-ca.ts', import.meta.url));

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pier-ca-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the CA is made once: owner-only files, a name saying whose it is, 10 years, CA-only key usage', async (t) => {
  const base = await tempDir(t);
  const caDir = path.join(base, 'data', 'tls', 'ca');
  const { ca, notice } = await loadOrCreateCa(caDir);
  assert.equal(notice, null);
  assert.deepEqual((await readdir(caDir)).sort(), ['ca-cert.pem', 'ca-key.pem']);
  assert.deepEqual(await readdir(path.dirname(caDir)), ['ca'], 'no temp folder left behind');
  if (process.platform !== 'win32') {
    assert.equal((await stat(caDir)).mode & 0o777, 0o700);
    assert.equal((await stat(path.join(caDir, 'ca-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(caDir))).mode & 0o777, 0o700);
  }
  assert.equal(ca.certPath, path.join(caDir, 'ca-cert.pem'));
  assert.equal(await readFile(ca.certPath, 'utf8'), ca.cert);

  const cert = new X509Certificate(ca.cert);
  assert.equal(ca.fingerprint, cert.fingerprint256);
  assert.ok(cert.ca);
  assert.match(ca.name, new RegExp(`^Pier local CA \\(.+@${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
  assert.ok(cert.subject.includes(`CN=${ca.name}`));
  assert.ok(cert.verify(cert.publicKey), 'self-signed root');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 3072);
  const years = (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / (365.25 * DAY_MS);
  assert.ok(years > 9.99 && years < 10.01, `${years} years`);

  const parsed = new x509.X509Certificate(ca.cert);
  const basic = parsed.getExtension(x509.BasicConstraintsExtension);
  assert.ok(basic?.critical, 'basicConstraints critical');
  assert.equal(basic?.ca, true);
  assert.equal(basic?.pathLength, 0);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  assert.ok(usage?.critical, 'keyUsage critical');
  assert.equal(usage?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);

  // Made once: later calls read it back.
  const again = await loadOrCreateCa(caDir);
  assert.equal(again.ca.fingerprint, ca.fingerprint);
  assert.equal(again.ca.key, ca.key);
  assert.equal(again.notice, null);
});

/** A child process that loads local-ca.ts, says "ready", and creates the CA when told "go". */
function creator(caDir: string) {
  const script = `
    const { loadOrCreateCa } = await import(${JSON.stringify(LOCAL_CA)});
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      const { ca } = await loadOrCreateCa(${JSON.stringify(caDir)});
      process.stdout.write(ca.fingerprint + '\\n');
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const ready = new Promise<void>((resolve) => {
    const check = () => (out.includes('ready\n') ? resolve() : child.stdout.once('data', check));
    check();
  });
  const done = new Promise<string>((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve(out.split('\n')[1]!) : reject(new Error(`creator exited ${code}: ${out}`)))),
  );
  return { ready, go: () => child.stdin.end('go\n'), done };
}

test('two processes (and several callers in each) creating the CA at once end up with one CA', async (t) => {
  const caDir = path.join(await tempDir(t), 'tls', 'ca');
  const children = [creator(caDir), creator(caDir)];
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  const here = await Promise.all([loadOrCreateCa(caDir), loadOrCreateCa(caDir)]);
  const fingerprints = new Set([...(await Promise.all(children.map((c) => c.done))), ...here.map((h) => h.ca.fingerprint)]);
  assert.equal(fingerprints.size, 1, [...fingerprints].join(' '));
  const onDisk = await readCa(caDir);
  assert.equal(onDisk.state, 'ok');
  assert.equal(onDisk.state === 'ok' && onDisk.ca.fingerprint, [...fingerprints][0]);
  assert.deepEqual(await readdir(path.dirname(caDir)), ['ca'], 'the losers removed their temp folders');
});

test('a damaged CA is kept aside, never overwritten, and a new one is made with a notice', async (t) => {
  const damage: Record<string, (caDir: string) => Promise<void>> = {
    'garbage certificate': (caDir) => writeFile(path.join(caDir, 'ca-cert.pem'), 'not a certificate'),
    'missing key': (caDir) => unlink(path.join(caDir, 'ca-key.pem')),
    'missing certificate': (caDir) => unlink(path.join(caDir, 'ca-cert.pem')),
    'a file instead of the folder': async (caDir) => {
      await rm(caDir, { recursive: true });
      await writeFile(caDir, 'stray');
    },
    'key of another CA': async (caDir) => {
      const other = await loadOrCreateCa(path.join(await tempDir(t), 'ca'));
      await writeFile(path.join(caDir, 'ca-key.pem'), other.ca.key);
    },
  };
  for (const [name, breakIt] of Object.entries(damage)) {
    const tlsDir = path.join(await tempDir(t), 'tls');
    const caDir = path.join(tlsDir, 'ca');
    const original = await loadOrCreateCa(caDir);
    await breakIt(caDir);
    const isFolder = (await stat(caDir)).isDirectory();
    const kept = isFolder
      ? Object.fromEntries(await Promise.all((await readdir(caDir)).map(async (f) => [f, await readFile(path.join(caDir, f), 'utf8')])))
      : { '': await readFile(caDir, 'utf8') };

    const replaced = await loadOrCreateCa(caDir);
    assert.notEqual(replaced.ca.fingerprint, original.ca.fingerprint, name);
    assert.match(replaced.notice ?? '', /was damaged .*kept as .*ca\.corrupt-.*a new one was made.*pier trust/s, name);
    const aside = (await readdir(tlsDir)).filter((f) => f.startsWith('ca.corrupt-'));
    assert.equal(aside.length, 1, name);
    assert.ok(replaced.notice!.includes(aside[0]!), name);
    // Exactly what was there, byte for byte.
    const asideDir = path.join(tlsDir, aside[0]!);
    for (const [file, text] of Object.entries(kept)) assert.equal(await readFile(file ? path.join(asideDir, file) : asideDir, 'utf8'), text, `${name}: ${file}`);
    // The new one sticks: no second notice.
    const next = await loadOrCreateCa(caDir);
    assert.equal(next.ca.fingerprint, replaced.ca.fingerprint, name);
    assert.equal(next.notice, null, name);
  }
});

test('a CA near its end is kept aside and replaced', async (t) => {
  const tlsDir = path.join(await tempDir(t), 'tls');
  await mkdir(tlsDir);
  const caDir = path.join(tlsDir, 'ca');
  // Made 10 years minus 30 days ago.
  const old = await loadOrCreateCa(caDir, { now: () => new Date(Date.now() - (3652 - 30) * DAY_MS) });
  const today = await loadOrCreateCa(caDir);
  assert.notEqual(today.ca.fingerprint, old.ca.fingerprint);
  assert.match(today.notice ?? '', /about to expire/);
  assert.equal((await readdir(tlsDir)).filter((f) => f.startsWith('ca.expired-')).length, 1);
});
