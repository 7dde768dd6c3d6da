/**
 * `pier serve` as a child process under load its output can't keep up with:
 * what it costs is read from /proc/PID (resident memory, open descriptors) of
 * the pier process itself.
 */
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { pipelinedLoad } from '../helpers/attack-clients';
import { spawnPierUnread, startJson, tempDir } from '../helpers/cli';
import { fdCount, fdsSettle, MB, rssBytes, sleep } from '../helpers/proc';

/** GET `target` over a fresh connection, reading the whole (small) body; resolves with the status, 0 on an error. */
function get(port: number, target: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: target, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

test('--json with a stdout nobody reads: memory stays bounded, and a dropped line counts what was lost', async (t) => {
  const root = await tempDir(t, 'pier-cli-site-');
  await writeFile(path.join(root, 'hello.txt'), 'hello');
  const configHome = await tempDir(t, 'pier-cli-config-');
  // A capped V8 heap: under this load an uncapped heap grows by ~80 MB of
  // garbage whether or not stdout is read, which would hide the difference.
  // Capped, the garbage is collected, and unread output shows as growth (or
  // as the heap running out and the process dying, which fails the test too).
  const pier = await spawnPierUnread(t, [root], { configHome, nodeArgs: ['--max-old-space-size=96', '--max-semi-space-size=2'] });

  // Heavy log lines (the log keeps up to 2 KB of path and 512 characters of
  // User-Agent and Referer): about 3 KB of JSON per request, so 15,000 unread
  // lines are 45 MB of output, and more in memory.
  const ua = `pier-bounds-${'u'.repeat(480)}`;
  const referer = `http://127.0.0.1/${'r'.repeat(480)}`;
  const heavy = (i: number) =>
    `GET /hello.txt?${i}-${'q'.repeat(2_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${ua}\r\nReferer: ${referer}\r\n\r\n`;

  // Warm up before the baseline, reading nothing: JIT, pools, the first
  // output, and the request log's ring (5,000 entries, a bounded cost) filled
  // with lines as heavy as the ones to come.
  const warm = await pipelinedLoad(pier.port, { count: 6_000, deadline: Date.now() + 10_000, request: heavy });
  assert.ok(warm.ok > 0, `no request succeeded while warming up.\n${pier.stderr()}`);
  const rssBefore = rssBytes(pier.pid);
  const fdsBefore = fdCount(pier.pid);

  const { sent, ok } = await pipelinedLoad(pier.port, { count: 30_000, deadline: Date.now() + 12_000, request: heavy });
  let rssAfter = 0;
  try {
    rssAfter = rssBytes(pier.pid);
  } catch {
    // No /proc/PID/status, or a zombie's without VmRSS: gone.
  }
  const died = /FATAL ERROR.*/.exec(pier.stderr())?.[0] ?? pier.stderr().slice(0, 300);
  assert.ok(rssAfter > 0 && pier.child.exitCode === null, `pier died under the load, after ${ok} answers: ${died}`);
  const fdsAfter = await fdsSettle(fdsBefore + 5, 3_000, pier.pid);
  const grown = (rssAfter - rssBefore) / MB;
  t.diagnostic(`${warm.ok} + ${ok} requests answered 200 (${sent} sent after the warm-up); pier's RSS ${Math.round(rssBefore / MB)} → ${Math.round(rssAfter / MB)} MB; fds ${fdsBefore} → ${fdsAfter}`);
  // Not vacuous: enough requests that unbounded output would have shown.
  assert.ok(ok >= 15_000, `only ${ok} of ${sent} requests were answered within the time bound (a slow machine?).\n${pier.stderr()}`);
  assert.ok(grown < 40, `pier's RSS grew by ${grown.toFixed(1)} MB over ${ok} requests while nobody read its output`);
  assert.ok(fdsAfter <= fdsBefore + 5, `pier holds ${fdsAfter} descriptors after the load, ${fdsBefore} before`);

  // Read again: the drops are counted in one line, then request lines continue.
  const lines = await pier.readUntil((line) => line.startsWith('{"type":"dropped"'), 10_000);
  const dropped = lines.filter((line) => line.startsWith('{"type":"dropped"')).map((line) => JSON.parse(line) as { type: string; count: number });
  assert.equal(dropped.length, 1, 'one dropped line per stall');
  assert.ok(Number.isInteger(dropped[0]!.count) && dropped[0]!.count > 0, JSON.stringify(dropped[0]));
  const requestLines = lines.filter((line) => line.startsWith('{"type":"request"')).length;
  assert.ok(requestLines + dropped[0]!.count <= warm.sent + sent, 'no more lines than requests');

  const marker = '/hello.txt?after-the-stall';
  const seen = pier.readUntil((line) => line.includes(marker), 5_000);
  assert.equal(await get(pier.port, marker), 200);
  await seen;
});

test('text output with a stdout nobody reads: lines are dropped, then one line says how many', async (t) => {
  const root = await tempDir(t, 'pier-cli-site-');
  await writeFile(path.join(root, 'hello.txt'), 'hello');
  const configHome = await tempDir(t, 'pier-cli-config-');
  const pier = await spawnPierUnread(t, [root], { configHome, json: false });
  // About 2 KB per text line: 4,000 lines are far more than the 1 MiB bound and the pipe's 64 KB.
  const request = (i: number) => `GET /hello.txt?${i}-${'q'.repeat(2_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
  const { ok } = await pipelinedLoad(pier.port, { count: 4_000, deadline: Date.now() + 8_000, request });
  assert.ok(ok >= 1_000, `only ${ok} requests were answered.\n${pier.stderr()}`);
  const lines = await pier.readUntil((line) => /log lines dropped/.test(line), 5_000);
  const notice = lines.find((line) => /log lines dropped/.test(line))!;
  // eslint-disable-next-line no-control-regex
  const count = Number(/… (\d+) log lines dropped \(output was not being read\)/.exec(notice.replace(/\u001b\[\d+m/g, ''))?.[1]);
  assert.ok(count > 0, notice);
  assert.equal(lines.filter((line) => /log lines dropped/.test(line)).length, 1, 'one notice per stall');
});

test('out of file descriptors: requests get 503 with Retry-After, the server lives, and serves again once they are free', async (t) => {
  const root = await tempDir(t, 'pier-cli-site-');
  await writeFile(path.join(root, 'hello.txt'), 'hello');
  // Sparse, and far larger than what the socket buffers take in while the client doesn't read.
  await writeFile(path.join(root, 'big.bin'), '');
  await truncate(path.join(root, 'big.bin'), 256 * MB);
  const { pier, port } = await startJson(t, [root], { configHome: await tempDir(t, 'pier-cli-config-') });
  const pid = pier.child.pid!;
  assert.equal(await get(port, '/hello.txt'), 200);

  // Downloads that are never read each hold a socket and an open file; then
  // the process gets room for one more connection and nothing else.
  const downloads = 6;
  const held: http.ClientRequest[] = [];
  t.after(() => held.forEach((req) => req.destroy()));
  for (let i = 0; i < downloads; i++) {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/big.bin?${i}`, agent: false }, (res) => {
        res.pause(); // headers in, body never read: the file stays open
        resolve();
      });
      req.on('error', reject);
      held.push(req);
    });
  }
  // One more connection, accepted while there is still room; then no new
  // descriptor at all: the limit goes to the lowest free descriptor number.
  const spare = net.connect({ host: '127.0.0.1', port });
  t.after(() => spare.destroy());
  await new Promise<void>((resolve, reject) => spare.once('connect', resolve).once('error', reject));
  await sleep(200);
  const inUse = new Set(readdirSync(`/proc/${pid}/fd`).map(Number));
  let lowestFree = 0;
  while (inUse.has(lowestFree)) lowestFree++;
  // The soft limit only, so it can be raised again without privileges.
  const soft = execFileSync('prlimit', ['--pid', String(pid), '--nofile', '--output=SOFT', '--noheadings'], { encoding: 'utf8' }).trim();
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${lowestFree}:`]);

  const answer = await new Promise<string>((resolve, reject) => {
    let text = '';
    spare.setEncoding('latin1').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\r\n\r\n')) resolve(text);
    });
    spare.once('error', reject);
    setTimeout(() => reject(new Error(`no answer while out of descriptors: ${JSON.stringify(text)}`)), 5_000);
    spare.write('GET /big.bin?one-more HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
  assert.match(answer, /^HTTP\/1\.1 503 /);
  assert.match(answer, /\r\nRetry-After: 1\r\n/i);

  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:`]);
  for (const req of held.splice(0)) req.destroy();
  spare.destroy();
  await fdsSettle(inUse.size - 2 * downloads, 3_000, pid);
  assert.equal(await get(port, '/hello.txt'), 200);
  assert.equal(await get(port, '/hello.txt?again'), 200);
});
