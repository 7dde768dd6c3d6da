/**
 * `pier export`: for several servers, the nginx block passes `nginx -t` and
 * the Caddyfile `caddy validate`; then each runs on 127.0.0.1 beside Pier on
 * the same folder and gets the same requests. Statuses (and bodies of files)
 * must match, except for the differences listed with their reasons.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import type { ServerInput } from '../../app/contract';
import { caddyToken } from '../../app/export-caddy';
import { exportConfig } from '../../app/export';
import { freePort, request, serve, tempDir, testConfig, type Tree } from '../helpers/serve';
import { caddyCheck, caddyMissing, nginxCheck, nginxMissing, runCaddy, runNginx, type Running } from './export-servers';

const TREE: Tree = {
  'index.html': '<h1>home</h1>',
  'about.html': '<h1>about</h1>',
  'app.js': 'console.log("app");\n'.repeat(40),
  '.env': 'SECRET=1',
  '.git': { config: '[core]' },
  '.well-known': { x: 'well known' },
  sub: { 'a.txt': 'a' },
  docs: { 'index.html': '<h1>docs</h1>' },
  Build: { 'game.wasm.br': Buffer.from([0x1b, 0x02, 0x00, 0xf8, 0x25, 0x14, 0x82]), 'game.data.gz': Buffer.from([0x1f, 0x8b, 0x08, 0x00]) },
};

interface Probe {
  path: string;
  method?: string;
}

const PROBES: Probe[] = [
  { path: '/' },
  { path: '/index.html' },
  { path: '/app.js' },
  { path: '/about' },
  { path: '/about.html' },
  { path: '/deep/route' },
  { path: '/missing.png' },
  { path: '/.env' },
  { path: '/.git/config' },
  { path: '/.well-known/x' },
  { path: '/sub/' },
  { path: '/docs/' },
  { path: '/', method: 'POST' },
  { path: '/sub' },
  { path: '/.env', method: 'POST' },
  { path: '/about.html?x=1' },
  { path: '/sub?a=1' },
  { path: '/docs/index.html?b' },
  { path: '/Build/game.wasm.br' },
  { path: '/Build/game.data.gz' },
];

/** Where a server legitimately answers otherwise than Pier: `server METHOD path` → why. */
type Differences = Record<string, string>;

/**
 * Differences in every scenario. Pier checks the method before the path; the
 * exports refuse a hidden path first, wherever the method check sits (nginx
 * has it per location, so that proxied paths take every method): both refuse.
 */
const ALWAYS: Differences = {
  'nginx POST /.env': 'nginx refuses hidden paths (404) before it looks at the method (Pier: 405)',
  'caddy POST /.env': 'Caddy refuses hidden paths (404) before it looks at the method (Pier: 405)',
};

interface Scenario {
  name: string;
  config: Partial<ServerInput>;
  headers?: http.OutgoingHttpHeaders;
  differences?: Differences;
  /** Caddy: hash the password with bcrypt (`caddy hash-password`) instead of the export's own scrypt. */
  bcrypt?: boolean;
  /** Response headers that must match Pier's (on 200s to paths that match `headerPaths`, or all). */
  sameHeaders?: string[];
  headerPaths?: RegExp;
}

const SCENARIOS: Scenario[] = [
  { name: 'plain (listing on)', config: {} },
  { name: 'spa + clean URLs, no listing', config: { spa: true, cleanUrls: true, listing: false } },
  {
    name: 'headers, CORS, caching, cross-origin isolation',
    config: {
      cors: true,
      caching: 'max-age',
      presets: ['cross-origin-isolated'],
      // A value that would break out of a naive quoting in either format.
      headers: [{ name: 'X-Trick', value: 'a"b; } c{ $HOME} $uri `d\' {path}' }],
    },
    sameHeaders: ['x-trick', 'cache-control', 'access-control-allow-origin', 'cross-origin-opener-policy', 'cross-origin-embedder-policy', 'x-content-type-options'],
  },
  {
    name: 'unity preset',
    config: { presets: ['unity'] },
    sameHeaders: ['content-encoding', 'content-type', 'x-content-type-options'],
    headerPaths: /^\/Build\//,
  },
  {
    name: 'Basic auth',
    config: { auth: { username: 'ann"e', password: 'p{a}ss;w"rd' } },
    headers: { authorization: `Basic ${Buffer.from('ann"e:p{a}ss;w"rd').toString('base64')}` },
  },
  {
    name: 'Basic auth with a bcrypt hash',
    config: { auth: { username: 'anne', password: 'secret' } },
    headers: { authorization: `Basic ${Buffer.from('anne:secret').toString('base64')}` },
    bcrypt: true,
  },
];

/** A bcrypt hash from `caddy hash-password` (password on stdin). */
function bcrypt(password: string): string {
  const out = spawnSync('caddy', ['hash-password'], { input: `${password}\n`, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.trim();
}

async function probe(port: number, item: Probe, headers: http.OutgoingHttpHeaders = {}, tls = false) {
  return request(port, item.path, { method: item.method ?? 'GET', headers, tls });
}

type Launch = (dir: string, text: string, port: number) => Promise<Running>;

async function compare(t: TestContext, scenario: Scenario, target: 'nginx' | 'caddy', launch: Launch): Promise<void> {
  const pier = await serve(TREE, { config: scenario.config });
  const work = await tempDir('pier-export-');
  t.after(async () => {
    await pier.close();
    await rm(work, { recursive: true, force: true });
  });
  const port = await freePort();
  const passwordHash = target === 'caddy' && scenario.bcrypt && scenario.config.auth ? bcrypt(scenario.config.auth.password) : undefined;
  const exported = exportConfig(testConfig(pier.root, scenario.config), target, { port, filesDir: work, ...(passwordHash ? { passwordHash } : {}) });
  for (const file of exported.files ?? []) await writeFile(file.name, file.content);
  const other = await launch(path.join(work, target), exported.text, port);
  t.after(() => other.stop());
  const mismatches: string[] = [];
  for (const item of PROBES) {
    const key = `${target} ${item.method ?? 'GET'} ${item.path}`;
    const mine = await probe(pier.port, item, scenario.headers);
    const theirs = await probe(port, item, scenario.headers);
    const why = scenario.differences?.[key] ?? ALWAYS[key];
    if (why) {
      t.diagnostic(`${key}: Pier ${mine.status}, ${target} ${theirs.status} (${why})`);
      continue;
    }
    if (mine.status !== theirs.status) mismatches.push(`${key}: Pier ${mine.status}, ${target} ${theirs.status}`);
    else if (mine.status === 301 && mine.headers.location !== theirs.headers.location) {
      mismatches.push(`${key}: redirects to ${String(mine.headers.location)} from Pier, ${String(theirs.headers.location)} from ${target}`);
    }
    // A listing (a folder without index.html, listing on) is each server's own page, with Pier's page headers.
    const isListing = item.path === '/sub/' && (scenario.config.listing ?? true);
    if (mine.status === theirs.status && mine.status === 200 && !isListing) {
      // Files: the same bytes and the same headers.
      if (mine.body !== theirs.body) mismatches.push(`${key}: bodies differ`);
      for (const name of scenario.headerPaths && !scenario.headerPaths.test(item.path) ? [] : (scenario.sameHeaders ?? [])) {
        if (mine.headers[name] !== theirs.headers[name]) mismatches.push(`${key}: ${name} is ${String(mine.headers[name])} from Pier, ${String(theirs.headers[name])} from ${target}`);
      }
    }
  }
  if (scenario.config.auth) {
    const bare = await probe(port, { path: '/' });
    assert.equal(bare.status, 401, `${target} asks for the password`);
    const wrong = await probe(port, { path: '/' }, { authorization: `Basic ${Buffer.from('anne:nope').toString('base64')}` });
    assert.equal(wrong.status, 401, `${target} refuses a wrong password`);
  }
  assert.deepEqual(mismatches, [], `${target} answers as Pier does`);
}

for (const [target, missing, check, launch] of [
  ['nginx', nginxMissing, nginxCheck, runNginx],
  ['caddy', caddyMissing, caddyCheck, runCaddy],
] as const) {
  describe(`pier export --to ${target}`, () => {
    for (const scenario of SCENARIOS) {
      it(`${scenario.name}: validates and answers as Pier does`, async (t) => {
        const reason = missing() ?? (scenario.bcrypt ? caddyMissing() : null);
        if (reason) return t.skip(reason);
        await compare(t, scenario, target, launch);
      });
    }

    it('validates with https, every proxy policy, stripped and kept prefixes and a health path', async (t) => {
      const reason = missing();
      if (reason) return t.skip(reason);
      const work = await tempDir('pier-export-');
      t.after(() => rm(work, { recursive: true, force: true }));
      const config = testConfig(work, {
        https: true,
        lan: true,
        proxies: [
          { prefix: '/api', upstreams: ['http://127.0.0.1:3001', 'http://127.0.0.1:3002'], stripPrefix: true, policy: 'round-robin' },
          { prefix: '/ws', upstreams: ['http://127.0.0.1:3003'], policy: 'least-connections', healthPath: '/health', keepHost: true },
          { prefix: '/app/v2', upstreams: ['https://127.0.0.1/base', 'https://127.0.0.1:8443/base'], policy: 'sticky', connectTimeoutMs: 2_000 },
        ],
      });
      const tls = await selfSignedPair(work);
      const exported = exportConfig(config, target, { port: await freePort(), filesDir: work, tls });
      const checked = await check(path.join(work, target), exported.text);
      assert.ok(checked.ok, checked.output);
      if (target === 'nginx') {
        assert.match(exported.text, /least_conn;/);
        assert.match(exported.text, /ip_hash;/);
        assert.match(exported.text, /no active health checks/);
      } else {
        assert.match(exported.text, /lb_policy least_conn/);
        assert.match(exported.text, /health_uri `\/health`/);
        assert.match(exported.text, /tls internal/);
      }
    });

    it('proxies /api to an upstream, stripping or keeping the prefix', async (t) => {
      const reason = missing();
      if (reason) return t.skip(reason);
      const upstream = http.createServer((req, res) => res.end(`${req.method} ${req.url} host=${req.headers.host}`));
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      t.after(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
      const up = (upstream.address() as AddressInfo).port;
      const work = await tempDir('pier-export-');
      t.after(() => rm(work, { recursive: true, force: true }));
      const port = await freePort();
      const config = testConfig(work, {
        proxies: [
          { prefix: '/api', upstreams: [`http://127.0.0.1:${up}`], stripPrefix: true },
          { prefix: '/keep', upstreams: [`http://127.0.0.1:${up}`] },
        ],
      });
      const other = await launch(path.join(work, target), exportConfig(config, target, { port }).text, port);
      t.after(() => other.stop());
      const host = `host=127.0.0.1:${up}`;
      const cases: Array<[string, string, string]> = [
        ['GET', '/api/users?x=1', `GET /users?x=1 ${host}`],
        ['GET', '/api', `GET / ${host}`],
        ['GET', '/keep/a', `GET /keep/a ${host}`],
        ['POST', '/keep/a', `POST /keep/a ${host}`],
      ];
      // Pier's own proxy (proxy rules in the engine) must answer the same.
      const pier = await serve({}, { config: { proxies: config.proxies } });
      t.after(() => pier.close());
      for (const [method, url, expected] of cases) {
        assert.equal((await request(port, url, { method, body: method === 'POST' ? 'x' : undefined })).body, expected, `${target} ${method} ${url}`);
        assert.equal((await pier.request(url, { method, body: method === 'POST' ? 'x' : undefined })).body, expected, `Pier ${method} ${url}`);
      }
    });
  });
}

describe('export quoting', () => {
  it('writes a Caddy token that holds braces, quotes and backticks literally, or refuses', () => {
    assert.equal(caddyToken('a"b {x}'), '`a"b \\{x\\}`');
    assert.equal(caddyToken('a`b"c'), '"a`b\\"c"');
    assert.equal(caddyToken('a`b\\"c'), null);
    assert.equal(caddyToken('{$HOME}'), null);
  });

  it('starts with where it came from and says what has no equivalent', () => {
    const config = testConfig('/srv/site', { liveReload: true, auth: { username: 'u', password: 'p' } });
    for (const target of ['nginx', 'caddy'] as const) {
      const exported = exportConfig(config, target);
      assert.match(exported.text, /^# Written by Pier .* from the server "test"\n# serving the folder \/srv\/site\./);
      assert.ok(exported.notes.some((note) => /Live reload has no production equivalent/.test(note)));
      assert.match(exported.text, /# Live reload has no production equivalent/);
    }
    assert.match(exportConfig(config, 'nginx').files?.[0]?.content ?? '', /^u:\{SSHA\}/);
  });
});

/** A self-signed certificate and key for `nginx -t` (openssl, from Debian's base system). */
async function selfSignedPair(dir: string): Promise<{ certificate: string; key: string }> {
  const { execFileSync } = await import('node:child_process');
  const certificate = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', certificate], { stdio: 'ignore' });
  return { certificate, key };
}
