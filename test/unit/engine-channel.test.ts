import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { fromUtilityProcess, parentChannel } from '../../app/engine-channel';
import { isEngineToMain, isMainToEngine, type EngineToMain } from '../../app/engine-protocol';
import { engineForker, exited } from '../helpers/engine';

test('the engine side talks through Electron’s parentPort in a utility process', () => {
  const port = Object.assign(new EventEmitter(), { posted: [] as unknown[], postMessage(m: unknown) { this.posted.push(m); } });
  const proc = Object.assign(new EventEmitter(), { parentPort: port, send: undefined });
  const channel = parentChannel(proc);
  const received: unknown[] = [];
  channel.onMessage((m) => received.push(m));
  // Electron wraps each message in an event: the adapter hands on e.data.
  port.emit('message', { data: { type: 'init', options: { userDataDir: '/x', lanAddresses: null } }, ports: [] });
  assert.deepEqual(received, [{ type: 'init', options: { userDataDir: '/x', lanAddresses: null } }]);
  channel.send({ type: 'ready' });
  assert.deepEqual(port.posted, [{ type: 'ready' }]);
});

test('the engine side talks through process.send and process.on("message") under child_process.fork', () => {
  const sent: unknown[] = [];
  const proc = Object.assign(new EventEmitter(), {
    send: (m: unknown) => {
      sent.push(m);
      return true;
    },
  });
  const channel = parentChannel(proc);
  const received: unknown[] = [];
  channel.onMessage((m) => received.push(m));
  let gone = false;
  channel.onDisconnect(() => (gone = true));
  proc.emit('message', { type: 'call', id: 1, method: 'listServers', args: [] });
  assert.deepEqual(received, [{ type: 'call', id: 1, method: 'listServers', args: [] }]);
  channel.send({ type: 'servers', servers: [] });
  assert.deepEqual(sent, [{ type: 'servers', servers: [] }]);
  proc.emit('disconnect');
  assert.equal(gone, true);
});

test('a process started by neither has no channel, and says so', () => {
  assert.throws(() => parentChannel(Object.assign(new EventEmitter(), { send: undefined })), /only as a child of Pier/);
});

test('main’s side of a utility process: messages as they are, and the exit code as the reason', () => {
  class FakeUtilityProcess extends EventEmitter {
    pid: number | undefined = 42;
    posted: unknown[] = [];
    postMessage(m: unknown) {
      this.posted.push(m);
    }
    kill() {
      this.emit('exit', 15);
      return true;
    }
  }
  const child = new FakeUtilityProcess();
  const engine = fromUtilityProcess(child);
  const messages: unknown[] = [];
  const exits: string[] = [];
  engine.onMessage((m) => messages.push(m));
  engine.onExit((reason) => exits.push(reason));
  assert.equal(engine.pid, 42);
  engine.send({ type: 'call', id: 7, method: 'pullLogs', args: [] });
  assert.deepEqual(child.posted, [{ type: 'call', id: 7, method: 'pullLogs', args: [] }]);
  child.emit('message', { type: 'ready' });
  assert.deepEqual(messages, [{ type: 'ready' }]);
  engine.kill();
  assert.deepEqual(exits, ['exit code 15']);
});

test('messages are checked for their shape at both ends', () => {
  assert.equal(isMainToEngine({ type: 'call', id: 1, method: 'listServers', args: [] }), true);
  assert.equal(isMainToEngine({ type: 'call', id: 1, method: 'constructor', args: [] }), false, 'only the engine’s own methods');
  assert.equal(isMainToEngine({ type: 'call', id: '1', method: 'listServers', args: [] }), false);
  assert.equal(isMainToEngine({ type: 'init', options: {} }), false);
  assert.equal(isMainToEngine(null), false);
  assert.equal(isEngineToMain({ type: 'reply', id: 1, ok: true, value: [] }), true);
  assert.equal(isEngineToMain({ type: 'notice', level: 'warning', message: 'x' }), true);
  assert.equal(isEngineToMain({ type: 'notice', level: 'loud', message: 'x' }), false);
  assert.equal(isEngineToMain({ type: 'servers' }), false);
  assert.equal(isEngineToMain('ready'), false);
});

test('a real engine host under child_process.fork: init, ready, a call and its reply, then SIGKILL as the exit reason', async (t) => {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'pier-channel-'));
  const engines = engineForker();
  t.after(async () => {
    engines.killAll();
    await rm(userDataDir, { recursive: true, force: true });
  });
  const engine = engines.fork();
  const messages: EngineToMain[] = [];
  const next = (type: string) =>
    new Promise<EngineToMain>((resolve) => {
      const found = messages.find((m) => m.type === type);
      if (found) resolve(found);
      else engine.onMessage((m) => isEngineToMain(m) && m.type === type && resolve(m));
    });
  engine.onMessage((m) => {
    assert.ok(isEngineToMain(m), 'every message from the engine has a known shape');
    messages.push(m);
  });
  const exit = new Promise<string>((resolve) => engine.onExit(resolve));
  engine.send({ type: 'init', options: { userDataDir, lanAddresses: [] } });
  await next('ready');
  engine.send({ type: 'call', id: 1, method: 'listServers', args: [] });
  assert.deepEqual(await next('reply'), { type: 'reply', id: 1, ok: true, value: [] });
  assert.ok(engine.pid && engine.pid !== process.pid);
  process.kill(engine.pid, 'SIGKILL');
  assert.equal(await exit, 'killed by SIGKILL');
  await exited(engines.children[0]!);
  assert.equal(engine.pid, undefined);
});
