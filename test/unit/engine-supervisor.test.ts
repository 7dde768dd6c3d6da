import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { LogBatch, LogEntry, RequestCounters, ServerState } from '../../app/contract';
import type { EngineProcess } from '../../app/engine-channel';
import type { MainToEngine } from '../../app/engine-protocol';
import { LogPull } from '../../app/log-pull';
import { RequestLog } from '../../app/request-log';
import { EngineContinuity } from '../../main/engine-continuity';
import { EngineStoppedError, EngineSupervisor, RestartPolicy } from '../../main/engine-supervisor';

/** An engine process stand-in: `behave` decides what it does with each message main sends. */
class FakeEngine implements EngineProcess {
  static count = 0;
  readonly pid = 1000 + FakeEngine.count++;
  readonly received: MainToEngine[] = [];
  #onMessage: ((message: unknown) => void) | null = null;
  #onExit: ((reason: string) => void) | null = null;
  #alive = true;
  constructor(readonly behave: (engine: FakeEngine, message: MainToEngine) => void) {}
  send(message: MainToEngine): void {
    this.received.push(message);
    queueMicrotask(() => this.#alive && this.behave(this, message));
  }
  onMessage(listener: (message: unknown) => void): void {
    this.#onMessage = listener;
  }
  onExit(listener: (reason: string) => void): void {
    this.#onExit = listener;
  }
  kill(): void {
    this.die('exit code 0');
  }
  reply(message: unknown): void {
    if (this.#alive) this.#onMessage?.(message);
  }
  die(reason: string): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#onExit?.(reason);
  }
}

/** Ready at once, answers listServers with [] and shutdown with null. */
const healthy = (engine: FakeEngine, message: MainToEngine) => {
  if (message.type === 'init') engine.reply({ type: 'ready' });
  else engine.reply({ type: 'reply', id: message.id, ok: true, value: message.method === 'shutdown' ? null : [] });
};

function supervise(fork: () => FakeEngine, policy = new RestartPolicy({ delays: [0, 5, 5] })) {
  const notices: { level: string; message: string }[] = [];
  const crashes: string[] = [];
  const forked: FakeEngine[] = [];
  const supervisor = new EngineSupervisor({
    fork: () => {
      const engine = fork();
      forked.push(engine);
      return engine;
    },
    init: { userDataDir: '/nowhere', lanAddresses: null },
    onEvent: () => undefined,
    onCrash: (reason) => crashes.push(reason),
    notify: (level, message) => notices.push({ level, message }),
    policy,
  });
  return { supervisor, notices, crashes, forked };
}

test('restart policy: at once the first time, then waiting longer, then giving up; a long run starts the count again', () => {
  const policy = new RestartPolicy({ delays: [0, 1_000, 5_000], settledMs: 60_000 });
  assert.equal(policy.afterCrash(10), 0);
  assert.equal(policy.afterCrash(10), 1_000);
  assert.equal(policy.afterCrash(null), 5_000, 'an engine that never got ready counts as a quick crash');
  assert.equal(policy.afterCrash(10), null);
  assert.equal(policy.crashesInARow, 4);
  const settled = new RestartPolicy({ delays: [0, 1_000], settledMs: 60_000 });
  assert.equal(settled.afterCrash(5), 0);
  assert.equal(settled.afterCrash(5), 1_000);
  assert.equal(settled.afterCrash(120_000), 0, 'after an hour of calm, a crash is a first crash again');
});

test('an engine that dies at every start is tried a few times, then Pier gives up and says so', async () => {
  const { supervisor, notices, forked } = supervise(() => new FakeEngine((engine) => engine.die('exit code 1')));
  await assert.rejects(supervisor.start(), (error: Error) => error instanceof EngineStoppedError && /4 times in a row/.test(error.message));
  assert.equal(forked.length, 4, 'the first start and one restart per delay, then no more');
  assert.equal(supervisor.failed, true);
  const last = notices.at(-1);
  assert.equal(last?.level, 'error');
  assert.match(last?.message ?? '', /stopped unexpectedly 4 times in a row \(last: exit code 1\), so Pier stopped starting it again/);
  assert.ok(notices.some((n) => n.level === 'info' && /starts it again in/.test(n.message)), 'a delayed restart is announced');
  await assert.rejects(supervisor.call('listServers'), EngineStoppedError);
  await supervisor.stop();
});

test('a call in flight when the engine dies fails; a call made meanwhile is answered by the new engine', async () => {
  let first = true;
  const { supervisor, notices, crashes, forked } = supervise(() => {
    const silent = first;
    first = false;
    // The first engine never answers calls (it is about to die); the second one does.
    return new FakeEngine((engine, message) => (message.type === 'init' || !silent ? healthy(engine, message) : undefined));
  });
  await supervisor.start();
  const inFlight = supervisor.call('listServers');
  await new Promise((resolve) => setImmediate(resolve));
  forked[0]!.die('killed by SIGKILL');
  const meanwhile = supervisor.call('listServers');
  await assert.rejects(inFlight, (error: Error) => error instanceof EngineStoppedError && /killed by SIGKILL/.test(error.message));
  assert.deepEqual(await meanwhile, []);
  assert.deepEqual(crashes, ['killed by SIGKILL']);
  assert.equal(forked.length, 2);
  assert.equal(supervisor.pid, forked[1]!.pid);
  assert.deepEqual(notices, [
    { level: 'warning', message: 'Pier’s server engine stopped unexpectedly (killed by SIGKILL); your servers were started again.' },
  ]);
  assert.deepEqual(forked[1]!.received[0], { type: 'init', options: { userDataDir: '/nowhere', lanAddresses: null } }, 'the new engine gets the same options');
  await supervisor.stop();
});

test('quitting asks the engine to save and stop, ends it, and does not start another', async () => {
  const { supervisor, crashes, forked } = supervise(() => new FakeEngine(healthy));
  await supervisor.start();
  await supervisor.stop();
  const methods = forked[0]!.received.flatMap((m) => (m.type === 'call' ? [m.method] : []));
  assert.deepEqual(methods, ['shutdown']);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(forked.length, 1);
  assert.deepEqual(crashes, []);
  assert.equal(supervisor.pid, undefined);
  await assert.rejects(supervisor.call('listServers'), EngineStoppedError);
});

const counters = (requests: number): RequestCounters => ({ requests, bytes: requests * 10, s2xx: requests, s3xx: 0, s4xx: 0, s5xx: 0 });
const entry = (seq: number): LogEntry => ({ seq, time: 0, method: 'GET', path: `/${seq}`, status: 200, bytes: 10, ms: 1, ip: '127.0.0.1', userAgent: '', referer: '' });
const state = (requests: number) => ({ id: 'a', counters: counters(requests) }) as ServerState;

test('across a restart, the window’s request numbers and counts go on instead of starting again at 1', () => {
  const continuity = new EngineContinuity();
  const first: LogBatch = { id: 'a', entries: [entry(1), entry(2), entry(3)], counters: counters(3) };
  assert.deepEqual(continuity.batch(first), first, 'nothing changes before a restart');
  assert.equal(continuity.state(state(4)).counters.requests, 4);
  continuity.restarted();
  // The new engine counts from zero and numbers from 1.
  assert.equal(continuity.state(state(0)).counters.requests, 4);
  const next = continuity.batch({ id: 'a', entries: [entry(1)], counters: counters(1) });
  assert.deepEqual(next.entries.map((e) => e.seq), [4]);
  assert.deepEqual(next.counters, counters(5));
  assert.deepEqual(continuity.entries('a', [entry(1)]).map((e) => e.seq), [4], 'the backlog is numbered the same way');
  continuity.restarted();
  assert.deepEqual(continuity.batch({ id: 'a', entries: [entry(1)], counters: counters(1) }).entries.map((e) => e.seq), [5]);
  continuity.forget('a');
  assert.deepEqual(continuity.batch({ id: 'a', entries: [entry(1)], counters: counters(1) }).entries.map((e) => e.seq), [1]);
});

test('log pulls hand over what is new with the counters, and count what a stalled reader missed instead of keeping it', () => {
  const log = new RequestLog();
  const pull = new LogPull();
  const record = (n: number) => {
    for (let i = 0; i < n; i++) log.record('GET', `/${i}`, 200, 1, 1, '127.0.0.1', '', '');
  };
  assert.equal(pull.pull('a', log), null, 'nothing yet');
  record(3);
  const firstBatch = pull.pull('a', log);
  assert.deepEqual(firstBatch?.entries.map((e) => e.seq), [1, 2, 3]);
  assert.equal(firstBatch?.counters.requests, 3);
  assert.equal(firstBatch?.dropped, undefined);
  assert.equal(pull.pull('a', log), null, 'each entry is handed over once');

  record(7_000); // more than a pull carries arrive before the next pull
  const flood = pull.pull('a', log);
  assert.equal(flood?.entries.length, 5_000);
  assert.equal(flood?.entries.at(-1)?.seq, 7_003, 'the newest are kept');
  assert.equal(flood?.dropped, 2_000);
  assert.equal(flood?.counters.requests, 7_003, 'counted, though not listed');

  record(2);
  log.clear();
  pull.cleared('a', log);
  record(1);
  const afterClear = pull.pull('a', log);
  assert.deepEqual(afterClear?.entries.map((e) => e.seq), [7_006]);
  assert.equal(afterClear?.dropped, undefined, 'cleared on purpose is not dropped');
});
