/**
 * `pier serve --proxy PREFIX=URL[,URL...] --balance POLICY`, as a user runs
 * it (dist/ must be built): requests are forwarded and balanced, the log
 * lines name the upstream, and bad rules are usage errors in words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { runPier, startJson, tempDir } from '../helpers/cli';
import { request } from '../helpers/serve';
import { startUpstream } from '../helpers/upstreams';

test('--proxy forwards and balances; the JSON log line carries the upstream', async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const dir = await tempDir(t);
  const { pier, port } = await startJson(t, [dir, '--proxy', `/api=${a.url},${b.url}`, '--balance', 'round-robin'], { configHome: dir });
  const bodies = [];
  for (let i = 0; i < 4; i++) bodies.push((await request(port, '/api/x')).body);
  assert.deepEqual(bodies.sort(), ['a', 'a', 'b', 'b']);
  const lines = await pier.waitForLines((line) => line.includes('"type":"request"'), 4);
  const upstreams = lines.map((line) => (JSON.parse(line) as { upstream?: string }).upstream).sort();
  assert.deepEqual(upstreams, [a.url, a.url, b.url, b.url].sort());
});

test('a bad --proxy rule or policy is a usage error that says what is wrong', async (t) => {
  const dir = await tempDir(t);
  const noEquals = await runPier(t, ['serve', dir, '--proxy', 'http://127.0.0.1:3000'], { configHome: dir });
  assert.equal(noEquals.code, 2);
  assert.match(noEquals.stderr, /PREFIX=URL/);
  const badUrl = await runPier(t, ['serve', dir, '--proxy', '/api=ftp://x'], { configHome: dir });
  assert.equal(badUrl.code, 2);
  assert.match(badUrl.stderr, /http:\/\/ or https:\/\//);
  const badPolicy = await runPier(t, ['serve', dir, '--proxy', '/api=http://127.0.0.1:1', '--balance', 'random'], { configHome: dir });
  assert.equal(badPolicy.code, 2);
  assert.match(badPolicy.stderr, /round-robin, least-connections, sticky/);
  const twice = await runPier(t, ['serve', dir, '--proxy', '/api=http://127.0.0.1:1', '--proxy', '/api=http://127.0.0.1:2'], { configHome: dir });
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /same prefix/);
});
