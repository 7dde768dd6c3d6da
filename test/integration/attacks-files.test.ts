/**
 * Attacks on what a server hands out — files, folder listings, byte ranges —
 * found against `pier serve` of a plain folder, each turned into a bounded
 * test of the engine (a ServerInstance in this process, real sockets on
 * 127.0.0.1, real temp folders). Races run for a fixed time and count; what
 * they cost is measured where it shows: the descriptors of this process,
 * which is the server's process too. Timings in here are liveness bounds
 * ("answers within 2 s"), never performance goals. Attacks on connections
 * and the server's life are in attacks-connections.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

import { fsChurn, hangUpAfterHeaders, pool, requestCapped } from '../helpers/attack-clients';
import { fdCount, fdsSettle, MB, within } from '../helpers/proc';
import { link, serve, serveForSuite as site, type ServedSite } from '../helpers/serve';

// Every file outside the root holds this marker, and one outside file has it in
// its name: no response body may ever contain it.
const OUTSIDE = 'PIER-OUTSIDE-5b1e';
const INSIDE = 'PIER-INSIDE-public';
const HELLO = 'hello';

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
