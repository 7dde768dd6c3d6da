import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LogEntry } from '../../app/contract';
import { DEFAULT_LOG_CAPACITY, RequestLog } from '../../app/request-log';

/** Record `n` requests; request k (1-based, over the log's lifetime) has path /k. */
function recordMany(log: RequestLog, n: number, status = 200): void {
  for (let k = 0; k < n; k++) {
    const seq = log.lastSeq + 1;
    log.record('GET', `/${seq}`, status, seq * 10, 1.5, '127.0.0.1', 'ua', 'ref', 1_000 + seq);
  }
}

/** Resolves after every immediate already queued has run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const pendingImmediates = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;

test('defaults to a capacity of 5,000', () => {
  assert.equal(DEFAULT_LOG_CAPACITY, 5000);
  assert.equal(new RequestLog().capacity, 5000);
  assert.throws(() => new RequestLog(0), RangeError);
  assert.throws(() => new RequestLog(2.5), RangeError);
});

test('holds every field of an entry, oldest first', () => {
  const log = new RequestLog(10);
  assert.equal(log.size, 0);
  assert.equal(log.lastSeq, 0);
  assert.deepEqual(log.entries(), []);

  log.record('GET', '/index.html', 200, 51_200, 2.5, '192.168.1.20', 'Mozilla/5.0', 'http://x/', 1_700_000_000_000);
  log.record('HEAD', '/missing', 404, 0, 0.25, '::1', '', '', 1_700_000_000_001);

  assert.equal(log.size, 2);
  assert.equal(log.lastSeq, 2);
  assert.deepEqual(log.entries(), [
    {
      seq: 1,
      time: 1_700_000_000_000,
      method: 'GET',
      path: '/index.html',
      status: 200,
      bytes: 51_200,
      ms: 2.5,
      ip: '192.168.1.20',
      userAgent: 'Mozilla/5.0',
      referer: 'http://x/',
    },
    {
      seq: 2,
      time: 1_700_000_000_001,
      method: 'HEAD',
      path: '/missing',
      status: 404,
      bytes: 0,
      ms: 0.25,
      ip: '::1',
      userAgent: '',
      referer: '',
    },
  ] satisfies LogEntry[]);
});

test('time defaults to now', () => {
  const log = new RequestLog(2);
  const before = Date.now();
  log.record('GET', '/', 200, 0, 0, 'ip', '', '');
  const [entry] = log.entries();
  assert.ok(entry!.time >= before && entry!.time <= Date.now());
});

test('wraps around: capacity 3, 7 recorded → holds seq 5, 6, 7', () => {
  const log = new RequestLog(3);
  recordMany(log, 7);
  assert.equal(log.size, 3);
  assert.equal(log.lastSeq, 7);
  const entries = log.entries();
  assert.deepEqual(
    entries.map((e) => e.seq),
    [5, 6, 7],
  );
  // The columns wrapped together: each seq still carries its own fields.
  assert.deepEqual(
    entries.map((e) => [e.path, e.bytes, e.time]),
    [
      ['/5', 50, 1005],
      ['/6', 60, 1006],
      ['/7', 70, 1007],
    ],
  );
});

test('wraps around exactly at capacity and many times over', () => {
  const log = new RequestLog(3);
  recordMany(log, 3);
  assert.deepEqual(log.entries().map((e) => e.path), ['/1', '/2', '/3']);
  recordMany(log, 1000);
  assert.deepEqual(log.entries().map((e) => e.path), ['/1001', '/1002', '/1003']);
});

test('entries() filters by afterSeq and keeps the newest `limit`', () => {
  const log = new RequestLog(5);
  recordMany(log, 8); // holds 4..8
  const seqs = (options: { afterSeq?: number; limit?: number }) => log.entries(options).map((e) => e.seq);

  assert.deepEqual(seqs({}), [4, 5, 6, 7, 8]);
  assert.deepEqual(seqs({ afterSeq: 6 }), [7, 8]);
  assert.deepEqual(seqs({ afterSeq: 0 }), [4, 5, 6, 7, 8]);
  assert.deepEqual(seqs({ afterSeq: 8 }), []);
  assert.deepEqual(seqs({ afterSeq: 100 }), []);
  assert.deepEqual(seqs({ limit: 2 }), [7, 8]);
  assert.deepEqual(seqs({ limit: 100 }), [4, 5, 6, 7, 8]);
  assert.deepEqual(seqs({ limit: 0 }), []);
  assert.deepEqual(seqs({ afterSeq: 4, limit: 2 }), [7, 8]);
  assert.deepEqual(seqs({ afterSeq: 6, limit: 3 }), [7, 8]);
});

test('counters count requests, bytes and each status class; 1xx only as a request', () => {
  const log = new RequestLog(2); // counters outlive the entries
  const statuses = [101, 200, 204, 206, 301, 304, 400, 404, 404, 500, 503];
  for (const status of statuses) log.record('GET', '/', status, 100, 1, 'ip', '', '');

  assert.deepEqual(log.counters(), {
    requests: 11,
    bytes: 1_100,
    s2xx: 3,
    s3xx: 2,
    s4xx: 3,
    s5xx: 2,
  });

  log.resetCounters();
  assert.deepEqual(log.counters(), { requests: 0, bytes: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 });
  assert.equal(log.size, 2, 'resetCounters leaves the entries');
  log.record('GET', '/', 200, 7, 1, 'ip', '', '');
  assert.deepEqual(log.counters(), { requests: 1, bytes: 7, s2xx: 1, s3xx: 0, s4xx: 0, s5xx: 0 });
});

test('clear() empties the buffer; seq and counters continue', () => {
  const log = new RequestLog(5);
  recordMany(log, 4);
  log.clear();
  assert.equal(log.size, 0);
  assert.deepEqual(log.entries(), []);
  assert.equal(log.lastSeq, 4);
  assert.equal(log.counters().requests, 4);

  recordMany(log, 3);
  assert.deepEqual(
    log.entries().map((e) => [e.seq, e.path]),
    [
      [5, '/5'],
      [6, '/6'],
      [7, '/7'],
    ],
  );
  assert.equal(log.counters().requests, 7);
});

test('long client-controlled strings are truncated', () => {
  const log = new RequestLog(2);
  const huge = 'a'.repeat(1_000_000);
  log.record('GET', `/${huge}`, 200, 0, 0, '127.0.0.1', huge, huge);
  const [entry] = log.entries();
  assert.equal(entry!.path.length, 2048);
  assert.ok(entry!.path.startsWith('/aaa'));
  assert.equal(entry!.userAgent.length, 512);
  assert.equal(entry!.referer.length, 512);

  log.record('GET', '/short', 200, 0, 0, '127.0.0.1', 'curl/8', 'http://x/');
  const [, short] = log.entries();
  assert.deepEqual([short!.path, short!.userAgent, short!.referer], ['/short', 'curl/8', 'http://x/']);
});

test('truncated strings do not keep the long originals alive', () => {
  // A substring in V8 can be a view that retains its whole parent string.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const log = new RequestLog(50);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 50; i++) {
    const long = `${i}-`.repeat(300_000); // about 1 MB each, distinct
    log.record('GET', `/${long}`, 200, 0, 0, '127.0.0.1', long, long);
  }
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  assert.equal(log.size, 50);
  assert.ok(retained < 10_000_000, `log retains ${(retained / 1e6).toFixed(1)} MB`);
});

test('a subscriber gets everything recorded in one turn as one batch', async () => {
  const log = new RequestLog(1000);
  const batches: LogEntry[][] = [];
  log.subscribe((batch) => batches.push(batch));

  recordMany(log, 100);
  assert.equal(batches.length, 0, 'delivery waits for the end of the turn');
  await nextTurn();
  assert.equal(batches.length, 1);
  assert.deepEqual(
    batches[0]!.map((e) => e.seq),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );

  recordMany(log, 2);
  await nextTurn();
  recordMany(log, 3);
  await nextTurn();
  assert.deepEqual(
    batches.map((b) => b.map((e) => e.seq)).slice(1),
    [
      [101, 102],
      [103, 104, 105],
    ],
  );
});

test('unsubscribing stops delivery', async () => {
  const log = new RequestLog(10);
  const a: number[] = [];
  const b: number[] = [];
  const offA = log.subscribe((batch) => a.push(...batch.map((e) => e.seq)));
  log.subscribe((batch) => b.push(...batch.map((e) => e.seq)));

  recordMany(log, 1);
  await nextTurn();
  offA();
  offA(); // a second call does nothing
  recordMany(log, 1);
  await nextTurn();

  assert.deepEqual(a, [1]);
  assert.deepEqual(b, [1, 2]);
});

test('unsubscribing the last listener before the flush cancels it', async () => {
  const log = new RequestLog(10);
  const calls: LogEntry[][] = [];
  const off = log.subscribe((batch) => calls.push(batch));
  const before = pendingImmediates();
  recordMany(log, 3);
  assert.equal(pendingImmediates(), before + 1);
  off();
  assert.equal(pendingImmediates(), before);
  await nextTurn();
  assert.equal(calls.length, 0);
});

test('a batch larger than capacity delivers only the newest `capacity`', async () => {
  const log = new RequestLog(10);
  const batches: LogEntry[][] = [];
  log.subscribe((batch) => batches.push(batch));
  recordMany(log, 25);
  await nextTurn();
  assert.equal(batches.length, 1);
  assert.deepEqual(
    batches[0]!.map((e) => e.seq),
    [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
  );
});

test('a throwing listener does not stop the next listener or the log', async (t) => {
  const emitWarning = t.mock.method(process, 'emitWarning', () => {});
  const log = new RequestLog(10);
  const received: number[] = [];
  log.subscribe(() => {
    throw new Error('listener broke');
  });
  log.subscribe((batch) => received.push(...batch.map((e) => e.seq)));

  recordMany(log, 2);
  await nextTurn();
  recordMany(log, 1);
  await nextTurn();

  assert.deepEqual(received, [1, 2, 3]);
  assert.equal(log.size, 3);
  assert.equal(emitWarning.mock.callCount(), 2, 'each failure is reported');
  assert.match(String(emitWarning.mock.calls[0]!.arguments[0]), /listener broke/);
});

test('with no subscribers, record() schedules nothing; a later subscriber gets no replay', async () => {
  const log = new RequestLog(10);
  const before = pendingImmediates();
  recordMany(log, 5);
  assert.equal(pendingImmediates(), before, 'no flush scheduled without subscribers');

  const seen: number[][] = [];
  log.subscribe((batch) => seen.push(batch.map((e) => e.seq)));
  await nextTurn();
  assert.deepEqual(seen, [], 'old entries are not replayed');

  recordMany(log, 1);
  assert.equal(pendingImmediates(), before + 1, 'one flush scheduled once someone listens');
  recordMany(log, 5);
  assert.equal(pendingImmediates(), before + 1, 'still one flush for the whole turn');
  await nextTurn();
  assert.deepEqual(seen, [[6, 7, 8, 9, 10, 11]]);
});

test('a listener subscribing mid-turn gets only what came after', async () => {
  const log = new RequestLog(10);
  const early: number[][] = [];
  const late: number[][] = [];
  log.subscribe((batch) => early.push(batch.map((e) => e.seq)));
  recordMany(log, 2);
  log.subscribe((batch) => late.push(batch.map((e) => e.seq)));
  recordMany(log, 2);
  await nextTurn();
  assert.deepEqual(early, [[1, 2, 3, 4]]);
  assert.deepEqual(late, [[3, 4]]);
});

test('entries a listener records while being called arrive in the next batch', async () => {
  const log = new RequestLog(10);
  const seen: number[][] = [];
  log.subscribe((batch) => {
    seen.push(batch.map((e) => e.seq));
    if (seen.length === 1) recordMany(log, 1);
  });
  recordMany(log, 2);
  await nextTurn();
  await nextTurn();
  assert.deepEqual(seen, [[1, 2], [3]]);
});

test('entries cleared before the flush are not delivered', async () => {
  const log = new RequestLog(10);
  const seen: number[][] = [];
  log.subscribe((batch) => seen.push(batch.map((e) => e.seq)));
  recordMany(log, 3);
  log.clear();
  await nextTurn();
  assert.deepEqual(seen, []);
  recordMany(log, 1);
  await nextTurn();
  assert.deepEqual(seen, [[4]]);
});
