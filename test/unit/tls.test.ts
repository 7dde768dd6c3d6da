import type { TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { loadOrCreateCa } from '../../app/local-ca';
import { TlsStore as RealTlsStore, type TlsMaterial } from '../../app/tls';

const DAY_MS = 24 * 60 * 60 * 1000;
const LAN = ['192.168.1.20', '10.0.0.5'];
/** The host name every store here is told, so the SAN is the same on every machine. */
const HOST = 'devbox';
const HOST_NAMES = ['DNS:devbox', 'DNS:devbox.local'];

// Making a CA (an RSA 3072 key) takes about a second: the stores in this file
// share one, made once, unless a test is about the CA itself.
let sharedCaDir = '';
before(async () => {
  sharedCaDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'pier-tls-ca-')), 'ca');
  await loadOrCreateCa(sharedCaDir);
});
after(() => rm(path.dirname(sharedCaDir), { recursive: true, force: true }));

/** A TlsStore on the shared CA with a fixed host name. */
class TlsStore extends RealTlsStore {
  constructor(dir: string, options: ConstructorParameters<typeof RealTlsStore>[1] = {}) {
    super(dir, { caDir: sharedCaDir, hostname: () => HOST, ...options });
  }
}

/** A fresh temp folder, removed when the test ends. */
async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pier-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** SAN entries as `DNS:x` / `IP:x`, with IPv6 in its short form (Node prints ::1 as 0:0:0:0:0:0:0:1). */
function sanOf(cert: string): string[] {
  const san = new X509Certificate(cert).subjectAltName ?? '';
  return san.split(', ').map((entry) => {
    const ip = /^IP Address:(.*)$/.exec(entry)?.[1];
    if (ip === undefined) return entry;
    return `IP:${ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip}`;
  });
}

const validTo = (cert: string) => new Date(new X509Certificate(cert).validTo);

test('the certificate covers localhost, 127.0.0.1, ::1 and every given address', async (t) => {
  const { cert } = await new TlsStore(await tempDir(t)).material(LAN);
  assert.deepEqual(new Set(sanOf(cert)), new Set(['DNS:localhost', ...HOST_NAMES, 'IP:127.0.0.1', 'IP:::1', 'IP:192.168.1.20', 'IP:10.0.0.5']));

  // What a TLS client actually checks: each name passes, anything else fails.
  const peer = new X509Certificate(cert).toLegacyObject();
  for (const host of ['localhost', HOST, `${HOST}.local`, '127.0.0.1', '::1', ...LAN]) {
    assert.equal(checkServerIdentity(host, peer), undefined, host);
  }
  assert.ok(checkServerIdentity('192.168.1.21', peer) instanceof Error);
});

test('the certificate is RSA 2048, names Pier, and is valid for 825 days including today', async (t) => {
  const now = new Date();
  const { key, cert } = await new TlsStore(await tempDir(t)).material([]);
  const x509 = new X509Certificate(cert);
  assert.equal(x509.subject, 'CN=Pier local server');
  assert.equal(x509.publicKey.asymmetricKeyType, 'rsa');
  assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.match(key, /^-----BEGIN PRIVATE KEY-----/);
  const from = new Date(x509.validFrom);
  const to = new Date(x509.validTo);
  assert.equal(to.getTime() - from.getTime(), 825 * DAY_MS);
  assert.ok(from <= now && to.getTime() > now.getTime() + 800 * DAY_MS);
  assert.deepEqual(sanOf(cert).sort(), ['DNS:localhost', ...HOST_NAMES, 'IP:127.0.0.1', 'IP:::1'].sort());
});

test('a second call returns the same certificate, also from a new store on the same folder', async (t) => {
  const dir = await tempDir(t);
  const first = await new TlsStore(dir).material(LAN);

  const store = new TlsStore(dir);
  const fromDisk = await store.material(LAN);
  assert.equal(fromDisk.cert, first.cert);
  assert.equal(fromDisk.key, first.key);
  // The order and duplicates of addresses do not make a different certificate.
  assert.equal((await store.material(['10.0.0.5', '192.168.1.20', '10.0.0.5'])).cert, first.cert);

  // Kept in memory: with the files gone, the same store still answers at once.
  for (const file of await readdir(dir)) await rm(path.join(dir, file), { recursive: true });
  assert.equal((await store.material(LAN)).cert, first.cert);
});

test('the folder is created, holds the three files and the CA folder, and the keys are private', async (t) => {
  const dir = path.join(await tempDir(t), 'nested', 'tls');
  // The real default: the CA in dir/ca.
  const material = await new RealTlsStore(dir, { hostname: () => HOST }).material(LAN);
  assert.deepEqual((await readdir(dir)).sort(), ['ca', 'pier-cert.json', 'pier-cert.pem', 'pier-key.pem']);
  assert.deepEqual((await readdir(path.join(dir, 'ca'))).sort(), ['ca-cert.pem', 'ca-key.pem']);
  assert.equal(await readFile(path.join(dir, 'ca', 'ca-cert.pem'), 'utf8'), material.ca);
  assert.equal(await readFile(path.join(dir, 'pier-key.pem'), 'utf8'), material.key);
  assert.equal(await readFile(path.join(dir, 'pier-cert.pem'), 'utf8'), material.cert);
  const meta = JSON.parse(await readFile(path.join(dir, 'pier-cert.json'), 'utf8'));
  assert.deepEqual(new Set(meta.addresses), new Set(LAN));
  assert.equal(new Date(meta.expires).getTime(), validTo(material.cert).getTime());
  if (process.platform !== 'win32') {
    assert.equal((await stat(path.join(dir, 'pier-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(path.join(dir, 'ca', 'ca-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(path.join(dir, 'ca'))).mode & 0o777, 0o700);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  }
  assert.equal(meta.caFingerprint256, new X509Certificate(material.ca!).fingerprint256);
  assert.deepEqual(meta.hostnames, [HOST, `${HOST}.local`]);
});

const fingerprint = (material: TlsMaterial) => new X509Certificate(material.cert).fingerprint256;

test('a local and a LAN server share one certificate: it does not churn, in one run or across restarts', async (t) => {
  const dir = await tempDir(t);
  // Only SAN entries: nothing ever connects to these addresses.
  const lan = ['192.168.1.20'];
  const store = new TlsStore(dir);
  const made: string[] = [];
  for (let i = 0; i < 4; i++) {
    made.push(fingerprint(await store.material([])));
    made.push(fingerprint(await store.material(lan)));
  }
  // Each restart of Pier is a fresh store on the same folder.
  for (let i = 0; i < 3; i++) {
    made.push(fingerprint(await new TlsStore(dir).material(lan)));
    made.push(fingerprint(await new TlsStore(dir).material([])));
  }
  // The very first, local-only, call could not know the LAN address: that one
  // appearing makes the one new certificate, and from then on nothing changes.
  const seen = new Set(made.slice(1));
  assert.equal(seen.size, 1);
  const [only] = seen;
  const { cert } = await store.material([]);
  assert.equal(fingerprint({ key: '', cert }), only);
  assert.deepEqual(new Set(sanOf(cert)), new Set(['DNS:localhost', ...HOST_NAMES, 'IP:127.0.0.1', 'IP:::1', 'IP:192.168.1.20']));

  // Started the other way round (the LAN server first), there is only ever one.
  const other = await tempDir(t);
  const lanFirst = new TlsStore(other);
  const fingerprints = new Set<string>();
  for (let i = 0; i < 4; i++) {
    fingerprints.add(fingerprint(await lanFirst.material(lan)));
    fingerprints.add(fingerprint(await new TlsStore(other).material([])));
  }
  assert.equal(fingerprints.size, 1);
});

test('a new address makes one new certificate that also covers the earlier ones, reused from disk', async (t) => {
  const dir = await tempDir(t);
  const store = new TlsStore(dir);
  const first = await store.material(LAN);
  const second = await store.material(['192.168.1.30']);
  assert.notEqual(fingerprint(second), fingerprint(first));
  assert.notEqual(second.key, first.key);
  const covered = new Set(['DNS:localhost', ...HOST_NAMES, 'IP:127.0.0.1', 'IP:::1', 'IP:192.168.1.20', 'IP:10.0.0.5', 'IP:192.168.1.30']);
  assert.deepEqual(new Set(sanOf(second.cert)), covered);

  // From now on every address set it covers gets it: the old ones, the new one, none.
  for (const addresses of [LAN, ['192.168.1.30'], [], ['10.0.0.5', '192.168.1.30'], ['127.0.0.1', '::1']]) {
    assert.equal(fingerprint(await store.material(addresses)), fingerprint(second), addresses.join(','));
    assert.equal(fingerprint(await new TlsStore(dir).material(addresses)), fingerprint(second), addresses.join(','));
  }
  const fromDisk = await new TlsStore(dir).material(['192.168.1.30']);
  assert.equal(fromDisk.key, second.key);
  assert.equal(fromDisk.cert, second.cert);
});

test('the covered addresses are bounded: past 32, the least recently asked for are left out', async (t) => {
  const dir = await tempDir(t);
  const store = new TlsStore(dir);
  const many = Array.from({ length: 32 }, (_, i) => `10.1.0.${i + 1}`);
  await store.material(many);
  const next = await store.material(['10.2.0.1']);
  const san = sanOf(next.cert);
  assert.equal(san.length, 5 + 32);
  assert.ok(san.includes('IP:10.2.0.1'));
  assert.ok(!san.includes('IP:10.1.0.1'), 'the oldest is dropped');
  assert.ok(san.includes('IP:10.1.0.32'));
  // One call asking for more than the bound still gets all of them.
  const all = await store.material([...many, '10.2.0.1']);
  assert.equal(sanOf(all.cert).length, 5 + 33);
});

test('a certificate that expires within 30 days is replaced', async (t) => {
  const dir = await tempDir(t);
  let clock = new Date(Date.now() - 800 * DAY_MS); // made 800 days ago: 25 days left today
  const store = new TlsStore(dir, { now: () => clock });
  const old = await store.material(LAN);
  assert.ok(validTo(old.cert).getTime() - Date.now() < 30 * DAY_MS);

  // Still used while more than 30 days remain.
  clock = new Date(Date.now() - 40 * DAY_MS);
  assert.equal((await store.material(LAN)).cert, old.cert);
  assert.equal((await new TlsStore(dir, { now: () => clock }).material(LAN)).cert, old.cert);

  // Today: replaced, both by a new store reading the disk and by the one holding it in memory.
  const fromDisk = await new TlsStore(dir).material(LAN);
  assert.notEqual(fromDisk.cert, old.cert);
  assert.ok(validTo(fromDisk.cert).getTime() - Date.now() > 800 * DAY_MS);
  clock = new Date();
  const inMemory = await store.material(LAN);
  assert.notEqual(inMemory.cert, old.cert);
  assert.ok(validTo(inMemory.cert).getTime() - Date.now() > 800 * DAY_MS);
});

test('a corrupt or incomplete stored certificate is regenerated', async (t) => {
  const damage: Record<string, (dir: string) => Promise<void>> = {
    'garbage cert': (dir) => writeFile(path.join(dir, 'pier-cert.pem'), 'not a certificate'),
    'truncated cert': async (dir) => {
      const file = path.join(dir, 'pier-cert.pem');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.slice(0, text.length / 2));
    },
    'garbage json': (dir) => writeFile(path.join(dir, 'pier-cert.json'), '{"addresses":'),
    'missing key': (dir) => unlink(path.join(dir, 'pier-key.pem')),
    'key from another certificate': async (dir) => {
      const other = await new TlsStore(await tempDir(t)).material(LAN);
      await writeFile(path.join(dir, 'pier-key.pem'), other.key);
    },
  };
  for (const [name, breakIt] of Object.entries(damage)) {
    const dir = await tempDir(t);
    const original = await new TlsStore(dir).material(LAN);
    await breakIt(dir);
    const repaired = await new TlsStore(dir).material(LAN);
    assert.notEqual(repaired.cert, original.cert, name);
    assert.deepEqual(new Set(sanOf(repaired.cert)), new Set(sanOf(original.cert)), name);
    // Repaired on disk too: the next store reads the new pair back.
    const again = await new TlsStore(dir).material(LAN);
    assert.equal(again.cert, repaired.cert, name);
    assert.equal(again.key, repaired.key, name);
  }
});

test('concurrent calls share one generation', async (t) => {
  const dir = await tempDir(t);
  const store = new TlsStore(dir);
  const first = store.material(LAN);
  const second = store.material([...LAN].reverse());
  // Settle before asserting, so a failure can't leave a generation writing
  // into the temp folder after it is removed.
  const results = await Promise.all([first, second, store.material(LAN)]);
  assert.equal(second, first);
  assert.equal(new Set(results.map((m) => m.cert)).size, 1);
});

test('concurrent calls for different addresses share one new certificate, and the disk ends consistent', async (t) => {
  const dir = await tempDir(t);
  const store = new TlsStore(dir);
  const [a, b] = await Promise.all([store.material(['192.168.1.20']), store.material(['192.168.1.30'])]);
  assert.equal(a.cert, b.cert, 'one generation for both');
  assert.ok(sanOf(a.cert).includes('IP:192.168.1.20'));
  assert.ok(sanOf(a.cert).includes('IP:192.168.1.30'));
  const stored = await new TlsStore(dir).material(['192.168.1.30']);
  assert.equal(stored.cert, a.cert);
  assert.equal(stored.key, a.key);
});

test('an address that is not an IP is rejected', async (t) => {
  const store = new TlsStore(await tempDir(t));
  await assert.rejects(store.material(['example.com']), TypeError);
});

/** Serve "ok" over HTTPS on 127.0.0.1 with this material; returns the port and a stop function. */
async function serve(material: TlsMaterial): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = https.createServer(material, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function get(options: https.RequestOptions): Promise<{ status: number; body: string; san: string | undefined }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', agent: false, ...options }, (res) => {
        const san = (res.socket as TLSSocket).getPeerCertificate().subjectaltname;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, san }));
      })
      .on('error', reject);
  });
}

test('a real HTTPS server on 127.0.0.1 serves with the material', async (t) => {
  const material = await new TlsStore(await tempDir(t)).material(LAN);
  const { port, stop } = await serve(material);
  t.after(stop);

  const res = await get({ port, rejectUnauthorized: false });
  assert.equal(res.status, 200);
  assert.equal(res.body, 'ok');
  assert.ok(res.san?.split(', ').includes('IP Address:127.0.0.1'), res.san);

  // A client that trusts Pier's CA (and nothing else) accepts it for
  // 127.0.0.1 and localhost with full verification, hostname check included.
  const verified = await get({ port, ca: material.ca });
  assert.equal(verified.status, 200);
  const byName = await get({ port, ca: material.ca, servername: 'localhost', checkServerIdentity: (_host, cert) => checkServerIdentity('localhost', cert) });
  assert.equal(byName.status, 200);
  // Trusting only some other CA: refused.
  const stranger = await loadOrCreateCa(path.join(await tempDir(t), 'ca'));
  await assert.rejects(get({ port, ca: stranger.ca.cert }), /self-signed|unable to verify|local issuer|signature failure/i);
});

test('the certificate is signed by the local CA: it verifies against it, names it as issuer, and ends no later', async (t) => {
  const material = await new TlsStore(await tempDir(t)).material(LAN);
  const leaf = new X509Certificate(material.cert);
  const ca = new X509Certificate(material.ca!);
  assert.equal(ca.fingerprint256, new X509Certificate(await readFile(path.join(sharedCaDir, 'ca-cert.pem'))).fingerprint256);
  assert.ok(leaf.verify(ca.publicKey), 'signed by the CA');
  assert.ok(!leaf.verify(leaf.publicKey), 'not self-signed');
  assert.equal(leaf.issuer, ca.subject);
  assert.ok(leaf.checkIssued(ca));
  assert.equal(leaf.ca, false);
  assert.ok(new Date(leaf.validTo) <= new Date(ca.validTo));
  const other = await loadOrCreateCa(path.join(await tempDir(t), 'ca'));
  assert.ok(!leaf.verify(new X509Certificate(other.ca.cert).publicKey));
});

test('a new CA re-issues the certificate, in a new store and in the one holding it', async (t) => {
  const dir = await tempDir(t);
  const caDir = path.join(dir, 'ca');
  const first = await new RealTlsStore(dir, { hostname: () => HOST }).material(LAN);
  assert.equal((await new RealTlsStore(dir, { hostname: () => HOST }).material(LAN)).cert, first.cert, 'same CA: reused');

  // The CA replaced (as after a damaged one was kept aside): the stored certificate no longer counts.
  await rm(caDir, { recursive: true });
  const again = await new RealTlsStore(dir, { hostname: () => HOST }).material(LAN);
  assert.notEqual(again.ca, first.ca);
  assert.notEqual(again.cert, first.cert);
  assert.ok(new X509Certificate(again.cert).verify(new X509Certificate(again.ca!).publicKey));
  const meta = JSON.parse(await readFile(path.join(dir, 'pier-cert.json'), 'utf8'));
  assert.equal(meta.caFingerprint256, new X509Certificate(again.ca!).fingerprint256);
});

test('a new host name re-issues the certificate; one that is no DNS name is left out', async (t) => {
  const dir = await tempDir(t);
  const first = await new TlsStore(dir).material([]);
  const renamed = await new TlsStore(dir, { hostname: () => 'studio.example.lan' }).material([]);
  assert.notEqual(renamed.cert, first.cert);
  assert.ok(sanOf(renamed.cert).includes('DNS:studio.example.lan'));
  assert.ok(!sanOf(renamed.cert).includes('DNS:studio.example.lan.local'));
  const odd = await new TlsStore(await tempDir(t), { hostname: () => 'bad name_!' }).material([]);
  assert.deepEqual(sanOf(odd.cert).sort(), ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
});
