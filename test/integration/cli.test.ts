/**
 * `pier serve` as a user runs it: `node bin/pier.js serve DIR ...`, real temp
 * folders, real sockets on 127.0.0.1, and only what the user sees: stdout,
 * stderr, exit codes and HTTP responses.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import {
  canBind,
  freePort,
  get,
  listeningAddresses,
  PROJECT,
  runPier,
  spawnPier,
  startJson,
  tempDir,
} from '../helpers/cli';

const VERSION = (JSON.parse(readFileSync(path.join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version;

const INDEX = '<!doctype html><h1>Pier test site</h1>\n';
const ABOUT = '<!doctype html><h1>About</h1>\n';

/** A small site (index, a page, a folder without index) and a separate config folder. */
async function site(t: TestContext): Promise<{ root: string; configHome: string }> {
  const root = await tempDir(t, 'pier-cli-site-');
  await writeFile(path.join(root, 'index.html'), INDEX);
  await writeFile(path.join(root, 'about.html'), ABOUT);
  await mkdir(path.join(root, 'docs'));
  await writeFile(path.join(root, 'docs', 'notes.txt'), 'notes\n');
  return { root, configHome: await tempDir(t, 'pier-cli-config-') };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

test('--json: the first line is the listening line, then one request line per request', async (t) => {
  const { root, configHome } = await site(t);
  const { pier, first, port } = await startJson(t, [root], { configHome });
  assert.match(first, /^\{"type":"listening","url":"http:\/\/127\.0\.0\.1:\d+\/","lanUrls":\[\]\}$/);
  assert.equal(first, `{"type":"listening","url":"http://127.0.0.1:${port}/","lanUrls":[]}`);

  const headers = { 'User-Agent': 'pier-cli-test', Referer: 'http://127.0.0.1/from' };
  // Keep-alive, as browsers do; the next test covers clients that hang up at once.
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const home = await get(`http://127.0.0.1:${port}/`, { headers, agent });
  assert.equal(home.status, 200);
  assert.equal(home.body, INDEX);
  const missing = await get(`http://127.0.0.1:${port}/missing.txt`, { headers, agent });
  assert.equal(missing.status, 404);

  const lines = await pier.waitForLines((line) => line.startsWith('{"type":"request"'), 2);
  const [a, b] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const fields = ['type', 'seq', 'time', 'method', 'path', 'status', 'bytes', 'ms', 'ip', 'userAgent', 'referer'];
  for (const entry of [a!, b!]) {
    assert.deepEqual(Object.keys(entry).sort(), [...fields].sort());
    assert.equal(typeof entry.time, 'number');
    assert.ok(Math.abs((entry.time as number) - Date.now()) < 60_000, 'time is epoch milliseconds of about now');
    assert.equal(typeof entry.ms, 'number');
    assert.ok((entry.ms as number) >= 0);
    assert.equal(entry.method, 'GET');
    assert.equal(entry.ip, '127.0.0.1');
    assert.equal(entry.userAgent, 'pier-cli-test');
    assert.equal(entry.referer, 'http://127.0.0.1/from');
  }
  assert.deepEqual([a!.seq, a!.path, a!.status, a!.bytes], [1, '/', 200, Buffer.byteLength(INDEX)]);
  assert.deepEqual([b!.seq, b!.path, b!.status], [2, '/missing.txt', 404]);
  assert.equal(typeof b!.bytes, 'number');
  assert.equal(pier.lines.length, 3, 'nothing else on stdout');
  assert.equal(pier.stderr, '');
});

test('--json: the request line has the client address also when the client hangs up at once', async (t) => {
  const { root, configHome } = await site(t);
  const { pier, url } = await startJson(t, [root], { configHome });
  const count = 10;
  for (let i = 0; i < count; i++) assert.equal((await get(url)).status, 200); // a new connection each, Connection: close
  const lines = await pier.waitForLines((line) => line.startsWith('{"type":"request"'), count);
  const ips = lines.map((line) => (JSON.parse(line) as { ip: string }).ip);
  assert.deepEqual(ips, Array<string>(count).fill('127.0.0.1'));
});

test('--json: a folder deleted while serving is reported, and so is its return, on the same URL', async (t) => {
  const { root, configHome } = await site(t);
  const { pier, url } = await startJson(t, [root], { configHome });
  await rm(root, { recursive: true, force: true });
  const [gone] = await pier.waitForLines((line) => line.startsWith('{"type":"error"'));
  const error = JSON.parse(gone!) as { code: string; message: string };
  assert.equal(error.code, 'FOLDER_MISSING');
  assert.match(error.message, new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is gone`));
  assert.equal((await get(url)).status, 503);

  await mkdir(root);
  await writeFile(path.join(root, 'index.html'), INDEX);
  const [back] = await pier.waitForLines((line) => line.startsWith('{"type":"serving"'));
  assert.deepEqual(JSON.parse(back!), { type: 'serving', url });
  const home = await get(url);
  assert.equal(home.status, 200);
  assert.equal(home.body, INDEX);
});

test('text mode on a pipe: the Local URL and one plain request line per request, no colour codes', async (t) => {
  const { root, configHome } = await site(t);
  const pier = spawnPier(t, ['serve', root], { configHome });
  const [local] = await pier.waitForLines((line) => line.includes('Local:'));
  const match = /^ {2}Local: {2}http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(local!);
  assert.ok(match, `Local line: ${JSON.stringify(local)}`);
  const port = Number(match[1]);
  await pier.waitForLines((line) => line.includes('Press Ctrl+C to stop.'));
  assert.ok(pier.lines.some((line) => line === `  Pier is serving ${root}`));
  assert.ok(pier.lines.some((line) => line.includes('LAN:    off')));

  assert.equal((await get(`http://127.0.0.1:${port}/index.html`)).status, 200);
  assert.equal((await get(`http://127.0.0.1:${port}/nope.txt`)).status, 404);
  const [ok200] = await pier.waitForLines((line) => / GET \/index\.html /.test(line));
  assert.match(ok200!, new RegExp(`^\\d\\d:\\d\\d:\\d\\d 200 GET /index\\.html \\S+ ms ${Buffer.byteLength(INDEX)} B$`));
  const [notFound] = await pier.waitForLines((line) => / GET \/nope\.txt /.test(line));
  assert.match(notFound!, /^\d\d:\d\d:\d\d 404 GET \/nope\.txt \S+ ms \d+(\.\d)? K?B$/);
  assert.doesNotMatch(pier.stdout, ANSI);
  assert.equal(pier.stderr, '');
});

test('--lan: listens on every interface and lists only IPv4 LAN URLs (never fetched)', async (t) => {
  const { root, configHome } = await site(t);
  const { listening, port } = await startJson(t, [root, '--lan'], { configHome });
  assert.equal(listening.url, `http://127.0.0.1:${port}/`);
  assert.ok(Array.isArray(listening.lanUrls));
  for (const url of listening.lanUrls) {
    assert.match(url, new RegExp(`^http://\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}:${port}/$`));
    assert.doesNotMatch(url, /\/\/127\./);
  }
  const addresses = listeningAddresses(port);
  assert.ok(
    addresses.some((a) => [`*:${port}`, `0.0.0.0:${port}`, `[::]:${port}`].includes(a)),
    `listening on ${addresses.join(', ')}`,
  );
  assert.ok(!addresses.includes(`127.0.0.1:${port}`));
  // Still reachable from this machine; 127.0.0.1 is the only address tests connect to.
  assert.equal((await get(`http://127.0.0.1:${port}/`)).status, 200);
});

test('without --lan: listens on 127.0.0.1 only', async (t) => {
  const { root, configHome } = await site(t);
  const { port } = await startJson(t, [root], { configHome });
  assert.deepEqual(listeningAddresses(port), [`127.0.0.1:${port}`]);
});

test('defaults: no SPA fallback, folders are listed, no CORS, no password, no clean URLs', async (t) => {
  const { root, configHome } = await site(t);
  const { url } = await startJson(t, [root], { configHome });
  assert.equal((await get(`${url}some/route`)).status, 404);
  const listing = await get(`${url}docs/`);
  assert.equal(listing.status, 200);
  assert.match(listing.body, /notes\.txt/);
  const home = await get(url);
  assert.equal(home.status, 200);
  assert.equal(home.headers['access-control-allow-origin'], undefined);
  assert.equal(home.headers['x-test'], undefined);
  assert.equal(home.headers['cache-control'], 'no-cache');
  assert.equal((await get(`${url}about`)).status, 404);
});

test('--spa: an extensionless route gets index.html, a missing file still 404s', async (t) => {
  const { root, configHome } = await site(t);
  const { url } = await startJson(t, [root, '--spa'], { configHome });
  const route = await get(`${url}some/route`);
  assert.equal(route.status, 200);
  assert.equal(route.body, INDEX);
  assert.equal((await get(`${url}missing.js`)).status, 404);
});

test('--no-listing: a folder without index.html is 404', async (t) => {
  const { root, configHome } = await site(t);
  const { url } = await startJson(t, [root, '--no-listing'], { configHome });
  const docs = await get(`${url}docs/`);
  assert.equal(docs.status, 404);
  assert.doesNotMatch(docs.body, /notes\.txt/);
  assert.equal((await get(`${url}docs/notes.txt`)).status, 200);
});

test('--cors and two --header options set response headers', async (t) => {
  const { root, configHome } = await site(t);
  const { url } = await startJson(t, [root, '--cors', '--header', 'X-Test: yes', '-H', 'X-Other:  two words '], {
    configHome,
  });
  const home = await get(url);
  assert.equal(home.status, 200);
  assert.equal(home.headers['access-control-allow-origin'], '*');
  assert.equal(home.headers['x-test'], 'yes');
  assert.equal(home.headers['x-other'], 'two words');
});

test('--auth user:pass: 401 without credentials or with wrong ones, 200 with them', async (t) => {
  const { root, configHome } = await site(t);
  const { url } = await startJson(t, [root, '--auth', 'user:pa:ss'], { configHome });
  const basic = (credentials: string) => ({ Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` });
  const anonymous = await get(url);
  assert.equal(anonymous.status, 401);
  assert.match(String(anonymous.headers['www-authenticate']), /^Basic /);
  assert.equal((await get(url, { headers: basic('user:wrong') })).status, 401);
  const allowed = await get(url, { headers: basic('user:pa:ss') });
  assert.equal(allowed.status, 200);
  assert.equal(allowed.body, INDEX);
});

test('--https: serves over TLS with a certificate stored under XDG_CONFIG_HOME', async (t) => {
  const { root, configHome } = await site(t);
  const { url, port } = await startJson(t, [root, '--https'], { configHome });
  assert.equal(url, `https://127.0.0.1:${port}/`);
  const home = await get(url);
  assert.equal(home.status, 200);
  assert.equal(home.body, INDEX);
  assert.ok((await stat(path.join(configHome, 'Pier', 'tls', 'pier-cert.pem'))).isFile());
});

test('text mode says what --https, --live-reload and a recognized build mean, and where a phone trusts the certificate', async (t) => {
  const { root, configHome } = await site(t);
  await mkdir(path.join(root, 'Build'));
  await writeFile(path.join(root, 'Build', 'game.loader.js'), '');
  await writeFile(path.join(root, 'Build', 'game.wasm.br'), '');
  const pier = spawnPier(t, ['serve', root, '--https', '--live-reload', '--lan'], { configHome });
  await pier.waitForLines((line) => line.includes('Press Ctrl+C to stop.'));
  const has = (text: string) => pier.lines.some((line) => line.includes(text));
  assert.ok(has("HTTPS:  signed by Pier's local certificate authority; `pier trust`"), pier.stdout);
  assert.ok(has('Live reload: on'), pier.stdout);
  assert.ok(has('This looks like a Unity WebGL build (Build/game.wasm.br); it needs --preset unity.'), pier.stdout);
  const lan = pier.lines.find((line) => line.startsWith('  LAN:    https://'));
  if (lan) {
    // The trust page is offered over plain HTTP on the same port (the address is printed, never fetched).
    const origin = new URL(lan.slice('  LAN:    '.length).trim()).host;
    assert.ok(has(`Phone:  first trust Pier's certificates at http://${origin}/.pier/trust`), pier.stdout);
  } else {
    t.diagnostic('no LAN address on this machine: the Phone line is not shown, nothing to check');
  }
});

test('--clean-urls: /about serves about.html', async (t) => {
  const { root, configHome } = await site(t);
  const { url } = await startJson(t, [root, '--clean-urls'], { configHome });
  const about = await get(`${url}about`);
  assert.equal(about.status, 200);
  assert.equal(about.body, ABOUT);
});

test('--caching max-age: files may be cached for an hour', async (t) => {
  const { root, configHome } = await site(t);
  const { url } = await startJson(t, [root, '--caching', 'max-age'], { configHome });
  assert.equal((await get(url)).headers['cache-control'], 'public, max-age=3600');
});

test('--port N listens on exactly that port', async (t) => {
  const { root, configHome } = await site(t);
  const wanted = await freePort();
  const { first, port } = await startJson(t, [root, '--port', String(wanted)], { configHome });
  assert.equal(port, wanted);
  assert.equal(first, `{"type":"listening","url":"http://127.0.0.1:${wanted}/","lanUrls":[]}`);
  assert.equal((await get(`http://127.0.0.1:${wanted}/`)).status, 200);
});

test('DIR defaults to the current folder', async (t) => {
  const { root, configHome } = await site(t);
  const here = 'served from the current folder\n';
  await writeFile(path.join(root, 'index.html'), here);
  const { url } = await startJson(t, [], { configHome, cwd: root });
  assert.equal((await get(url)).body, here);
});

test('a folder with a blank or very long name is served like any other', async (t) => {
  const { root, configHome } = await site(t);
  for (const name of ['   ', 'a'.repeat(100)]) {
    const folder = path.join(root, name);
    await mkdir(folder);
    await writeFile(path.join(folder, 'index.html'), INDEX);
    const { pier, url } = await startJson(t, [folder], { configHome });
    assert.equal((await get(url)).body, INDEX);
    await pier.kill();
  }
});

test('a missing folder: exit 1, one stderr line naming it, nothing on stdout', async (t) => {
  const { root, configHome } = await site(t);
  const missing = path.join(root, 'no-such-folder');
  const result = await runPier(t, ['serve', missing, '--json'], { configHome });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0]!.includes(missing), result.stderr);
  assert.match(lines[0]!, /does not exist/);
});

test('a file instead of a folder: exit 1, "is a file, not a folder"', async (t) => {
  const { root, configHome } = await site(t);
  const result = await runPier(t, ['serve', path.join(root, 'index.html')], { configHome });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /is a file, not a folder/);
});

test('a taken --port: exit 1 and the next free port', async (t) => {
  const { root, configHome } = await site(t);
  const holder = net.createServer();
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen(0, '127.0.0.1', resolve);
  });
  t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const taken = (holder.address() as net.AddressInfo).port;

  const result = await runPier(t, ['serve', root, '--port', String(taken), '--json'], { configHome });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  const match = new RegExp(`^pier: Port ${taken} is already in use\\. The next free port is (\\d+)\\.\\n$`).exec(result.stderr);
  assert.ok(match, result.stderr);
  assert.ok(Number(match[1]) > taken);
});

const usageErrors: [string, string[], RegExp][] = [
  ['--port 0', ['--port', '0'], /1 to 65535/],
  ['--port 70000', ['--port', '70000'], /1 to 65535/],
  ['--port abc', ['--port', 'abc'], /1 to 65535/],
  ['an unknown option', ['--frobnicate'], /unknown option '--frobnicate'/],
  ['--header without a colon', ['--header', 'nocolon'], /Name: value/],
  ['--auth without a colon', ['--auth', 'nocolon'], /USER:PASS/],
  ['an unknown --caching mode', ['--caching', 'forever'], /revalidate, no-store, max-age/],
  ['an unknown --preset', ['--preset', 'turbo'], /Unknown preset\. Pier knows: cross-origin-isolated/],
];

for (const [name, args, message] of usageErrors) {
  test(`usage error, ${name}: exit 2, a message on stderr, nothing on stdout`, async (t) => {
    const { root, configHome } = await site(t);
    const result = await runPier(t, ['serve', root, ...args, '--json'], { configHome });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, message);
  });
}

test('--help prints usage on stdout and exits 0', async (t) => {
  const configHome = await tempDir(t);
  const top = await runPier(t, ['--help'], { configHome });
  assert.equal(top.code, 0);
  assert.match(top.stdout, /^Usage: pier /);
  assert.match(top.stdout, /serve \[options\] \[dir\]/);
  assert.equal(top.stderr, '');

  const serve = await runPier(t, ['serve', '--help'], { configHome });
  assert.equal(serve.code, 0);
  assert.match(serve.stdout, /^Usage: pier serve /);
  for (const option of ['--port', '--lan', '--spa', '--no-listing', '--clean-urls', '--cors', '--https', '--auth', '--header', '--preset', '--no-compress', '--caching', '--json']) {
    assert.ok(serve.stdout.includes(option), option);
  }
  assert.equal(serve.stderr, '');
});

test('--version prints the package.json version and exits 0', async (t) => {
  const result = await runPier(t, ['--version'], { configHome: await tempDir(t) });
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${VERSION}\n`);
  assert.equal(result.stderr, '');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} exits 0 promptly with a keep-alive connection open, and frees the port`, async (t) => {
    const { root, configHome } = await site(t);
    const { pier, url, port } = await startJson(t, [root], { configHome });
    const agent = new http.Agent({ keepAlive: true });
    t.after(() => agent.destroy());
    assert.equal((await get(url, { agent })).status, 200);
    // The connection stays open in the agent's pool, idle but alive.
    assert.equal(Object.values(agent.freeSockets).flat().length, 1);

    pier.child.kill(signal);
    // Well under the server's 5 s keep-alive timeout: the open connection must not hold the exit up.
    const exit = await pier.waitForExit(3_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(await canBind(port), `port ${port} is free again`);
  });
}
