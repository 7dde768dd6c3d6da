/**
 * The request log as the UI receives it: one entry per finished request, with
 * what was asked and what was answered, delivered in batches through the
 * manager's `log` event, counted, and bounded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { LogEntry, ServerState } from '../../app/contract';
import { ServerManager } from '../../app/server-manager';
import { request, tempDir, writeTree, type RawResponse, type RequestOptions } from '../helpers/serve';

let base: string;
let root: string;
const managers: ServerManager[] = [];

before(async () => {
  base = await tempDir('pier-it-log-');
  root = path.join(base, 'site');
  await writeTree(root, { 'index.html': '<h1>home</h1>', 'hello.txt': 'hello', 'data.txt': '0123456789abcdef', sub: { 'a.txt': 'a' } });
});
after(async () => {
  await Promise.all(managers.map((m) => m.stopAll()));
  await rm(base, { recursive: true, force: true });
});

interface LoggedServer {
  manager: ServerManager;
  state: ServerState;
  port: number;
  /** Every batch the manager's `log` event delivered, with the id it named. */
  batches: Array<{ id: string; entries: LogEntry[] }>;
  get: (target: string, options?: RequestOptions) => Promise<RawResponse>;
  /** The entries delivered so far, flattened. */
  delivered: () => LogEntry[];
  /** Wait until `n` entries have been delivered (the log records when a response closes). */
  waitFor: (n: number) => Promise<LogEntry[]>;
}

async function start(options: Record<string, unknown> = {}, logCapacity?: number): Promise<LoggedServer> {
  const manager = new ServerManager({ newId: () => 'log-test', lanAddresses: () => ['192.168.1.20'], ...(logCapacity ? { logCapacity } : {}) });
  managers.push(manager);
  const batches: LoggedServer['batches'] = [];
  manager.on('log', (id, entries) => batches.push({ id, entries: [...entries] }));
  const result = await manager.create({ root, ...options }, { start: true });
  if (!result.ok) assert.fail(`${result.code}: ${result.message}`);
  const state = result.value;
  const port = state.port as number;
  const delivered = () => batches.flatMap((b) => b.entries);
  return {
    manager,
    state,
    port,
    batches,
    get: (target, requestOptions) => request(port, target, requestOptions),
    delivered,
    waitFor: async (n) => {
      for (let waited = 0; delivered().length < n; waited += 5) {
        if (waited > 3_000) assert.fail(`only ${delivered().length} of ${n} log entries arrived`);
        await sleep(5);
      }
      return delivered();
    },
  };
}

describe('one entry per request', () => {
  let s: LoggedServer;
  const responses: RawResponse[] = [];
  let startedAt: number;
  let entries: LogEntry[];

  before(async () => {
    s = await start();
    startedAt = Date.now();
    const headers = { 'User-Agent': 'PierTest/1.0 (integration)', Referer: 'http://127.0.0.1/from-here' };
    responses.push(await s.get('/hello.txt?x=1', { headers }));
    responses.push(await s.get('/hello.txt', { method: 'HEAD', headers }));
    responses.push(await s.get('/missing.txt', { headers }));
    const etag = responses[0]!.headers.etag as string;
    responses.push(await s.get('/hello.txt', { headers: { ...headers, 'If-None-Match': etag } }));
    responses.push(await s.get('/%2e%2e/secret.txt', { headers }));
    responses.push(await s.get('/data.txt', { headers: { ...headers, Range: 'bytes=2-5' } }));
    responses.push(await s.get('/sub/', { headers }));
    responses.push(await s.get('/hello.txt', { method: 'POST', body: 'x', headers }));
    responses.push(await s.get('/sub', { headers: {} }));
    // HEAD on pages Pier renders itself (a listing, the 404 page): no body goes out.
    responses.push(await s.get('/sub/', { method: 'HEAD', headers }));
    responses.push(await s.get('/missing.txt', { method: 'HEAD', headers }));
    entries = await s.waitFor(responses.length);
  });

  test('the statuses are what the client got, in order, with seq from 1', () => {
    assert.deepEqual(
      entries.map((e) => e.status),
      responses.map((r) => r.status),
    );
    assert.deepEqual(
      entries.map((e) => e.status),
      [200, 200, 404, 304, 400, 206, 200, 405, 301, 200, 404],
    );
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
  });

  test('method and path are logged as requested (raw, with the query)', () => {
    assert.deepEqual(
      entries.map((e) => `${e.method} ${e.path}`),
      [
        'GET /hello.txt?x=1',
        'HEAD /hello.txt',
        'GET /missing.txt',
        'GET /hello.txt',
        'GET /%2e%2e/secret.txt',
        'GET /data.txt',
        'GET /sub/',
        'POST /hello.txt',
        'GET /sub',
        'HEAD /sub/',
        'HEAD /missing.txt',
      ],
    );
  });

  test('bytes are the body bytes the client received; 0 for HEAD and 304', () => {
    assert.equal(entries[0]!.bytes, 5);
    assert.equal(entries[1]!.bytes, 0, 'HEAD');
    assert.equal(entries[3]!.bytes, 0, '304');
    assert.equal(entries[5]!.bytes, 4, 'range 2-5');
    assert.equal(entries[9]!.bytes, 0, 'HEAD of a listing');
    assert.equal(entries[10]!.bytes, 0, 'HEAD of the 404 page');
    entries.forEach((entry, i) => {
      const expected = entry.method === 'HEAD' ? 0 : responses[i]!.bytes.length;
      assert.equal(entry.bytes, expected, `${entry.method} ${entry.path}`);
    });
  });

  test('time, duration, client address, user agent and referer', () => {
    for (const entry of entries) {
      assert.ok(entry.ms >= 0 && entry.ms < 5_000, `ms ${entry.ms}`);
      assert.ok(entry.time >= startedAt && entry.time <= Date.now(), `time ${entry.time}`);
      assert.equal(entry.ip, '127.0.0.1');
    }
    assert.equal(entries[0]!.userAgent, 'PierTest/1.0 (integration)');
    assert.equal(entries[0]!.referer, 'http://127.0.0.1/from-here');
    // A request without them logs empty strings.
    assert.equal(entries[8]!.userAgent, '');
    assert.equal(entries[8]!.referer, '');
  });

  test('the manager delivered them under the server id, and the log holds the same entries', () => {
    assert.ok(s.batches.length >= 1);
    for (const batch of s.batches) assert.equal(batch.id, s.state.id);
    const held = s.manager.get(s.state.id)?.log.entries() ?? [];
    assert.deepEqual(held, entries);
  });

  test('counters sum up the mix, and the server state carries them', () => {
    const counters = s.manager.list()[0]!.counters;
    const bodyBytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    assert.deepEqual(counters, { requests: 11, bytes: bodyBytes, s2xx: 5, s3xx: 2, s4xx: 4, s5xx: 0 });
  });
});

describe('delivery', () => {
  test('concurrent requests arrive in batches, each entry once, in seq order', async () => {
    const s = await start();
    const n = 40;
    await Promise.all(Array.from({ length: n }, (_, i) => s.get(i % 2 ? '/hello.txt' : `/missing-${i}.txt`)));
    const entries = await s.waitFor(n);
    assert.equal(entries.length, n);
    assert.deepEqual(
      entries.map((e) => e.seq),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    assert.ok(s.batches.every((b) => b.entries.length > 0));
    assert.equal(entries.filter((e) => e.status === 200).length, n / 2);
    assert.equal(entries.filter((e) => e.status === 404).length, n / 2);
  });

  test('a client behind a LAN-mode server (dual-stack socket) is still logged as 127.0.0.1', async () => {
    const s = await start({ lan: true });
    await s.get('/hello.txt');
    const [entry] = await s.waitFor(1);
    assert.equal(entry!.ip, '127.0.0.1');
  });

  test('a password-protected server logs the 401s and the 200s', async () => {
    const s = await start({ auth: { username: 'u', password: 'p' } });
    await s.get('/hello.txt');
    await s.get('/hello.txt', { headers: { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
    const entries = await s.waitFor(2);
    assert.deepEqual(
      entries.map((e) => e.status),
      [401, 200],
    );
  });

  test('over-long user agents are cut to 512 characters', async () => {
    const s = await start();
    await s.get('/hello.txt', { headers: { 'User-Agent': 'x'.repeat(2_000) } });
    const [entry] = await s.waitFor(1);
    assert.equal(entry!.userAgent, 'x'.repeat(512));
  });
});

describe('bounded', () => {
  test('with logCapacity 5, the log holds the newest 5; seq and counters keep counting', async () => {
    const s = await start({}, 5);
    for (let i = 1; i <= 12; i++) await s.get(`/hello.txt?n=${i}`);
    await s.waitFor(12);
    const log = s.manager.get(s.state.id)!.log;
    const held = log.entries();
    assert.equal(held.length, 5);
    assert.deepEqual(
      held.map((e) => [e.seq, e.path]),
      [8, 9, 10, 11, 12].map((n) => [n, `/hello.txt?n=${n}`]),
    );
    const counters = s.manager.list()[0]!.counters;
    assert.equal(counters.requests, 12);
    assert.equal(counters.s2xx, 12);
    assert.equal(counters.bytes, 12 * 5);
  });

  test('the log survives a restart of the server (stop/start keeps entries and seq)', async () => {
    const s = await start();
    await s.get('/hello.txt');
    await s.waitFor(1);
    await s.manager.stop(s.state.id);
    const restarted = await s.manager.start(s.state.id);
    assert.ok(restarted.ok);
    await request(restarted.value.port as number, '/hello.txt');
    const entries = await s.waitFor(2);
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2],
    );
    assert.equal(s.manager.list()[0]!.counters.requests, 2);
  });
});
