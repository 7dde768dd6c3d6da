/**
 * Request details as the window gets them: the headers a real request sent
 * and got, kept beside its log entry; secrets redacted when the server has a
 * password; and "Copy as cURL" commands that, run by a real shell and curl,
 * make the same request again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import type { LogEntry } from '../../app/contract';
import type { RequestLog } from '../../app/request-log';
import { requestDetails } from '../../app/request-details-view';
import { ServerManager } from '../../app/server-manager';
import { request, tempDir, writeTree } from '../helpers/serve';

const run = promisify(execFile);
let base: string;
let root: string;
const managers: ServerManager[] = [];

before(async () => {
  base = await tempDir('pier-it-details-');
  root = path.join(base, 'site');
  await writeTree(root, { 'hello.txt': 'hello' });
});
after(async () => {
  await Promise.all(managers.map((m) => m.stopAll()));
  await rm(base, { recursive: true, force: true });
});

async function start(options: Record<string, unknown> = {}): Promise<{ port: number; log: RequestLog }> {
  const manager = new ServerManager({ newId: () => `details-${managers.length}` });
  managers.push(manager);
  const created = await manager.create({ root, ...options }, { start: true });
  if (!created.ok) assert.fail(created.message);
  return { port: created.value.port as number, log: manager.get(created.value.id)!.log };
}

/** The newest entry once there are `n` (the log records when a response closes). */
async function nth(log: RequestLog, n: number): Promise<LogEntry> {
  for (let waited = 0; log.lastSeq < n; waited += 5) {
    if (waited > 3_000) assert.fail(`only ${log.lastSeq} of ${n} requests were logged`);
    await sleep(5);
  }
  return log.entry(n)!;
}

test('the headers a request sent and got are kept for its details, and copy as cURL makes the same request', async () => {
  const { port, log } = await start();
  const sent = {
    'User-Agent': 'PierTest/1.0',
    Accept: 'text/plain',
    'X-Quotes': `it's "quoted" $HOME \`id\` \\ ; & | *`,
    'X-Empty': '',
    Cookie: 'session=abc; theme=dark',
  };
  await request(port, '/hello.txt?x=1&y=two%20words', { headers: sent });
  const first = await nth(log, 1);
  const kept = log.details.get(first.seq);
  assert.ok(kept, 'the headers are kept');
  for (const [name, value] of Object.entries(sent)) assert.ok(kept.requestHeaders.some((h) => h.name === name && h.value === value), `${name} kept`);
  assert.ok(kept.responseHeaders.some((h) => h.name.toLowerCase() === 'content-type' && h.value.startsWith('text/plain')));
  assert.equal(kept.redacted, false);

  const details = requestDetails(first, kept, `127.0.0.1:${port}`);
  assert.equal(details.url, `http://127.0.0.1:${port}/hello.txt?x=1&y=two%20words`);
  assert.ok(!/-H 'Host:/i.test(details.curl) && !/Connection:/i.test(details.curl), details.curl);

  // A real shell and a real curl run the command: the server sees the same request again.
  await run('/bin/sh', ['-c', `${details.curl} -s -o /dev/null`]);
  const again = await nth(log, 2);
  assert.equal(again.method, 'GET');
  assert.equal(again.path, first.path);
  const replayed = log.details.get(again.seq)!;
  for (const [name, value] of Object.entries(sent)) {
    assert.ok(replayed.requestHeaders.some((h) => h.name.toLowerCase() === name.toLowerCase() && h.value === value), `${name}: ${value} sent again`);
  }
});

test('copy as cURL keeps the method: HEAD and DELETE run again as themselves', async () => {
  const { port, log } = await start();
  await request(port, '/hello.txt', { method: 'HEAD' });
  await request(port, '/hello.txt', { method: 'DELETE', headers: { 'X-Why': 'test' } });
  for (const seq of [1, 2]) {
    const entry = await nth(log, seq);
    const { curl } = requestDetails(entry, log.details.get(seq)!, `127.0.0.1:${port}`);
    await run('/bin/sh', ['-c', `${curl} -s -o /dev/null`]).catch(() => undefined);
    const replayed = await nth(log, seq + 2);
    assert.equal(replayed.method, entry.method);
  }
});

test('with a password, Authorization and cookie values are never kept', async () => {
  const { port, log } = await start({ auth: { username: 'ann', password: 'hunter2-secret' } });
  const authorization = `Basic ${Buffer.from('ann:hunter2-secret').toString('base64')}`;
  await request(port, '/hello.txt', { headers: { Authorization: authorization, Cookie: 'session=abc123; theme=dark' } });
  const entry = await nth(log, 1);
  assert.equal(entry.status, 200);
  const kept = log.details.get(entry.seq)!;
  assert.equal(kept.redacted, true);
  const text = JSON.stringify(kept);
  assert.ok(!text.includes('hunter2') && !text.includes(authorization.slice(6)) && !text.includes('abc123'), text);
  assert.ok(kept.requestHeaders.some((h) => h.name === 'Authorization' && h.value === '[redacted]'));
  assert.ok(kept.requestHeaders.some((h) => h.name === 'Cookie' && h.value === 'session=[redacted]; theme=[redacted]'));
});
