import { test } from 'node:test';
import assert from 'node:assert/strict';

import { RequestDetailsStore } from '../../app/request-details';
import { RequestLog } from '../../app/request-log';

/** Request headers as Node hands them over (rawHeaders), about `bytes` long. */
const bigHeaders = (bytes: number, tag: string) => ['Host', 'localhost', 'X-Tag', tag, 'X-Big', 'x'.repeat(bytes)];
const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n';

test('10,000 requests with big headers: the store never holds more than its budget, and keeps the newest', () => {
  const budget = 2 * 1024 * 1024;
  const store = new RequestDetailsStore(5000, { budget, perRequest: 16 * 1024 });
  let peak = 0;
  for (let seq = 1; seq <= 10_000; seq++) {
    store.keep(seq, '1.1', false, bigHeaders(12_000, `r${seq}`), head, false);
    peak = Math.max(peak, store.bytes);
  }
  assert.ok(peak <= budget, `held ${peak} of ${budget}`);
  assert.equal(store.get(10_000)?.requestHeaders.find((h) => h.name === 'X-Tag')?.value, 'r10000');
  assert.equal(store.get(1), null, 'the oldest are gone');
  // Evicted: exactly those that didn't fit, the newest kept in a row.
  const keptCount = Array.from({ length: 10_000 }, (_, i) => store.get(i + 1)).filter(Boolean).length;
  assert.ok(keptCount > 100 && keptCount * 12_000 <= budget, `${keptCount} kept`);
  assert.ok(store.get(10_001 - keptCount) !== null && store.get(10_000 - keptCount) === null);
});

test('one request keeps at most its cap, and says its headers were cut', () => {
  const store = new RequestDetailsStore(10, { perRequest: 1000 });
  store.keep(1, '1.1', false, bigHeaders(5000, 'big'), head, false);
  const kept = store.get(1)!;
  assert.equal(kept.truncated, true);
  assert.ok(store.bytes <= 1000 + 64);
  assert.deepEqual(kept.requestHeaders.slice(0, 2), [
    { name: 'Host', value: 'localhost' },
    { name: 'X-Tag', value: 'big' },
  ]);
});

test('the entry cap: no more are kept than the log holds; clear forgets all', () => {
  const log = new RequestLog(3);
  for (let i = 0; i < 5; i++) {
    const seq = log.record('GET', `/${i}`, 200, 1, 1, '127.0.0.1', '', '');
    log.details.keep(seq, '1.1', false, ['Host', 'h'], head, false);
  }
  assert.deepEqual([1, 2, 3, 4, 5].map((seq) => log.details.get(seq) !== null), [false, false, true, true, true]);
  assert.equal(log.entry(3)?.path, '/2');
  assert.equal(log.entry(2), null);
  log.clear();
  assert.equal(log.details.get(5), null);
  assert.equal(log.details.bytes, 0);
  const seq = log.record('GET', '/after', 200, 1, 1, '127.0.0.1', '', '');
  log.details.keep(seq, '1.1', true, ['Host', 'h'], null, false);
  assert.equal(log.details.get(seq)?.secure, true);
  assert.deepEqual(log.details.get(seq)?.responseHeaders, []);
});

test('with a password, Set-Cookie values in the response are redacted too', () => {
  const store = new RequestDetailsStore(4);
  store.keep(1, '1.1', false, ['Authorization', 'Basic YW5uOnB3'], 'HTTP/1.1 200 OK\r\nSet-Cookie: sid=secret; Path=/\r\n\r\n', true);
  const kept = store.get(1)!;
  assert.deepEqual(kept.requestHeaders, [{ name: 'Authorization', value: '[redacted]' }]);
  assert.deepEqual(kept.responseHeaders, [{ name: 'Set-Cookie', value: 'sid=[redacted]; Path=/' }]);
});
