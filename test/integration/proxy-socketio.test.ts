/**
 * socket.io behind the proxy, as an app's real-time API sits behind `/socket.io`:
 * its long-polling transport (a handshake, then GETs and POSTs that must reach
 * the process holding the session), the upgrade to a WebSocket, and the case
 * sticky balancing exists for: two copies of the app, each with its sessions
 * in memory.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';

import { Server } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';

import type { ProxyRuleInput } from '../../app/contract';
import { serve, type ServedSite } from '../helpers/serve';

interface App {
  url: string;
  /** Transports of the connections it accepted, as they end up. */
  close(): Promise<void>;
}

/** A socket.io server that echoes `echo` events with its own name. */
async function startApp(name: string): Promise<App> {
  const server = http.createServer();
  const ioServer = new Server(server, { cors: { origin: '*' } });
  ioServer.on('connection', (socket) => {
    socket.on('echo', (text: string, reply: (answer: string) => void) => reply(`${name}: ${text}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        void ioServer.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function pierFor(rule: ProxyRuleInput): Promise<ServedSite> {
  const site = await serve({ 'index.html': 'files' }, { config: { proxies: [rule] } });
  cleanup.push(() => site.close());
  return site;
}

/** Connects, waits for `connect` (or rejects with the connect error), within 5 s. */
function connect(url: string, transports: Array<'polling' | 'websocket'>, upgrade = true): Promise<ClientSocket> {
  const client = io(url, { transports, upgrade, reconnection: false, timeout: 5_000, forceNew: true });
  cleanup.push(() => void client.close());
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('connect_error', (error) => reject(error));
  });
}

const echo = (client: ClientSocket, text: string) => client.timeout(5_000).emitWithAck('echo', text) as Promise<string>;

describe('socket.io through the proxy', () => {
  test('long polling, then the upgrade to a WebSocket', async () => {
    const app = await startApp('app');
    cleanup.push(() => app.close());
    const site = await pierFor({ prefix: '/socket.io', upstreams: [app.url] });
    const client = await connect(site.url, ['polling', 'websocket']);
    assert.equal(await echo(client, 'over polling?'), 'app: over polling?');
    if (client.io.engine.transport.name !== 'websocket') {
      await new Promise<void>((resolve) => client.io.engine.once('upgrade', () => resolve()));
    }
    assert.equal(client.io.engine.transport.name, 'websocket');
    assert.equal(await echo(client, 'over the socket'), 'app: over the socket');
    // Both kinds of request went through Pier, and its log says which upstream answered.
    const proxied = site.instance.log.entries().filter((entry) => entry.path.startsWith('/socket.io/'));
    assert.ok(proxied.some((entry) => entry.method === 'POST'), 'a polling POST was logged');
    assert.ok(proxied.every((entry) => entry.upstream === app.url));
  });

  test('a WebSocket from the start', async () => {
    const app = await startApp('app');
    cleanup.push(() => app.close());
    const site = await pierFor({ prefix: '/socket.io', upstreams: [app.url] });
    const client = await connect(site.url, ['websocket']);
    assert.equal(await echo(client, 'hi'), 'app: hi');
  });

  test('two copies with sessions in memory: sticky keeps a polling client on its copy; round-robin splits it', async () => {
    const one = await startApp('one');
    const two = await startApp('two');
    cleanup.push(() => one.close(), () => two.close());
    const sticky = await pierFor({ prefix: '/socket.io', upstreams: [one.url, two.url], policy: 'sticky' });
    const client = await connect(sticky.url, ['polling'], false);
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add((await echo(client, 'x')).split(':')[0]!);
    assert.equal(answers.size, 1, 'every answer came from the copy holding the session');

    // The same app behind round-robin: the second request of the session reaches the other copy,
    // which has never heard of it. This is why the sticky policy exists.
    const roundRobin = await pierFor({ prefix: '/socket.io', upstreams: [one.url, two.url] });
    await assert.rejects(connect(roundRobin.url, ['polling'], false));
  });
});
