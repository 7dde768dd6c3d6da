import type { EngineProcess } from '../app/engine-channel';
import {
  isEngineToMain,
  type EngineArgs,
  type EngineCall,
  type EngineEvent,
  type EngineMethod,
  type EngineOptions,
  type EngineValue,
} from '../app/engine-protocol';

/**
 * When to start a crashed engine again. The first crash restarts at once;
 * crashes that follow quickly (the engine ran less than `settledMs`) wait
 * longer each time, and after `delays.length` of them in a row Pier stops
 * trying: an engine that dies at every start would otherwise spin a core.
 */
export class RestartPolicy {
  readonly #delays: readonly number[];
  readonly #settledMs: number;
  #quickCrashes = 0;

  constructor({ delays = [0, 1_000, 5_000, 15_000], settledMs = 60_000 }: { delays?: readonly number[]; settledMs?: number } = {}) {
    this.#delays = delays;
    this.#settledMs = settledMs;
  }

  /**
   * @param ranMs How long the engine that crashed had been ready; null if it never got ready.
   * @returns Milliseconds to wait before starting it again, or null to give up.
   */
  afterCrash(ranMs: number | null): number | null {
    if (ranMs !== null && ranMs >= this.#settledMs) this.#quickCrashes = 0;
    return this.#delays[this.#quickCrashes++] ?? null;
  }

  /** Crashes in a row that counted as quick, including the last one. */
  get crashesInARow(): number {
    return this.#quickCrashes;
  }
}

/** A call was in flight, or made, while no engine could answer. */
export class EngineStoppedError extends Error {
  override name = 'EngineStoppedError';
}

export interface SupervisorOptions {
  /** Start one engine process (utilityProcess in the app, child_process.fork in tests). */
  fork(): EngineProcess;
  init: EngineOptions;
  /** Servers snapshots and notices from the engine. */
  onEvent(event: Exclude<EngineEvent, { type: 'ready' }>): void;
  /** The engine died unexpectedly; called at once, before a new one starts. */
  onCrash(reason: string): void;
  /** Tell the user (a notice in the window). */
  notify(level: 'info' | 'warning' | 'error', message: string): void;
  policy?: RestartPolicy;
  /** How long quitting waits for the engine to save and stop, then for it to exit. */
  shutdownTimeoutMs?: number;
}

type State = 'starting' | 'ready' | 'waiting' | 'stopping' | 'stopped' | 'failed';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const PRODUCT = 'Pier’s server engine';

/**
 * Main's side of the engine: starts the engine process, calls it, and starts
 * it again when it dies unexpectedly (the new engine restores the same
 * servers from the settings). Calls made while an engine is starting wait
 * for it; calls in flight when it dies reject with EngineStoppedError.
 */
export class EngineSupervisor {
  readonly #options: SupervisorOptions;
  readonly #policy: RestartPolicy;
  #state: State = 'starting';
  #process: EngineProcess | null = null;
  #readyAt = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #waiters: Pending[] = [];
  #restartTimer: NodeJS.Timeout | null = null;
  /** Why the engine last crashed, until the new one is ready and the user was told. */
  #crashReason: string | null = null;
  #failure: string | null = null;
  #exited: (() => void) | null = null;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#policy = options.policy ?? new RestartPolicy();
  }

  /** Start the first engine; resolves once it has restored the saved servers. Rejects if it keeps dying. */
  start(): Promise<void> {
    this.#launch();
    return this.#whenReady();
  }

  /** The engine process's id, while one runs. */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** True once Pier gave up restarting the engine. */
  get failed(): boolean {
    return this.#state === 'failed';
  }

  async call<M extends EngineMethod>(method: M, ...args: EngineArgs<M>): Promise<EngineValue<M>> {
    await this.#whenReady();
    return this.#send(method, args);
  }

  /** Save and stop every server, then end the engine process. */
  async stop(): Promise<void> {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    const wasReady = this.#state === 'ready';
    const engine = this.#process;
    if (this.#state === 'stopped' || this.#state === 'failed' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    this.#rejectWaiters('Pier is quitting.');
    if (!engine) {
      this.#state = 'stopped';
      return;
    }
    const timeoutMs = this.#options.shutdownTimeoutMs ?? 10_000;
    const exited = new Promise<void>((resolve) => (this.#exited = resolve));
    if (wasReady) {
      await withTimeout(this.#send('shutdown', []), timeoutMs).catch((error: unknown) => {
        console.error('[pier] the engine did not shut down cleanly', error);
      });
    }
    engine.kill();
    await withTimeout(exited, timeoutMs).catch(() => console.error('[pier] the engine did not exit after being asked to'));
    this.#state = 'stopped';
  }

  #launch(): void {
    this.#state = 'starting';
    let engine: EngineProcess;
    try {
      engine = this.#options.fork();
    } catch (error) {
      queueMicrotask(() => this.#crashed(`could not start: ${error instanceof Error ? error.message : String(error)}`, null));
      return;
    }
    this.#process = engine;
    engine.onMessage((message) => {
      if (this.#process === engine) this.#receive(message);
    });
    engine.onExit((reason) => {
      if (this.#process === engine) this.#onExit(reason);
    });
    engine.send({ type: 'init', options: this.#options.init });
  }

  #receive(message: unknown): void {
    if (!isEngineToMain(message)) {
      console.error('[pier] ignored a message of unknown shape from the engine');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.#state = 'ready';
        this.#readyAt = Date.now();
        for (const waiter of this.#waiters.splice(0)) waiter.resolve(undefined);
        if (this.#crashReason) {
          this.#options.notify('warning', `${PRODUCT} stopped unexpectedly (${this.#crashReason}); your servers were started again.`);
          this.#crashReason = null;
        }
        return;
      case 'reply': {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (!pending) return;
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new Error(message.error));
        return;
      }
      default:
        this.#options.onEvent(message);
    }
  }

  #onExit(reason: string): void {
    const ranMs = this.#state === 'ready' ? Date.now() - this.#readyAt : null;
    this.#process = null;
    for (const pending of this.#pending.values()) pending.reject(new EngineStoppedError(`${PRODUCT} stopped (${reason}).`));
    this.#pending.clear();
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      this.#exited?.();
      return;
    }
    this.#crashed(reason, ranMs);
  }

  #crashed(reason: string, ranMs: number | null): void {
    console.error(`[pier] the server engine stopped unexpectedly (${reason})`);
    this.#options.onCrash(reason);
    const delay = this.#policy.afterCrash(ranMs);
    if (delay === null) {
      this.#state = 'failed';
      this.#failure = `${PRODUCT} stopped unexpectedly ${this.#policy.crashesInARow} times in a row (last: ${reason}), so Pier stopped starting it again. Quit and reopen Pier to try again.`;
      this.#crashReason = null;
      this.#options.notify('error', this.#failure);
      this.#rejectWaiters(this.#failure);
      return;
    }
    this.#crashReason = reason;
    if (delay === 0) {
      this.#launch();
      return;
    }
    this.#state = 'waiting';
    this.#options.notify('info', `${PRODUCT} stopped again (${reason}); Pier starts it again in ${Math.round(delay / 1000)} s.`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      this.#launch();
    }, delay);
  }

  #whenReady(): Promise<void> {
    switch (this.#state) {
      case 'ready':
        return Promise.resolve();
      case 'failed':
        return Promise.reject(new EngineStoppedError(this.#failure ?? `${PRODUCT} is not running.`));
      case 'stopping':
      case 'stopped':
        return Promise.reject(new EngineStoppedError('Pier is quitting.'));
      default:
        return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
    }
  }

  #send<M extends EngineMethod>(method: M, args: EngineArgs<M> | []): Promise<EngineValue<M>> {
    const engine = this.#process;
    if (!engine) return Promise.reject(new EngineStoppedError(`${PRODUCT} is not running.`));
    const id = this.#nextId++;
    return new Promise<EngineValue<M>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      engine.send({ type: 'call', id, method, args } as EngineCall);
    });
  }

  #rejectWaiters(message: string): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new EngineStoppedError(message));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
