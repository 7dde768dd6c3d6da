/**
 * Reverse proxying through a real ServerInstance to real upstream servers on
 * 127.0.0.1: which requests are forwarded and how (paths, headers, Host,
 * redirects), what a client sees when the upstream is missing or slow, and
 * the password. Balancing is in proxy-balance.test.ts; streams, uploads and
 * WebSockets in proxy-streams.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type http from 'node:http';

import type { ProxyRuleInput } from '../../app/contract';
import { TlsStore } from '../../app/tls';
import { pollUntil } from '../helpers/proc';
import { freePort, rawExchange, rawStatus, serve, tempDir, type ServedSite } from '../helpers/serve';
import { startUpstream, type Upstream } from '../helpers/upstreams';

/** Echoes what it received as JSON: method, url, headers. */
const echo = (req: http.IncomingMessage, res: http.ServerResponse) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('keep-alive', 'timeout=99');
    res.setHeader('connection', 'keep-alive, x-upstream-secret');
    res.setHeader('x-upstream-secret', 'hop');
    res.setHeader('x-kept', 'yes');
    const ownPort = (req.socket.address() as { port: number }).port;
    if (req.url?.endsWith('/redirect')) {
      res.statusCode = 302;
      res.setHeader('location', `http://127.0.0.1:${ownPort}/base/landed?x=1`);
    } else if (req.url?.endsWith('/redirect-localhost')) {
      // The upstream is configured as 127.0.0.1 but names itself localhost, as dev servers do.
      res.statusCode = 302;
      res.setHeader('location', `http://localhost:${ownPort}/base/there`);
    } else if (req.url?.endsWith('/redirect-elsewhere')) {
      res.statusCode = 302;
      res.setHeader('location', `http://localhost:${ownPort + 1}/base/there`);
    }
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
};

interface Echoed {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

describe('proxy rules', () => {
  let api: Upstream;
  let v2: Upstream;
  let site: ServedSite;

  before(async () => {
    api = await startUpstream('api', echo);
    v2 = await startUpstream('v2', echo);
    const proxies: ProxyRuleInput[] = [
      { prefix: '/api', upstreams: [`${api.url}/base`], stripPrefix: true },
      { prefix: '/api/v2', upstreams: [v2.url] },
      { prefix: '/kept', upstreams: [api.url], keepHost: true },
    ];
    site = await serve({ 'index.html': 'files', 'apiary.txt': 'a file' }, { config: { proxies } });
  });
  after(async () => {
    await site.close();
    await api.stop();
    await v2.stop();
  });

  const get = async (path: string, headers: http.OutgoingHttpHeaders = {}, method = 'GET') => {
    const res = await site.request(path, { headers, method });
    return { res, echoed: res.headers['content-type'] === 'application/json' ? (JSON.parse(res.body) as Echoed) : null };
  };

  test('a prefix matches itself and paths under it, stripped and joined under the base path', async () => {
    assert.equal((await get('/api/users?x=1')).echoed?.url, '/base/users?x=1');
    assert.equal((await get('/api')).echoed?.url, '/base/');
    assert.equal((await get('/api?q=2')).echoed?.url, '/base/?q=2');
  });

  test('/apiary is not /api: it is a file', async () => {
    const { res, echoed } = await get('/apiary.txt');
    assert.equal(echoed, null);
    assert.equal(res.body, 'a file');
  });

  test('the longest prefix wins, and without strip the path goes as it is', async () => {
    const { echoed } = await get('/api/v2/things');
    assert.equal(echoed?.url, '/api/v2/things');
    assert.equal(v2.seen.at(-1)?.url, '/api/v2/things');
  });

  test('Host is the upstream\'s by default and the client\'s with keepHost', async () => {
    assert.equal((await get('/api/x', { host: 'example.test:1234' })).echoed?.headers.host, `127.0.0.1:${api.port}`);
    assert.equal((await get('/kept/x', { host: 'example.test:1234' })).echoed?.headers.host, 'example.test:1234');
  });

  test('X-Forwarded-For is appended to, -Proto and -Host are set', async () => {
    const { echoed } = await get('/api/x', { 'x-forwarded-for': '10.0.0.1', host: 'pier.test:8080' });
    assert.equal(echoed?.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(echoed?.headers['x-forwarded-proto'], 'http');
    assert.equal(echoed?.headers['x-forwarded-host'], 'pier.test:8080');
  });

  test('hop-by-hop headers are dropped both ways, the others pass', async () => {
    const { res, echoed } = await get('/api/x', {
      connection: 'keep-alive, x-client-secret',
      'x-client-secret': 'hop',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      te: 'trailers',
      'x-client-kept': 'yes',
    });
    assert.ok(echoed);
    assert.equal(echoed.headers['x-client-secret'], undefined);
    assert.equal(echoed.headers['keep-alive'], undefined);
    assert.equal(echoed.headers['proxy-authorization'], undefined);
    assert.equal(echoed.headers.te, undefined);
    assert.equal(echoed.headers['x-client-kept'], 'yes');
    assert.equal(res.headers['x-upstream-secret'], undefined);
    // The upstream's own hint (timeout=99) stays on its connection; Pier's server may send its own.
    assert.notEqual(res.headers['keep-alive'], 'timeout=99');
    assert.equal(res.headers['x-kept'], 'yes');
  });

  test('every method reaches a proxied path; files keep GET and HEAD only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      assert.equal((await get('/api/x', {}, method)).echoed?.method, method);
    }
    assert.equal((await get('/index.html', {}, 'POST')).res.status, 405);
  });

  test('a redirect to the upstream\'s own origin points back at Pier, prefix restored', async () => {
    const { res } = await get('/api/redirect', { host: `localhost:${site.port}` });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, `http://localhost:${site.port}/api/landed?x=1`);
  });

  test('a redirect naming the upstream as localhost is its own origin too; another port is left alone', async () => {
    const { res } = await get('/api/redirect-localhost', { host: `127.0.0.1:${site.port}` });
    assert.equal(res.headers.location, `http://127.0.0.1:${site.port}/api/there`);
    const other = await get('/api/redirect-elsewhere', { host: `127.0.0.1:${site.port}` });
    assert.match(String(other.res.headers.location), /^http:\/\/localhost:\d+\/base\/there$/);
  });

  test('the log names the upstream of a proxied request, and nothing for a file', async () => {
    await get('/api/logged');
    await get('/index.html');
    const ok = await pollUntil(() => site.instance.log.entries().some((e) => e.path === '/index.html'), 2_000);
    assert.ok(ok);
    const entries = site.instance.log.entries();
    assert.equal(entries.find((e) => e.path === '/api/logged')?.upstream, `${api.url}/base`);
    assert.equal(entries.find((e) => e.path === '/index.html')?.upstream, undefined);
  });

  test('state lists every upstream with its numbers', () => {
    const upstreams = site.instance.state().upstreams;
    assert.deepEqual(
      upstreams.map((u) => [u.prefix, u.url, u.up]),
      [
        ['/api', `${api.url}/base`, true],
        ['/api/v2', v2.url, true],
        ['/kept', api.url, true],
      ],
    );
    const apiState = upstreams[0]!;
    assert.ok(apiState.requests > 5);
    assert.equal(apiState.active, 0);
    assert.equal(typeof apiState.latencyMs, 'number');
  });
});

describe('proxy failures', () => {
  let slow: Upstream;
  let site: ServedSite;
  let deadUrl: string;

  before(async () => {
    slow = await startUpstream('slow', (req, res) => {
      req.resume();
      setTimeout(() => res.end('late'), 2_000).unref();
    });
    deadUrl = `http://127.0.0.1:${await freePort()}`;
    site = await serve(
      { 'index.html': 'files' },
      {
        config: {
          proxies: [
            { prefix: '/dead', upstreams: [deadUrl] },
            { prefix: '/slow', upstreams: [slow.url], timeoutMs: 300 },
          ],
        },
      },
    );
  });
  after(async () => {
    await site.close();
    await slow.stop();
  });

  test('an upstream that is not there: 502 naming the rule and the upstream tried, with why', async () => {
    const res = await site.request('/dead/x');
    assert.equal(res.status, 502);
    assert.match(res.body, /\/dead/);
    assert.ok(res.body.includes(deadUrl), res.body);
    assert.match(res.body, /connection refused/);
    const html = await site.request('/dead/x', { headers: { accept: 'text/html' } });
    assert.equal(html.status, 502);
    assert.match(String(html.headers['content-type']), /text\/html/);
    const state = site.instance.state().upstreams.find((u) => u.prefix === '/dead');
    assert.equal(state?.up, false);
    assert.equal(state?.lastError, 'connection refused');
  });

  test('an upstream slower than the timeout: 504, well before it answers', async () => {
    const started = Date.now();
    const res = await site.request('/slow/x');
    assert.equal(res.status, 504);
    assert.match(res.body, /no response within 300 ms/);
    assert.ok(Date.now() - started < 1_500);
  });
});

describe('proxy behind a password', () => {
  let api: Upstream;
  let site: ServedSite;
  before(async () => {
    api = await startUpstream('api', echo);
    site = await serve(
      { 'index.html': 'files' },
      { config: { auth: { username: 'ann', password: 'secret' }, proxies: [{ prefix: '/api', upstreams: [api.url] }] } },
    );
  });
  after(async () => {
    await site.close();
    await api.stop();
  });

  test('proxied paths need the password, and the upstream never sees it', async () => {
    const before = api.seen.length;
    assert.equal((await site.request('/api/x')).status, 401);
    assert.equal(api.seen.length, before);
    const authorization = `Basic ${Buffer.from('ann:secret').toString('base64')}`;
    const res = await site.request('/api/x', { headers: { authorization } });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as Echoed).headers.authorization, undefined);
  });

  test('a WebSocket upgrade without the password is refused with 401', async () => {
    const before = api.seen.length;
    const { text } = await rawExchange(site.port, 'GET /api/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 2_000);
    assert.equal(rawStatus(text), 401);
    assert.match(text, /WWW-Authenticate: Basic/);
    assert.equal(api.seen.length, before);
  });
});

describe('proxy on an HTTPS server', () => {
  let api: Upstream;
  let site: ServedSite;
  let tlsDir: string;
  before(async () => {
    api = await startUpstream('api', echo);
    tlsDir = await tempDir('pier-proxy-tls-');
    site = await serve(
      { 'index.html': 'files' },
      { config: { https: true, proxies: [{ prefix: '/api', upstreams: [api.url] }] }, instance: { tls: new TlsStore(tlsDir) } },
    );
  });
  after(async () => {
    await site.close();
    await api.stop();
    await rm(tlsDir, { recursive: true, force: true });
  });

  test('the upstream hears X-Forwarded-Proto https, and a redirect to it points back at https', async () => {
    const res = await site.request('/api/x', { headers: { host: `127.0.0.1:${site.port}` } });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as Echoed).headers['x-forwarded-proto'], 'https');
    const moved = await site.request('/api/redirect', { headers: { host: `127.0.0.1:${site.port}` } });
    assert.equal(moved.status, 302);
    assert.match(String(moved.headers.location), new RegExp(`^https://127\\.0\\.0\\.1:${site.port}/`));
  });

  test('plain HTTP on the same port is sent to https://, never to the upstream', async () => {
    const before = api.seen.length;
    const { text } = await rawExchange(site.port, `GET /api/x HTTP/1.1\r\nHost: 127.0.0.1:${site.port}\r\nConnection: close\r\n\r\n`, 2_000);
    assert.equal(rawStatus(text), 308);
    assert.match(text, new RegExp(`Location: https://127\\.0\\.0\\.1:${site.port}/api/x`, 'i'));
    assert.equal(api.seen.length, before);
  });
});
