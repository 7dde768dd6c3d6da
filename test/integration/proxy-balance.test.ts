/**
 * Load balancing over several upstreams: how requests spread (round-robin,
 * least-connections, sticky), what happens when one stops and comes back
 * (passive health, retry once for safe requests), and active health checks.
 * The pool's clocks are shortened through InstanceOptions.proxyTimings.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';

import type { ProxyRuleInput, ServerState } from '../../app/contract';
import { pollUntil, sleep } from '../helpers/proc';
import { freePort, serve, type ServedSite } from '../helpers/serve';
import { startUpstream, type Upstream } from '../helpers/upstreams';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.reverse()) await close();
  cleanup = [];
});

async function upstreams(names: string[], handler?: (name: string) => (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Upstream[]> {
  const started = await Promise.all(names.map((name) => startUpstream(name, handler?.(name))));
  cleanup.push(async () => {
    await Promise.all(started.map((u) => u.stop()));
  });
  return started;
}

async function proxyTo(rule: ProxyRuleInput, proxyTimings = {}): Promise<ServedSite> {
  const site = await serve({ 'index.html': 'files' }, { config: { proxies: [rule] }, instance: { proxyTimings } });
  cleanup.unshift(() => site.close());
  return site;
}

/** GET `path` `n` times one after another; the bodies (upstream names) counted, and every status seen. */
async function spread(site: ServedSite, n: number, path = '/api/x'): Promise<{ counts: Record<string, number>; statuses: Set<number> }> {
  const counts: Record<string, number> = {};
  const statuses = new Set<number>();
  for (let i = 0; i < n; i++) {
    const res = await site.request(path);
    statuses.add(res.status);
    if (res.status === 200) counts[res.body] = (counts[res.body] ?? 0) + 1;
  }
  return { counts, statuses };
}

describe('round-robin with passive health', () => {
  test('300 requests spread evenly; a stopped upstream is left out after its first failure and gets traffic again once back', async () => {
    const [a, b, c] = await upstreams(['a', 'b', 'c']);
    const site = await proxyTo({ prefix: '/api', upstreams: [a!.url, b!.url, c!.url] }, { failMs: 1_000, failMaxMs: 1_000 });

    const even = await spread(site, 300);
    assert.deepEqual([...even.statuses], [200]);
    for (const name of ['a', 'b', 'c']) assert.ok(Math.abs((even.counts[name] ?? 0) - 100) <= 1, JSON.stringify(even.counts));

    const events: ServerState[] = [];
    site.instance.on('state', (state) => events.push(state));
    await b!.stop();
    const without = await spread(site, 60);
    // No 5xx for a GET: the one request that met the stopped upstream was retried on another.
    assert.deepEqual([...without.statuses], [200]);
    assert.equal(without.counts.b, undefined);
    assert.ok(Math.abs((without.counts.a ?? 0) - 30) <= 1 && Math.abs((without.counts.c ?? 0) - 30) <= 1, JSON.stringify(without.counts));
    const down = site.instance.state().upstreams[1]!;
    assert.equal(down.up, false);
    assert.equal(down.lastError, 'connection refused');
    assert.equal(typeof down.downSince, 'number');
    // One event for the change, not one per request.
    assert.equal(events.length, 1);
    assert.equal(events[0]!.upstreams[1]!.up, false);

    await b!.start();
    await sleep(1_100);
    const back = await spread(site, 90);
    assert.deepEqual([...back.statuses], [200]);
    assert.ok((back.counts.b ?? 0) >= 25, JSON.stringify(back.counts));
    assert.equal(site.instance.state().upstreams[1]!.up, true);
    assert.equal(events.at(-1)!.upstreams[1]!.up, true);
  });

  test('a GET that meets a refused connection is retried on another upstream; a POST is not', async () => {
    const [live] = await upstreams(['live']);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const getSite = await proxyTo({ prefix: '/api', upstreams: [dead, live!.url] });
    const get = await getSite.request('/api/x');
    assert.equal(get.status, 200);
    assert.equal(get.body, 'live');

    const postSite = await proxyTo({ prefix: '/api', upstreams: [dead, live!.url] });
    const post = await postSite.request('/api/x', { method: 'POST', body: 'order=1' });
    assert.equal(post.status, 502);
    assert.ok(post.body.includes(dead), post.body);
    assert.ok(!post.body.includes(live!.url), post.body);
    // The dead one is out now: the next POST goes to the live one.
    assert.equal((await postSite.request('/api/x', { method: 'POST', body: 'order=2' })).status, 200);
  });

  test('with every upstream down, the request still tries one (a restarted dev server is found at once), then 502', async () => {
    const [only] = await upstreams(['only']);
    const site = await proxyTo({ prefix: '/api', upstreams: [only!.url] }, { failMs: 60_000, failMaxMs: 60_000 });
    await only!.stop();
    assert.equal((await site.request('/api/x')).status, 502);
    await only!.start();
    const res = await site.request('/api/x');
    assert.equal(res.status, 200);
    assert.equal(site.instance.state().upstreams[0]!.up, true);
  });
});

describe('kept-alive upstream connections', () => {
  test('a connection the upstream dropped just as it was reused: a GET is sent again on a new one, a POST gets 502', async () => {
    // Answers the first request on each connection, then drops the connection at the second; drops every POST.
    let posts = 0;
    const upstream = net.createServer((socket) => {
      let answered = false;
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (!text.includes('\r\n\r\n')) return;
        const post = text.startsWith('POST');
        text = '';
        if (post) posts++;
        if (answered || post) return void socket.destroy();
        answered = true;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\nok');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    const url = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
    const site = await proxyTo({ prefix: '/api', upstreams: [url] });
    assert.equal((await site.request('/api/1')).body, 'ok');
    const again = await site.request('/api/2');
    assert.equal(again.status, 200);
    assert.equal(again.body, 'ok');
    // A dropped POST is never sent again, on any connection: its body may have reached the application.
    const post = await site.request('/api/3', { method: 'POST', body: 'x' });
    assert.equal(post.status, 502);
    assert.equal(posts, 1);
    // Idle connections close after Pier's 4 s, though the upstream's Keep-Alive hint offered 60.
    const open = () => new Promise<number>((resolve) => upstream.getConnections((_error, count) => resolve(count)));
    assert.ok(await pollUntil(async () => (await open()) === 0, 6_000), 'the upstream connections were closed');
  });
});

describe('least-connections and sticky', () => {
  test('least-connections sends nothing more to an upstream that is still busy', async () => {
    const held: http.ServerResponse[] = [];
    const [slow, fast] = await upstreams(['slow', 'fast'], (name) => (req, res) => {
      req.resume();
      if (name === 'slow') held.push(res);
      else res.end(name);
    });
    cleanup.push(async () => {
      for (const res of held) res.end();
    });
    const site = await proxyTo({ prefix: '/api', upstreams: [slow!.url, fast!.url], policy: 'least-connections' });
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) {
      pending.push(site.request('/api/x', { timeoutMs: 10_000 }).catch(() => undefined));
      await sleep(15);
    }
    await pollUntil(() => slow!.seen.length + fast!.seen.length === 20, 3_000);
    // Round-robin would have sent it 10.
    assert.equal(slow!.seen.length, 1);
    assert.equal(fast!.seen.length, 19);
    for (const res of held) res.end('slow');
    await Promise.all(pending);
  });

  test('sticky keeps a client on one upstream', async () => {
    const [a, b, c] = await upstreams(['a', 'b', 'c']);
    const site = await proxyTo({ prefix: '/api', upstreams: [a!.url, b!.url, c!.url], policy: 'sticky' });
    const { counts } = await spread(site, 30);
    assert.deepEqual(Object.values(counts), [30]);
  });
});

describe('active health checks', () => {
  test('an upstream failing its health path is taken out before any request meets it, and back when it passes', async () => {
    let healthy = false;
    const [a, b] = await upstreams(['a', 'b'], (name) => (req, res) => {
      req.resume();
      if (req.url === '/health') {
        res.statusCode = name === 'a' || healthy ? 204 : 503;
        res.end();
      } else {
        res.end(name);
      }
    });
    const site = await proxyTo({ prefix: '/api', upstreams: [a!.url, b!.url], healthPath: '/health' }, { healthIntervalMs: 100, healthTimeoutMs: 500 });
    assert.ok(await pollUntil(() => site.instance.state().upstreams[1]!.up === false, 2_000), 'b was never taken out');
    assert.match(site.instance.state().upstreams[1]!.lastError ?? '', /health check \/health answered 503/);
    const out = await spread(site, 20);
    assert.deepEqual(out.counts, { a: 20 });

    healthy = true;
    assert.ok(await pollUntil(() => site.instance.state().upstreams[1]!.up, 2_000), 'b never came back');
    const back = await spread(site, 20);
    assert.deepEqual(back.counts, { a: 10, b: 10 });

    // The checks stop with the server.
    await site.instance.stop();
    const checks = b!.seen.length;
    await sleep(350);
    assert.equal(b!.seen.length, checks);
  });
});
