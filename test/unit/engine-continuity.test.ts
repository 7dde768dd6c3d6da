import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { LogBatch, LogEntry, RequestCounters } from '../../app/contract';
import { EngineContinuity } from '../../main/engine-continuity';

const counters = (requests: number): RequestCounters => ({ requests, bytes: requests, s2xx: requests, s3xx: 0, s4xx: 0, s5xx: 0 });
const entries = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i): LogEntry => ({ seq: from + i, time: 0, method: 'GET', path: '/', status: 200, bytes: 1, ms: 1, ip: '', userAgent: '', referer: '' }));
const batch = (from: number, to: number, requests: number): LogBatch => ({ id: 's', entries: entries(from, to), counters: counters(requests) });

test('Clear starts the counts from zero, also when the engine was replaced before; request numbers go on', () => {
  const continuity = new EngineContinuity();
  continuity.batch(batch(1, 5, 5));
  continuity.restarted();
  // The new engine counts from zero: the window sees 5 + what it reports.
  assert.equal(continuity.batch(batch(1, 2, 2)).counters.requests, 7);
  continuity.cleared('s');
  // The engine was cleared too (its counters restart): nothing from before the clear comes back.
  const after = continuity.batch(batch(3, 3, 1));
  assert.equal(after.counters.requests, 1);
  assert.equal(after.entries[0]?.seq, 8);
  continuity.restarted();
  assert.equal(continuity.batch(batch(1, 1, 1)).counters.requests, 2);
});

test("a request's number in the window maps back to the current engine's, or to none for an earlier engine's", () => {
  const continuity = new EngineContinuity();
  continuity.batch(batch(1, 5, 5));
  assert.equal(continuity.engineSeq('s', 5), 5);
  continuity.restarted();
  assert.equal(continuity.engineSeq('s', 5), null, 'from the engine before');
  assert.equal(continuity.engineSeq('s', 6), 1);
  assert.equal(continuity.engineSeq('other', 3), 3);
});
