/**
 * Creating, starting, stopping, changing and removing servers through the
 * ServerManager, with real ports on 127.0.0.1. LAN mode is checked by what the
 * kernel says is listening (`ss -ltn`); nothing here connects to a LAN address.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';

import type { ServerState, ServerStatus } from '../../app/contract';
import { ServerManager } from '../../app/server-manager';
import { findFreePort } from '../../app/ports';
import { freePort, occupy, request, tempDir, writeTree } from '../helpers/serve';
import { within } from '../helpers/proc';

const INDEX = '<h1>home</h1>';
let base: string;
/** A folder with an index.html and a file, different per name. */
let folder: (name: string) => Promise<string>;
const managers: ServerManager[] = [];

before(async () => {
  base = await tempDir('pier-it-life-');
  folder = async (name) => {
    const root = path.join(base, name);
    await writeTree(root, { 'index.html': INDEX, 'who.txt': name });
    return root;
  };
});
after(async () => {
  await within(5_000, 'stopping every server', Promise.all(managers.map((m) => m.stopAll())));
  await rm(base, { recursive: true, force: true });
});

/** A manager stopped after the file's tests; LAN addresses are fixed so no real interface is read. */
function manager(): ServerManager {
  let next = 0;
  const m = new ServerManager({ newId: () => `s${++next}`, lanAddresses: () => ['192.168.1.20'] });
  managers.push(m);
  return m;
}

/** Unwrap a Result, failing the test with the error's message. */
function value<T>(result: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!result.ok) assert.fail(`${result.code}: ${result.message}`);
  return result.value;
}

function runningPort(state: ServerState): number {
  assert.equal(state.status, 'running');
  assert.ok(state.port !== null);
  assert.equal(state.url, `http://127.0.0.1:${state.port}/`);
  return state.port;
}


/** What the kernel lists as listening sockets on this port ("127.0.0.1:8080", "*:8080", …). */
function listeners(port: number): string[] {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/)[3] ?? '');
}

describe('bad input changes nothing', () => {
  test('a missing folder → FOLDER_MISSING naming the path, nothing added', async () => {
    const m = manager();
    const events: ServerState[] = [];
    m.on('state', (s) => events.push(s));
    const missing = path.join(base, 'does-not-exist');
    const result = await m.create({ root: missing }, { start: true });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.code, 'FOLDER_MISSING');
    assert.ok(result.message.includes(missing), result.message);
    assert.deepEqual(m.list(), []);
    assert.deepEqual(events, []);
  });

  test('a file instead of a folder → NOT_A_FOLDER naming the path', async () => {
    const m = manager();
    const file = path.join(base, 'just-a-file.txt');
    await writeFile(file, 'x');
    const result = await m.create({ root: file });
    assert.ok(!result.ok);
    assert.equal(result.code, 'NOT_A_FOLDER');
    assert.ok(result.message.includes(file), result.message);
    assert.deepEqual(m.list(), []);
  });

  test('an invalid option (port 70000) → INVALID_OPTIONS about the port', async () => {
    const m = manager();
    const root = await folder('invalid');
    for (const input of [{ root, port: 70000 }, { root, port: 0 }, { root, port: 80.5 }, { root, caching: 'forever' }, { root, unknown: true }]) {
      const result = await m.create(input);
      assert.ok(!result.ok, JSON.stringify(input));
      assert.equal(result.code, 'INVALID_OPTIONS');
    }
    const result = await m.create({ root, port: 70000 });
    assert.ok(!result.ok);
    assert.match(result.message, /The port must be a number from 1 to 65535\./);
    assert.deepEqual(m.list(), []);
  });

  test('an unknown server id → UNKNOWN_SERVER', async () => {
    const m = manager();
    for (const result of [await m.start('nope'), await m.stop('nope'), await m.update('nope', { spa: true }), await m.remove('nope')]) {
      assert.ok(!result.ok);
      assert.equal(result.code, 'UNKNOWN_SERVER');
    }
  });
});

describe('ports', () => {
  test('a chosen port that is taken → PORT_IN_USE naming it and the next free one; status error', async () => {
    const m = manager();
    const root = await folder('taken');
    const blocker = await occupy();
    try {
      const result = await m.create({ root, port: blocker.port }, { start: true });
      assert.ok(!result.ok);
      assert.equal(result.code, 'PORT_IN_USE');
      const suggested = result.suggestedPort;
      assert.ok(suggested !== undefined && suggested > blocker.port, `suggested ${suggested}`);
      assert.equal(result.message, `Port ${blocker.port} is already in use. The next free port is ${suggested}.`);
      // Still listed, showing why it is not running.
      const [state] = m.list();
      assert.ok(state);
      assert.equal(state.status, 'error');
      assert.equal(state.error?.code, 'PORT_IN_USE');
      assert.equal(state.error?.message, result.message);
      assert.equal(state.port, null);
      assert.equal(state.url, null);
      // Taking the offer works.
      value(await m.update(state.id, { port: suggested }));
      assert.equal(runningPort(value(await m.start(state.id))), suggested);
    } finally {
      await blocker.close();
    }
  });

  test('auto port skips a taken port', async () => {
    const m = manager();
    const root = await folder('auto');
    const first = await findFreePort('127.0.0.1');
    assert.ok(first !== null);
    const blocker = await occupy(first);
    try {
      const state = value(await m.create({ root }, { start: true }));
      const port = runningPort(state);
      assert.notEqual(port, first);
      assert.ok(port >= 8080);
      assert.equal((await request(port, '/who.txt')).body, 'auto');
    } finally {
      await blocker.close();
    }
  });

  test('two servers side by side, each on its own port with its own folder', async () => {
    const m = manager();
    const a = runningPort(value(await m.create({ root: await folder('left') }, { start: true })));
    const b = runningPort(value(await m.create({ root: await folder('right') }, { start: true })));
    assert.notEqual(a, b);
    assert.equal((await request(a, '/who.txt')).body, 'left');
    assert.equal((await request(b, '/who.txt')).body, 'right');
    assert.deepEqual(
      m.list().map((s) => [s.config.name, s.status]),
      [['left', 'running'], ['right', 'running']],
    );
  });
});

describe('start and stop', () => {
  test('state events: starting → running → stopped, in order', async () => {
    const m = manager();
    const root = await folder('events');
    const seen: ServerStatus[] = [];
    m.on('state', (s) => seen.push(s.status));
    const created = value(await m.create({ root }));
    assert.equal(created.status, 'stopped');
    assert.deepEqual(seen, ['stopped']);
    seen.length = 0;
    runningPort(value(await m.start(created.id)));
    value(await m.stop(created.id));
    assert.deepEqual(seen, ['starting', 'running', 'stopped']);
    // Starting a running server or stopping a stopped one changes nothing.
    seen.length = 0;
    value(await m.stop(created.id));
    assert.deepEqual(seen, []);
  });

  test('stop with an open keep-alive connection: prompt, the socket is closed, the port is free', async () => {
    const m = manager();
    const port = await freePort();
    const state = value(await m.create({ root: await folder('keepalive'), port }, { start: true }));
    assert.equal(runningPort(state), port);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      let socket: Socket | undefined;
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/who.txt', agent }, (res) => {
            socket = res.socket;
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      assert.equal(body, 'keepalive');
      assert.ok(socket && !socket.destroyed, 'the agent keeps the socket open');
      const closed = new Promise<void>((resolve) => socket!.once('close', () => resolve()));

      const startedAt = performance.now();
      value(await within(2_000, 'stop', m.stop(state.id)));
      const took = performance.now() - startedAt;
      // The keep-alive timeout is 5 s; a stop that waited for it would be far slower.
      assert.ok(took < 1_000, `stop took ${Math.round(took)} ms`);

      await within(1_000, 'closing the kept socket', closed);
      // The port can be bound again at once.
      const rebound = await occupy(port);
      await rebound.close();
      assert.equal(m.list()[0]?.status, 'stopped');
      assert.equal(m.list()[0]?.port, null);
    } finally {
      agent.destroy();
    }
  });

  test('stop in the middle of a large download is prompt too', async () => {
    const m = manager();
    const root = await folder('download');
    await writeFile(path.join(root, 'big.bin'), Buffer.alloc(32 * 1024 * 1024));
    const state = value(await m.create({ root }, { start: true }));
    const port = runningPort(state);
    const aborted = new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/big.bin', agent: false }, (res) => {
          // Read slowly: take one chunk, then stop reading, so the server is mid-response.
          res.once('data', () => {
            res.pause();
            resolve('started');
          });
          res.on('error', () => undefined);
        })
        .on('error', () => undefined);
    });
    assert.equal(await aborted, 'started');
    const startedAt = performance.now();
    value(await within(2_000, 'stop', m.stop(state.id)));
    assert.ok(performance.now() - startedAt < 1_000);
    const rebound = await occupy(port);
    await rebound.close();
  });

  test('a server whose folder disappeared fails to start with FOLDER_MISSING, and says so', async () => {
    const m = manager();
    const root = await folder('vanishing');
    const created = value(await m.create({ root }));
    await rm(root, { recursive: true });
    const result = await m.start(created.id);
    assert.ok(!result.ok);
    assert.equal(result.code, 'FOLDER_MISSING');
    assert.equal(m.list()[0]?.status, 'error');
    assert.equal(m.list()[0]?.error?.code, 'FOLDER_MISSING');
  });
});

describe('update and remove', () => {
  test('updating a running server restarts it with the new options on the same port', async () => {
    const m = manager();
    const port = await freePort();
    const created = value(await m.create({ root: await folder('update'), port }, { start: true }));
    assert.equal(runningPort(created), port);
    assert.equal((await request(port, '/settings')).status, 404);

    const updated = value(await m.update(created.id, { spa: true }));
    assert.equal(runningPort(updated), port);
    assert.equal(updated.config.spa, true);
    const res = await request(port, '/settings');
    assert.equal(res.status, 200);
    assert.equal(res.body, INDEX);
  });

  test('an update changes only what it names: the password and the other options stay', async () => {
    const m = manager();
    const port = await freePort();
    const options = {
      port,
      listing: false,
      caching: 'no-store' as const,
      headers: [{ name: 'X-Kept', value: 'yes' }],
      auth: { username: 'ada', password: 'secret' },
    };
    const created = value(await m.create({ root: await folder('partial-update'), ...options }, { start: true }));
    assert.equal((await request(port, '/who.txt')).status, 401);

    const updated = value(await m.update(created.id, { cors: true }));
    const { id: _id, root: _root, name: _name, ...config } = updated.config;
    assert.deepEqual(
      config,
      {
        port,
        lan: false,
        listing: false,
        spa: false,
        cleanUrls: false,
        cors: true,
        compress: true,
        caching: 'no-store',
        headers: [{ name: 'X-Kept', value: 'yes' }],
        presets: [],
        liveReload: false,
        proxies: [],
        https: false,
        auth: { username: 'ada', password: 'secret' },
      },
      'update reset options it was not asked to change',
    );
    // What a visitor sees: still on the same port, still behind the password.
    assert.equal(updated.port, port);
    const res = await request(port, '/who.txt');
    assert.equal(res.status, 401, 'the password was dropped by an unrelated update');
  });

  test('an invalid update changes nothing and the server keeps running', async () => {
    const m = manager();
    const created = value(await m.create({ root: await folder('bad-update') }, { start: true }));
    const port = runningPort(created);
    const result = await m.update(created.id, { port: 70000 });
    assert.ok(!result.ok);
    assert.equal(result.code, 'INVALID_OPTIONS');
    assert.equal(m.list()[0]?.status, 'running');
    assert.equal(m.list()[0]?.config.port, 'auto');
    assert.equal((await request(port, '/who.txt')).body, 'bad-update');
  });

  test('updating a stopped server keeps it stopped', async () => {
    const m = manager();
    const created = value(await m.create({ root: await folder('stopped-update') }));
    const updated = value(await m.update(created.id, { cors: true }));
    assert.equal(updated.status, 'stopped');
    assert.equal(updated.config.cors, true);
  });

  test('remove stops the server, frees its port and forgets it', async () => {
    const m = manager();
    const removed: string[] = [];
    m.on('removed', (id) => removed.push(id));
    const port = await freePort();
    const created = value(await m.create({ root: await folder('remove'), port }, { start: true }));
    assert.equal(runningPort(created), port);
    value(await m.remove(created.id));
    assert.deepEqual(removed, [created.id]);
    assert.deepEqual(m.list(), []);
    assert.equal(m.get(created.id), undefined);
    await assert.rejects(request(port, '/who.txt'), { code: 'ECONNREFUSED' });
    const rebound = await occupy(port);
    await rebound.close();
  });
});

describe('reach', () => {
  test('local only (default) listens on 127.0.0.1 and nowhere else', async () => {
    const m = manager();
    const port = await freePort();
    const state = value(await m.create({ root: await folder('local'), port }, { start: true }));
    assert.equal(runningPort(state), port);
    assert.deepEqual(listeners(port), [`127.0.0.1:${port}`]);
    assert.deepEqual(state.lanUrls, []);
  });

  test('LAN mode listens on all interfaces and lists one URL per LAN address', async () => {
    const m = manager();
    const port = await freePort();
    const state = value(await m.create({ root: await folder('lan'), port, lan: true }, { start: true }));
    assert.equal(runningPort(state), port);
    const bound = listeners(port);
    assert.equal(bound.length, 1, bound.join(' '));
    assert.ok([`*:${port}`, `0.0.0.0:${port}`, `[::]:${port}`].includes(bound[0]!), bound[0]);
    // Addresses come from the injected list; the test never connects to them.
    assert.deepEqual(state.lanUrls, [`http://192.168.1.20:${port}/`]);
    // Loopback is one of "all interfaces".
    assert.equal((await request(port, '/who.txt')).body, 'lan');
    value(await m.stop(state.id));
    assert.deepEqual(listeners(port), []);
    assert.deepEqual(m.list()[0]?.lanUrls, []);
  });
});
