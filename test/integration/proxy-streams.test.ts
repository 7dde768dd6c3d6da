/**
 * What flows through the proxy for a long time or in volume: a 10 MB upload
 * and download (compared by hash), a server-sent-event stream (each event
 * arrives on its own, before the next is even written), WebSocket upgrades,
 * and clients that hang up mid-response (no descriptor is left behind).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

import { fdCount, fdsSettle, sleep, within } from '../helpers/proc';
import { freePort, serve, type ServedSite } from '../helpers/serve';
import { startUpstream, type Upstream } from '../helpers/upstreams';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const DOWNLOAD = randomBytes(10 * 1024 * 1024);

/** SSE: the next event is written only when the test says so. */
let nextEvent: (() => void) | null = null;

function upstreamHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url === '/upload') {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    req.on('end', () => res.end(JSON.stringify({ bytes, sha: hash.digest('hex') })));
    return;
  }
  req.resume();
  if (req.url === '/download') {
    res.setHeader('content-length', DOWNLOAD.length);
    res.end(DOWNLOAD);
  } else if (req.url === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    let n = 0;
    const send = () => {
      n++;
      res.write(`data: event ${n}\n\n`);
      if (n === 3) res.end();
      else nextEvent = send;
    };
    send();
  } else if (req.url === '/dies') {
    // Half a body, then the upstream is gone.
    res.writeHead(200, { 'content-length': '1000' });
    res.write(Buffer.alloc(100));
    setTimeout(() => req.socket.destroy(), 50);
  } else if (req.url === '/endless') {
    // A long download the client abandons midway.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  } else {
    res.end('ok');
  }
}

/** A raw WebSocket-style handshake: resolves with the socket after the 101, or the refusal's status line. */
function upgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; socket: net.Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket, rest) => resolve({ status: res.statusCode ?? 0, socket, rest }));
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, socket: res.socket, rest: Buffer.alloc(0) });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('proxy streams', () => {
  let upstream: Upstream;
  let site: ServedSite;
  let deadUrl: string;

  before(async () => {
    upstream = await startUpstream('streams', upstreamHandler);
    // An echo over upgraded connections: every byte sent comes back.
    upstream.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Seen-Path: ${req.url}\r\n\r\n`);
      socket.pipe(socket);
    });
    deadUrl = `http://127.0.0.1:${await freePort()}`;
    site = await serve(
      { 'index.html': 'files' },
      {
        config: {
          auth: null,
          proxies: [
            { prefix: '/s', upstreams: [upstream.url], stripPrefix: true },
            { prefix: '/dead', upstreams: [deadUrl] },
          ],
        },
        // Far shorter than the slow upload below: with proxy rules it must not apply.
        instance: { requestTimeoutMs: 500 },
      },
    );
  });
  after(async () => {
    await site.close();
    await upstream.stop();
  });

  test('a 10 MB upload arrives intact', async () => {
    const body = randomBytes(10 * 1024 * 1024);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: site.port, path: '/s/upload', method: 'POST', agent: false }, (r) => {
        let text = '';
        r.on('data', (chunk: Buffer) => (text += chunk.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      // In pieces, chunked: streamed, never a Content-Length the proxy could lean on.
      for (let i = 0; i < body.length; i += 1024 * 1024) req.write(body.subarray(i, i + 1024 * 1024));
      req.end();
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { bytes: body.length, sha: sha(body) });
  });

  test('a slow upload (longer than the time for a whole request without proxy rules) arrives whole', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: site.port, path: '/s/upload', method: 'POST', agent: false }, (r) => {
        let text = '';
        r.on('data', (chunk: Buffer) => (text += chunk.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      let sent = 0;
      const tick = setInterval(() => {
        req.write(Buffer.alloc(1024, 7));
        if (++sent === 8) {
          clearInterval(tick);
          req.end();
        }
      }, 200);
    });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).bytes, 8 * 1024);
  });

  test('a 10 MB download arrives intact', async () => {
    const res = await site.request('/s/download', { timeoutMs: 10_000 });
    assert.equal(res.status, 200);
    assert.equal(res.bytes.length, DOWNLOAD.length);
    assert.equal(sha(res.bytes), sha(DOWNLOAD));
  });

  test('server-sent events arrive one by one, not buffered', async () => {
    const received: string[] = [];
    await within(
      5_000,
      'three events',
      new Promise<void>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: site.port, path: '/s/events', agent: false }, (res) => {
          assert.match(String(res.headers['content-type']), /text\/event-stream/);
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            received.push(...text.split('\n\n').filter(Boolean));
            // The upstream writes the next event only once this one came through.
            const next = nextEvent;
            nextEvent = null;
            next?.();
          });
          res.on('end', resolve);
        });
        req.on('error', reject);
      }),
    );
    assert.deepEqual(received, ['data: event 1', 'data: event 2', 'data: event 3']);
  });

  test('an upstream that dies mid-body cuts the client\'s response off instead of leaving it waiting', async () => {
    const outcome = await within(
      3_000,
      'the cut-off response',
      new Promise<string>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: site.port, path: '/s/dies', agent: false }, (res) => {
          res.on('error', () => resolve('error'));
          res.on('aborted', () => resolve('aborted'));
          res.on('end', () => resolve(res.complete ? 'complete' : 'cut'));
          res.resume();
        });
        req.on('error', () => resolve('error'));
      }),
    );
    assert.notEqual(outcome, 'complete');
  });

  test('a WebSocket upgrade is forwarded and bytes flow both ways', async () => {
    const { status, socket, rest } = await upgrade(site.port, '/s/socket?room=1');
    assert.equal(status, 101);
    const echoed = await within(
      3_000,
      'the echo',
      new Promise<string>((resolve) => {
        let text = rest.toString();
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('ping 2')) resolve(text);
        });
        socket.write('ping 1 ');
        socket.write('ping 2');
      }),
    );
    assert.equal(echoed, 'ping 1 ping 2');
    socket.destroy();
  });

  test('upgrades outside the rules, or to an upstream that is not there, are refused with a status', async () => {
    const outside = await upgrade(site.port, '/index.html');
    assert.equal(outside.status, 404);
    outside.socket.destroy();
    const dead = await upgrade(site.port, '/dead/socket');
    assert.equal(dead.status, 502);
    dead.socket.destroy();
  });

  test('clients that hang up mid-response leave no descriptor behind', async () => {
    // Warm up (lazy descriptors of the runtime), then count.
    await site.request('/s/ok');
    const baseline = fdCount();
    const abandon = () =>
      new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: site.port, path: '/s/endless', agent: false }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > 256 * 1024) req.destroy();
          });
        });
        req.on('error', () => undefined);
        req.on('close', () => resolve());
      });
    const abandonUpload = () =>
      new Promise<void>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: site.port, path: '/s/upload', method: 'POST', agent: false });
        req.on('error', () => undefined);
        req.on('close', () => resolve());
        req.write(Buffer.alloc(512 * 1024));
        setTimeout(() => req.destroy(), 50);
      });
    const sockets: net.Socket[] = [];
    for (let round = 0; round < 5; round++) {
      await Promise.all([...Array.from({ length: 10 }, abandon), ...Array.from({ length: 5 }, abandonUpload)]);
      const ws = await upgrade(site.port, '/s/socket');
      sockets.push(ws.socket);
    }
    for (const socket of sockets) socket.destroy();
    await sleep(100);
    const settled = await fdsSettle(baseline + 2, 5_000);
    assert.ok(settled <= baseline + 2, `${settled} descriptors after the run, ${baseline} before`);
    const state = site.instance.state().upstreams.find((u) => u.prefix === '/s');
    assert.equal(state?.active, 0);
    // And the server still answers.
    assert.equal((await site.request('/s/ok')).body, 'ok');
  });
});
