/**
 * Attacks found against `pier serve` of a plain folder, each turned into a
 * bounded test of the engine (a ServerInstance in this process, real sockets
 * on 127.0.0.1, real temp folders). Races and floods run for a fixed time and
 * count; what they cost is measured where it shows: the descriptors and the
 * resident memory of this process, which is the server's process too.
 * Timings in here are liveness bounds ("answers within 2 s"), never
 * performance goals.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

import { TlsStore, type TlsMaterial } from '../../app/tls';
import { ServerInstance, type TlsProvider } from '../../app/server-instance';
import { fsChurn, hangUpAfterHeaders, pool, requestCapped } from '../helpers/attack-clients';
import { fdCount, fdsSettle, MB, pollUntil, rssBytes, sleep, within } from '../helpers/proc';
import { link, request, serve, tempDir, testConfig, writeTree, type ServedSite, type Tree } from '../helpers/serve';

// Every file outside the root holds this marker, and one outside file has it in
// its name: no response body may ever contain it.
const OUTSIDE = 'PIER-OUTSIDE-5b1e';
const INSIDE = 'PIER-INSIDE-public';
const HELLO = 'hello';

/** Serve `tree` for the tests of one describe block. */
function site(tree: Tree, options: Parameters<typeof serve>[1] = {}): () => ServedSite {
  let served: ServedSite | undefined;
  before(async () => {
    served = await serve(tree, options);
  });
  after(async () => {
    await served?.close();
  });
  return () => {
    if (!served) throw new Error('The test server did not start');
    return served;
  };
}

async function assertServing(s: ServedSite, timeoutMs = 2_000): Promise<void> {
  const res = await s.request('/hello.txt', { timeoutMs });
  assert.equal(res.status, 200);
  assert.equal(res.body, HELLO);
}

describe('1. a folder symlink swapped mid-path never leaks the outside (race)', () => {
  // race -> pub (inside) and race -> ../outside, renamed over each other in a tight loop.
  const s = site(
    { 'hello.txt': HELLO, pub: { 'file.txt': `${INSIDE}-file`, noext: `${INSIDE}-noext` }, race: link('pub') },
    { outside: { outside: { 'file.txt': `${OUTSIDE}-file`, noext: `${OUTSIDE}-noext`, [`${OUTSIDE}-name.txt`]: 'x' } } },
  );

  test('8 keep-alive clients for ~3 s: never outside bytes or names, and inside content does arrive', async () => {
    const root = s().root;
    const churn = fsChurn(
      root,
      `const race = path.join(dir, 'race');
       fs.symlinkSync('pub', path.join(dir, 'race.in'));
       fs.renameSync(path.join(dir, 'race.in'), race);
       fs.symlinkSync('../outside', path.join(dir, 'race.out'));
       fs.renameSync(path.join(dir, 'race.out'), race);`,
      `fs.rmSync(path.join(dir, 'race.in'), { force: true });
       fs.rmSync(path.join(dir, 'race.out'), { force: true });
       fs.symlinkSync('pub', path.join(dir, 'race.in'));
       fs.renameSync(path.join(dir, 'race.in'), path.join(dir, 'race'));`,
    );
    const kinds: Array<{ target: string; headers: Record<string, string>; inside: string }> = [
      { target: '/race/file.txt', headers: {}, inside: `${INSIDE}-file` },
      { target: '/race/noext', headers: {}, inside: `${INSIDE}-noext` },
      { target: '/race/file.txt', headers: { Range: 'bytes=0-' }, inside: `${INSIDE}-file` },
      { target: '/race/', headers: { Accept: 'text/html' }, inside: 'noext' },
      { target: '/race/', headers: { Accept: 'application/json' }, inside: 'noext' },
    ];
    const leaks: string[] = [];
    const insideHits = new Array<number>(kinds.length).fill(0);
    let requests = 0;
    let errors = 0;
    const deadline = Date.now() + 3_000;
    const agents: http.Agent[] = [];
    try {
      await Promise.all(
        Array.from({ length: 8 }, async (_, client) => {
          const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
          agents.push(agent);
          for (let i = client; Date.now() < deadline; i++) {
            const kind = kinds[i % kinds.length]!;
            const res = await s()
              .request(kind.target, { headers: kind.headers, agent, timeoutMs: 2_000 })
              .catch(() => null);
            requests++;
            if (!res) {
              errors++;
              continue;
            }
            if (res.bytes.includes(OUTSIDE)) {
              leaks.push(`${kind.target} ${JSON.stringify(kind.headers)} → ${res.status}: ${res.body.slice(0, 120)}`);
            } else if ((res.status === 200 || res.status === 206) && res.body.includes(kind.inside)) {
              insideHits[i % kinds.length]!++;
            }
          }
        }),
      );
    } finally {
      const swaps = await churn.stop();
      for (const agent of agents) agent.destroy();
      assert.ok(swaps > 100, `only ${swaps} swaps: the race did not run`);
    }
    const leakedKinds = [...new Set(leaks.map((leak) => leak.slice(0, leak.indexOf(' →'))))];
    assert.deepEqual(leaks.slice(0, 5), [], `${leaks.length} of ${requests} responses carried the outside, from: ${leakedKinds.join('; ')}`);
    // Not vacuous: every kind of request got inside content at least once.
    for (const [i, kind] of kinds.entries()) {
      assert.ok(insideHits[i]! > 0, `no successful ${kind.target} ${JSON.stringify(kind.headers)} (of ${requests} requests, ${errors} errors)`);
    }
    await assertServing(s());
  });
});

describe('2. aborted downloads release their descriptors', () => {
  const BIG = 5 * MB;
  const s = site({ 'hello.txt': HELLO, 'big.bin': Buffer.alloc(BIG, 0x61), bignoext: Buffer.alloc(BIG, 0x62) });

  test('300 Range downloads, 100 plain GETs and 100 416s, each hung up after the headers: fds return to baseline', async () => {
    await assertServing(s());
    const baseline = fdCount();
    const kinds: Array<[string, Record<string, string>, number]> = [
      ['/big.bin', { Range: 'bytes=0-' }, 206],
      ['/bignoext', {}, 200],
      ['/big.bin', { Range: `bytes=${BIG * 2}-` }, 416],
    ];
    const counts = [300, 100, 100];
    const statuses: number[][] = [];
    for (const [k, [target, headers]] of kinds.entries()) {
      statuses.push(await pool(counts[k]!, 50, () => hangUpAfterHeaders(s().port, target, headers)));
    }
    for (const [k, [target, headers, expected]] of kinds.entries()) {
      const wrong = statuses[k]!.filter((status) => status !== expected);
      assert.deepEqual(wrong.slice(0, 5), [], `${target} ${JSON.stringify(headers)}: ${wrong.length} answers were not ${expected}`);
    }
    const settled = await fdsSettle(baseline + 5, 3_000);
    assert.ok(settled <= baseline + 5, `${settled} descriptors open 3 s after the aborts, ${baseline} before`);
    await assertServing(s());
  });
});

describe('3. a file swapped for a FIFO does not wedge the server', () => {
  let s: ServedSite;
  let fifoPath = '';
  before(async () => {
    s = await serve({ 'hello.txt': HELLO, 'flip.txt': 'regular file', flip: 'regular file' });
    // The sources live next to the root (same file system), for hard links to be renamed in.
    fifoPath = path.join(s.base, 'fifo-src');
    execFileSync('mkfifo', [fifoPath]);
    await writeFile(path.join(s.base, 'file-src'), 'regular file');
  });
  after(async () => {
    unblockFifo(fifoPath);
    await s?.close();
  });

  test('flip a path between a file and a named pipe for ~2 s: /hello.txt still answers, stop() resolves', async () => {
    const churn = fsChurn(
      s.root,
      `for (const name of ['flip.txt', 'flip']) {
         fs.linkSync(path.join(dir, '..', 'fifo-src'), path.join(dir, name + '.tmp'));
         fs.renameSync(path.join(dir, name + '.tmp'), path.join(dir, name));
         fs.linkSync(path.join(dir, '..', 'file-src'), path.join(dir, name + '.tmp'));
         fs.renameSync(path.join(dir, name + '.tmp'), path.join(dir, name));
       }`,
    );
    const targets: Array<[string, Record<string, string>]> = [
      ['/flip.txt', {}],
      ['/flip', {}],
      ['/flip.txt', { Range: 'bytes=0-' }],
    ];
    const deadline = Date.now() + 2_000;
    let requests = 0;
    try {
      await Promise.all(
        Array.from({ length: 8 }, async (_, client) => {
          for (let i = client; Date.now() < deadline; i++) {
            const [target, headers] = targets[i % targets.length]!;
            await s.request(target, { headers, timeoutMs: 1_000 }).catch(() => null);
            requests++;
          }
        }),
      );
    } finally {
      await churn.stop();
    }
    assert.ok(requests > 0);
    // Both checks run, whatever the first says, and one message reports both.
    const problems: string[] = [];
    try {
      await assertServing(s, 2_000).catch((error: Error) => problems.push(`/hello.txt: ${error.message}`));
      await within(2_000, 'instance.stop()', s.instance.stop()).catch((error: Error) => problems.push(error.message));
    } finally {
      // If an open is stuck on the FIFO (the bug), give it a writer so its thread comes free.
      unblockFifo(fifoPath);
    }
    assert.deepEqual(problems, [], `after ${requests} requests against the flipping path`);
  });
});

/** Open and close the FIFO for writing until no reader is waiting on it (ENXIO). */
function unblockFifo(fifo: string): void {
  if (!fifo) return;
  for (let i = 0; i < 100; i++) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      return; // ENXIO: nobody is waiting to read, which is the healthy case (or it is gone).
    }
  }
}

describe('4. ranges, If-Range and conditional requests', () => {
  const DIGITS = '0123456789';
  const GIGS2 = 2 ** 31;
  const s = site({ 'hello.txt': HELLO, 'digits.txt': DIGITS });
  before(async () => {
    // Sparse: 2 GB of size, no real disk use.
    const sparse = path.join(s().root, 'huge.bin');
    await writeFile(sparse, '');
    await truncate(sparse, GIGS2);
  });

  test('Range past the end of a 2 GB file → 416, Content-Range bytes */2147483648, a short body', async () => {
    const res = await requestCapped(s().port, '/huge.bin', { headers: { Range: `bytes=${GIGS2}-` }, maxBody: 1024 });
    assert.equal(res.status, 416);
    assert.equal(res.headers['content-range'], `bytes */${GIGS2}`);
    assert.ok(!res.cut, 'the body of a 416 is over 1 KB (the whole file?)');
  });

  test('bytes=0-4 → 206 with exactly those bytes', async () => {
    const res = await s().request('/digits.txt', { headers: { Range: 'bytes=0-4' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 0-4/${DIGITS.length}`);
    assert.equal(res.body, '01234');
  });

  test('bytes=-3 (a suffix) → 206 with the last 3 bytes', async () => {
    const res = await s().request('/digits.txt', { headers: { Range: 'bytes=-3' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 7-9/${DIGITS.length}`);
    assert.equal(res.body, '789');
  });

  for (const range of ['bytes=abc', 'items=0-1']) {
    test(`an invalid Range (${range}) is ignored → 200 with the whole file`, async () => {
      const res = await s().request('/digits.txt', { headers: { Range: range } });
      assert.equal(res.status, 200);
      assert.equal(res.body, DIGITS);
    });
  }

  test('several ranges → 200 with the whole file, or a 206 whose parts are exactly what it says', async () => {
    // What is asserted: ignoring a multi-range request (200, whole file) is
    // fine, and so is answering it, as long as every byte sent is the byte its
    // Content-Range names: a single-part 206 (a subset) or multipart/byteranges.
    const res = await s().request('/digits.txt', { headers: { Range: 'bytes=0-1,4-5' } });
    if (res.status === 200) {
      assert.equal(res.body, DIGITS);
      return;
    }
    assert.equal(res.status, 206);
    const type = String(res.headers['content-type']);
    if (type.startsWith('multipart/byteranges')) {
      for (const [from, to] of [[0, 1], [4, 5]] as const) {
        assert.ok(res.body.includes(`bytes ${from}-${to}/${DIGITS.length}`), `part ${from}-${to}`);
        assert.ok(res.body.includes(DIGITS.slice(from, to + 1)));
      }
      return;
    }
    const match = /^bytes (\d+)-(\d+)\/10$/.exec(String(res.headers['content-range']));
    assert.ok(match, `Content-Range ${res.headers['content-range']}`);
    assert.equal(res.body, DIGITS.slice(Number(match[1]), Number(match[2]) + 1));
  });

  test('If-Range with the current ETag → 206; with a stale ETag or an old date → 200, whole file', async () => {
    const whole = await s().request('/digits.txt');
    assert.equal(whole.status, 200);
    const etag = whole.headers.etag;
    assert.ok(etag, 'a 200 carries an ETag');
    const current = await s().request('/digits.txt', { headers: { Range: 'bytes=0-4', 'If-Range': etag } });
    assert.equal(current.status, 206);
    assert.equal(current.body, '01234');
    for (const validator of ['"stale-etag"', 'W/"stale-etag"', 'Thu, 01 Jan 2015 00:00:00 GMT']) {
      const res = await s().request('/digits.txt', { headers: { Range: 'bytes=0-4', 'If-Range': validator } });
      assert.equal(res.status, 200, `If-Range: ${validator}`);
      assert.equal(res.body, DIGITS, `If-Range: ${validator}`);
    }
  });

  test('If-None-Match with the ETag of a 200 → 304', async () => {
    const whole = await s().request('/digits.txt');
    const etag = whole.headers.etag;
    assert.ok(etag);
    const res = await s().request('/digits.txt', { headers: { 'If-None-Match': etag } });
    assert.equal(res.status, 304);
    assert.equal(res.bytes.length, 0);
  });
});

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

describe('9. --spa with --clean-urls', () => {
  const INDEX = '<h1>spa index</h1>';
  const ABOUT = '<h1>about page</h1>';
  const s = site({ 'index.html': INDEX, 'about.html': ABOUT }, { config: { spa: true, cleanUrls: true } });

  test('/deep/route → 200 with index.html, no redirect', async () => {
    const res = await s().request('/deep/route');
    assert.equal(res.status, 200);
    assert.equal(res.headers.location, undefined);
    assert.equal(res.body, INDEX);
  });

  test('/about (about.html exists) → 200 with about.html', async () => {
    const res = await s().request('/about');
    assert.equal(res.status, 200);
    assert.equal(res.headers.location, undefined);
    assert.equal(res.body, ABOUT);
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
