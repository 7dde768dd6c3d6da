/**
 * An HTTPS server's port also speaks plain HTTP, for one reason: a phone that
 * does not trust Pier's CA yet must be able to fetch it. Plain HTTP gets the
 * certificate page and the certificate, and a 308 to https:// for anything
 * else; the engine's bounds hold on both (real sockets on 127.0.0.1).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

import { HEADERS_TIMEOUT_MS } from '../../app/limits';
import { TlsStore, type TlsMaterial } from '../../app/tls';
import { canBind } from '../helpers/cli';
import { fdCount, fdsSettle, pollUntil, sleep } from '../helpers/proc';
import { rawExchange, rawStatus, request, serve, tempDir, type ServedSite } from '../helpers/serve';

const PAGE = '<!doctype html><title>site</title><p>hello from the site</p>';

/** GET over HTTPS trusting only `ca`, for `host` (127.0.0.1 or localhost, both connect to 127.0.0.1). */
function getVerified(port: number, urlPath: string, ca: string, host = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', servername: host === '127.0.0.1' ? undefined : host, port, path: urlPath, ca, agent: false,
        headers: { Host: `${host}:${port}` }, checkServerIdentity: (_h, cert) => tls.checkServerIdentity(host, cert) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(5_000, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
  });
}

describe('plain HTTP on an HTTPS port', () => {
  let tlsDir: string;
  let s: ServedSite;
  let material: TlsMaterial;
  let ca: X509Certificate;
  before(async () => {
    tlsDir = await tempDir('pier-it-https-port-');
    const store = new TlsStore(tlsDir);
    material = await store.material([]);
    ca = new X509Certificate(material.ca!);
    s = await serve({ 'index.html': PAGE, 'a b.txt': 'spaced' }, { config: { https: true }, instance: { tls: store } });
  });
  after(async () => {
    await s.close();
    await rm(tlsDir, { recursive: true, force: true });
  });

  test('GET /.pier/trust → the certificate page: fingerprint, download link, phone steps, what trusting means', async () => {
    const res = await request(s.port, '/.pier/trust');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.ok(res.body.includes(ca.fingerprint256), 'the SHA-256 fingerprint');
    assert.match(res.body, /href="\/\.pier\/ca\.crt"/);
    assert.match(res.body, /Certificate Trust Settings/);
    assert.match(res.body, /Encryption &amp; credentials/);
    assert.match(res.body, /impersonate any site/);
    assert.ok(res.body.includes(`https://127.0.0.1:${s.port}/`), 'links onwards to the HTTPS site');
    assert.doesNotMatch(res.body, /<script/i);
    // Also over HTTPS itself (once trusted, the page stays where it was).
    const overTls = await getVerified(s.port, '/.pier/trust', material.ca!);
    assert.equal(overTls.status, 200);
    assert.ok(overTls.body.includes(ca.fingerprint256));
  });

  test('GET /.pier/ca.crt → the CA certificate (DER) as a download; HEAD too', async () => {
    const res = await request(s.port, '/.pier/ca.crt');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/x-x509-ca-cert');
    assert.match(res.headers['content-disposition'] ?? '', /^attachment; filename="pier-local-ca(-[a-z0-9-]+)?\.crt"$/);
    assert.deepEqual(res.bytes, ca.raw);
    assert.equal(new X509Certificate(res.bytes).fingerprint256, ca.fingerprint256);
    const head = await request(s.port, '/.pier/ca.crt', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(ca.raw.length));
    assert.equal(head.bytes.length, 0);
    const post = await request(s.port, '/.pier/ca.crt', { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
  });

  test('anything else → 308 to the same path and query over https, on the host asked for', async () => {
    for (const [target, host] of [
      ['/', `127.0.0.1:${s.port}`],
      ['/index.html?x=1&y=%20', `127.0.0.1:${s.port}`],
      ['/a%20b.txt', `localhost:${s.port}`],
      ['/.pier/live', `[::1]:${s.port}`],
    ] as const) {
      const res = await request(s.port, target, { headers: { Host: host } });
      assert.equal(res.status, 308, target);
      assert.equal(res.headers.location, `https://${host}${target}`, target);
      assert.doesNotMatch(res.body, /hello from the site/);
    }
    // No usable Host: no redirect to guess at.
    const raw = await rawExchange(s.port, 'GET / HTTP/1.0\r\n\r\n', 2_000);
    assert.equal(rawStatus(raw.text), 400);
    const evil = await rawExchange(s.port, `GET / HTTP/1.1\r\nHost: evil.example/x?\r\nConnection: close\r\n\r\n`, 2_000);
    assert.equal(rawStatus(evil.text), 400);
  });

  test('HTTPS on the same port verifies against the CA for 127.0.0.1 and localhost', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const res = await getVerified(s.port, '/index.html', material.ca!, host);
      assert.equal(res.status, 200, host);
      assert.equal(res.body, PAGE, host);
    }
  });

  test('plain keep-alive works: several requests on one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await request(s.port, '/.pier/ca.crt', { agent })).status, 200);
    } finally {
      agent.destroy();
    }
  });

  test('connections that send nothing, or half a request or handshake, are dropped; descriptors come back', async () => {
    await request(s.port, '/.pier/trust'); // warm up lazily made things
    await sleep(100);
    const baseline = fdCount();
    const closedAt: number[] = [];
    const stillOpen: string[] = [];
    const opened = Date.now();
    const sockets: net.Socket[] = [];
    const open = (first: Buffer | string | null) => {
      const socket = net.connect({ host: '127.0.0.1', port: s.port });
      socket.on('error', () => {
        // A reset by the server is one way of being dropped.
      });
      socket.resume(); // read the 408, so the server's close is seen
      const kind = first === null ? 'silent' : typeof first === 'string' ? 'half a request' : 'half a handshake';
      stillOpen.push(kind);
      socket.on('close', () => {
        closedAt.push(Date.now() - opened);
        stillOpen.splice(stillOpen.indexOf(kind), 1);
      });
      if (first !== null) socket.on('connect', () => socket.write(first));
      sockets.push(socket);
    };
    for (let i = 0; i < 20; i++) open(null); // silent
    for (let i = 0; i < 10; i++) open('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // plain, headers never finished
    for (let i = 0; i < 10; i++) open(Buffer.from([0x16, 0x03, 0x01, 0x00])); // TLS, handshake never finished
    try {
      await sleep(300);
      const peak = fdCount();
      assert.ok(peak >= baseline + 40, `the 40 connections are open (${baseline} → ${peak} descriptors)`);
      const allClosed = await pollUntil(() => closedAt.length === sockets.length, HEADERS_TIMEOUT_MS + 4_000, 100);
      assert.ok(allClosed, `${closedAt.length} of ${sockets.length} connections were dropped; still open: ${[...new Set(stillOpen)].join(', ')}`);
      assert.ok(Math.min(...closedAt) >= HEADERS_TIMEOUT_MS - 1_000, `none dropped early (first after ${Math.min(...closedAt)} ms)`);
      const settled = await fdsSettle(baseline + 3, 3_000);
      assert.ok(settled <= baseline + 3, `${settled} descriptors after, ${baseline} before`);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});

describe('a password-protected HTTPS server', () => {
  let tlsDir: string;
  let s: ServedSite;
  before(async () => {
    tlsDir = await tempDir('pier-it-https-auth-');
    s = await serve({ 'index.html': PAGE }, { config: { https: true, auth: { username: 'ann', password: 'secret' } }, instance: { tls: new TlsStore(tlsDir) } });
  });
  after(async () => {
    await s.close();
    await rm(tlsDir, { recursive: true, force: true });
  });

  test('the certificate page needs no password (nothing secret, and none sent in the clear); the site does', async () => {
    assert.equal((await request(s.port, '/.pier/trust')).status, 200);
    assert.equal((await request(s.port, '/.pier/ca.crt')).status, 200);
    assert.equal((await s.request('/.pier/trust')).status, 200, 'over HTTPS too');
    assert.equal((await s.request('/index.html')).status, 401);
    assert.equal((await request(s.port, '/index.html')).status, 308);
  });
});

test('stop() closes plain and TLS keep-alive connections at once and frees the port', async () => {
  const tlsDir = await tempDir('pier-it-https-stop-');
  const s = await serve({ 'index.html': PAGE }, { config: { https: true }, instance: { tls: new TlsStore(tlsDir) } });
  try {
    const plainAgent = new http.Agent({ keepAlive: true });
    const tlsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    assert.equal((await request(s.port, '/.pier/trust', { agent: plainAgent })).status, 200);
    assert.equal((await s.request('/index.html', { agent: tlsAgent })).status, 200);
    const idle = net.connect({ host: '127.0.0.1', port: s.port });
    idle.on('error', () => {
      // Closed by stop(): expected.
    });
    await new Promise((resolve) => idle.once('connect', resolve));
    const closed = new Promise((resolve) => idle.once('close', resolve));
    const started = Date.now();
    await s.instance.stop();
    await closed;
    assert.ok(Date.now() - started < 2_000, 'immediate');
    assert.ok(await canBind(s.port), 'the port is free');
    plainAgent.destroy();
    tlsAgent.destroy();
  } finally {
    await s.close();
    await rm(tlsDir, { recursive: true, force: true });
  }
});

test('a plain HTTP server has no certificate to offer: /.pier/ca.crt and /.pier/trust → 404', async () => {
  const s = await serve({ 'index.html': PAGE });
  try {
    assert.equal((await s.request('/.pier/ca.crt')).status, 404);
    assert.equal((await s.request('/.pier/trust')).status, 404);
    assert.equal((await s.request('/index.html')).status, 200);
  } finally {
    await s.close();
  }
});

test('the CA is the one in the TLS folder, shared by every server', async () => {
  const tlsDir = await tempDir('pier-it-https-shared-');
  const store = new TlsStore(tlsDir);
  const a = await serve({ 'index.html': PAGE }, { config: { https: true }, instance: { tls: store } });
  const b = await serve({ 'index.html': PAGE }, { config: { https: true }, instance: { tls: new TlsStore(tlsDir) } });
  try {
    const [ra, rb] = await Promise.all([request(a.port, '/.pier/ca.crt'), request(b.port, '/.pier/ca.crt')]);
    assert.deepEqual(ra.bytes, rb.bytes);
    assert.deepEqual(ra.bytes, new X509Certificate(await import('node:fs/promises').then((fs) => fs.readFile(path.join(tlsDir, 'ca', 'ca-cert.pem')))).raw);
  } finally {
    await a.close();
    await b.close();
    await rm(tlsDir, { recursive: true, force: true });
  }
});
