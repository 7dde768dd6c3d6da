/**
 * Attacks on connections and on a server's life — pipelining floods, paths
 * and headers past every bound, credentials, starts that race, a folder
 * deleted underneath — each a bounded test of the engine (a ServerInstance in
 * this process, real sockets on 127.0.0.1, real temp folders). What they cost
 * is measured where it shows: the descriptors and resident memory of this
 * process, which is the server's process too. Timings are liveness bounds,
 * never performance goals. Attacks on files and ranges are in
 * attacks-files.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

import { TlsStore, type TlsMaterial } from '../../app/tls';
import { ServerInstance, type TlsProvider } from '../../app/server-instance';
import { fdCount, fdsSettle, MB, pollUntil, rssBytes, sleep, within } from '../helpers/proc';
import { request, serveForSuite as site, tempDir, testConfig, writeTree, type ServedSite, type Tree } from '../helpers/serve';

const HELLO = 'hello';

async function assertServing(s: ServedSite, timeoutMs = 2_000): Promise<void> {
  const res = await s.request('/hello.txt', { timeoutMs });
  assert.equal(res.status, 200);
  assert.equal(res.body, HELLO);
}

describe('5. one client pipelining without reading', () => {
  const s = site({ 'hello.txt': HELLO });

  test('tens of thousands of pipelined requests never read: others are served, fds and memory stay bounded', async () => {
    await assertServing(s());
    const baselineFds = fdCount();
    const baselineRss = rssBytes();
    const socket = net.connect({ host: '127.0.0.1', port: s().port });
    socket.on('error', () => {
      // The server may cut this client off: that is an acceptable defence.
    });
    socket.pause(); // never read a response
    const burst = Buffer.from('GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(200));
    let flooding = true;
    let sent = 0;
    const pump = () => {
      while (flooding && !socket.destroyed) {
        sent += 200;
        if (!socket.write(burst)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.once('connect', pump);

    let maxFds = baselineFds;
    let maxRss = baselineRss;
    let other: Promise<{ status: number; body: string } | Error> | null = null;
    const deadline = Date.now() + 3_000;
    try {
      while (Date.now() < deadline) {
        await sleep(100);
        maxFds = Math.max(maxFds, fdCount());
        maxRss = Math.max(maxRss, rssBytes());
        // A second client, on its own connection, a moment into the flood.
        other ??= s().request('/hello.txt', { timeoutMs: 2_000 }).catch((error: Error) => error);
        // Past these the bound is broken anyway; stop before the test process suffers.
        if (maxFds > baselineFds + 2_000 || maxRss > baselineRss + 500 * MB) break;
      }
    } finally {
      flooding = false;
      socket.destroy();
    }
    // Every measure is taken and reported together, so one failure shows the whole picture.
    const problems: string[] = [];
    const answer = await other;
    if (answer instanceof Error || answer === null) problems.push(`the second client: ${answer?.message ?? 'never asked'}`);
    else if (answer.status !== 200 || answer.body !== HELLO) problems.push(`the second client got ${answer.status}`);
    if (sent < 10_000) problems.push(`only ${sent} requests were written`);
    if (maxFds >= baselineFds + 100) problems.push(`descriptors rose from ${baselineFds} to ${maxFds}`);
    const grown = Math.round((maxRss - baselineRss) / MB);
    if (maxRss - baselineRss >= 150 * MB) problems.push(`RSS grew by ${grown} MB`);
    await assertServing(s(), 2_000).catch((error: Error) => problems.push(`after the flood, /hello.txt: ${error.message}`));
    const settled = await fdsSettle(baselineFds + 5, 3_000);
    if (settled > baselineFds + 5) problems.push(`${settled} descriptors 3 s after the flood, ${baselineFds} before`);
    assert.deepEqual(problems, [], `${sent} pipelined requests written; peak ${maxFds} fds (baseline ${baselineFds}), RSS +${grown} MB`);
  });
});

describe('8. HTTP Basic with any case of the scheme (RFC 9110: case-insensitive)', () => {
  const s = site({ 'hello.txt': HELLO }, { config: { auth: { username: 'designer', password: 's3cret' } } });
  const token = Buffer.from('designer:s3cret').toString('base64');

  for (const scheme of ['Basic', 'basic', 'bAsIc', 'BASIC']) {
    test(`Authorization: ${scheme} … → 200`, async () => {
      const res = await s().request('/hello.txt', { headers: { Authorization: `${scheme} ${token}` } });
      assert.equal(res.status, 200);
      assert.equal(res.body, HELLO);
    });
  }

  test('a wrong password in lower-case basic is still 401', async () => {
    const wrong = Buffer.from('designer:wrong').toString('base64');
    const res = await s().request('/hello.txt', { headers: { Authorization: `basic ${wrong}` } });
    assert.equal(res.status, 401);
  });
});

describe('10. a superseded start leaves the newer server alone', () => {
  let base: string;
  let material: TlsMaterial;
  before(async () => {
    base = await tempDir('pier-it-supersede-');
    await writeTree(path.join(base, 'site'), { 'hello.txt': HELLO });
    material = await new TlsStore(path.join(base, 'tls')).material([]);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** GET /hello.txt over `agent`; resolves with the status and whether an existing connection was reused. */
  function get(port: number, agent: http.Agent, tls: boolean): Promise<{ status: number; reused: boolean }> {
    return new Promise((resolve, reject) => {
      const options = { host: '127.0.0.1', port, path: '/hello.txt', agent, rejectUnauthorized: false };
      const req = tls ? https.get(options as https.RequestOptions) : http.get(options);
      req.setTimeout(2_000, () => req.destroy(new Error('no answer within 2 s')));
      req.on('error', reject);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      });
    });
  }

  async function assertSurvives(instance: ServerInstance, release: () => void, first: Promise<unknown>, tls: boolean): Promise<void> {
    const state = instance.state();
    assert.equal(state.status, 'running');
    const port = state.port!;
    const agent = tls ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await get(port, agent, tls)).status, 200);
      // The first start now finishes, long after it was superseded.
      release();
      await within(3_000, 'the superseded start', first);
      await sleep(100);
      assert.equal(instance.status, 'running');
      assert.equal(instance.state().port, port);
      const again = await get(port, agent, tls);
      assert.equal(again.status, 200);
      assert.ok(again.reused, 'the keep-alive connection to the running server was closed by the superseded start');
    } finally {
      agent.destroy();
    }
  }

  test('superseded while its certificate was being made (stop, start)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    let firstCalled!: () => void;
    const called = new Promise<void>((resolve) => (firstCalled = resolve));
    const tls: TlsProvider = {
      material: async () => {
        if (++calls === 1) {
          firstCalled();
          await gate;
        }
        return material;
      },
    };
    const instance = new ServerInstance(testConfig(path.join(base, 'site'), { https: true }), { tls });
    try {
      const first = instance.start();
      await within(2_000, 'the first start asking for a certificate', called);
      await instance.stop();
      const second = await instance.start();
      assert.ok(second.ok, second.ok ? '' : second.message);
      await assertSurvives(instance, release, first, true);
    } finally {
      release();
      await instance.stop();
    }
  });

  test('superseded while binding its port (stop, start)', async () => {
    // The only window in which the first start has a server of its own is its
    // listen(); hold that one listen() until the second start runs. A gate on
    // net.Server#listen (not on Pier) makes the interleaving deterministic.
    const original = net.Server.prototype.listen;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const listening = new Promise<void>((resolve) => (reached = resolve));
    let held = false;
    net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
      // Only an HTTP(S) server's listen: a plain net.Server may be a port probe.
      if (!held && (this instanceof http.Server || this instanceof tls.Server)) {
        held = true;
        reached();
        void gate.then(() => (original as (...a: unknown[]) => net.Server).apply(this, args));
        return this;
      }
      return (original as (...a: unknown[]) => net.Server).apply(this, args);
    } as typeof original;
    const instance = new ServerInstance(testConfig(path.join(base, 'site')));
    try {
      const first = instance.start();
      await within(2_000, 'the first start reaching listen()', listening);
      await instance.stop();
      const second = await instance.start();
      assert.ok(second.ok, second.ok ? '' : second.message);
      await assertSurvives(instance, release, first, false);
    } finally {
      release();
      net.Server.prototype.listen = original;
      await instance.stop();
    }
  });
});

describe('11. a served folder that is deleted, then created again', () => {
  const s = site({ 'hello.txt': HELLO });

  test('status becomes error FOLDER_MISSING within 3 s, then running again on the same port', async () => {
    await assertServing(s());
    const port = s().port;
    await rm(s().root, { recursive: true, force: true });
    const failed = await pollUntil(() => s().instance.status === 'error', 3_000);
    const gone = s().instance.state();
    assert.ok(failed, `status is still ${gone.status} 3 s after the folder was deleted`);
    assert.equal(gone.error?.code, 'FOLDER_MISSING');
    assert.match(gone.error?.message ?? '', /gone|deleted|removed|no longer|does not exist|missing/i);

    await mkdir(s().root);
    await writeFile(path.join(s().root, 'hello.txt'), HELLO);
    const back = await pollUntil(() => s().instance.status === 'running', 5_000);
    assert.ok(back, `status is ${s().instance.status} 5 s after the folder came back`);
    assert.equal(s().instance.state().port, port);
    const res = await request(port, '/hello.txt', { timeoutMs: 2_000 });
    assert.equal(res.status, 200);
    assert.equal(res.body, HELLO);
  });
});

// Last in the file: against a server without the bounds, the deep paths keep
// it busy long after the test has given up on them.
describe('6. bounds on the request: path depth, target length, header size', () => {
  const depth = (n: number) => Array.from({ length: n - 1 }, () => 'a').join('/');
  const nested = (n: number): Tree => (n === 0 ? { 'deep.txt': 'deep' } : { a: nested(n - 1) });
  // Real files 64 and 100 segments deep: the second must be refused by depth alone.
  const s = site({ 'hello.txt': HELLO, ...nested(99) });

  test('a 64-segment path to a real file → 200 (the bound is not tighter than 64)', async () => {
    const nested63 = path.join(s().root, depth(64));
    await mkdir(nested63, { recursive: true });
    await writeFile(path.join(nested63, 'deep.txt'), 'deep');
    const target = `/${depth(64)}/deep.txt`;
    assert.equal(target.split('/').length - 1, 64);
    const res = await s().request(target);
    assert.equal(res.status, 200);
  });

  test('a 100-segment path to a real file → 404', async () => {
    const target = `/${depth(100)}/deep.txt`;
    assert.equal(target.split('/').length - 1, 100);
    const res = await s().request(target);
    assert.equal(res.status, 404);
    assert.notEqual(res.body, 'deep');
  });

  test('a 9 KB request target → 414', async () => {
    const res = await s().request(`/${'b'.repeat(9 * 1024)}`);
    assert.equal(res.status, 414);
  });

  test('a 20 KB header → 431', async () => {
    const res = await s().request('/hello.txt', { headers: { 'X-Big': 'x'.repeat(20 * 1024) } });
    assert.equal(res.status, 431);
  });

  test('100 parallel 6,000-segment paths all answer 404 or 414 within 5 s in total', async () => {
    const target = '/a'.repeat(6_000);
    assert.ok(target.length < 16 * 1024);
    const statuses = await within(
      5_000,
      '100 deep-path requests',
      Promise.all(Array.from({ length: 100 }, () => s().request(target, { timeoutMs: 5_000 }).then((res) => res.status))),
    );
    const wrong = statuses.filter((status) => status !== 404 && status !== 414);
    assert.deepEqual(wrong, []);
    await assertServing(s());
  });
});
