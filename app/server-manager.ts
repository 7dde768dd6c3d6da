import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

import {
  describeIssues,
  fail,
  ok,
  ServerInput,
  ServerOptions,
  ServerPatch,
  type LogEntry,
  type PierError,
  type Result,
  type ServerConfig,
  type ServerId,
  type ServerState,
  type SettingsFile,
} from './contract';
import { checkFolder } from './folder';
import { ServerInstance, type InstanceOptions } from './server-instance';
import { serverNameFor } from './server-name';

export interface ManagerEvents {
  /** A server changed: its status, its options, or it was just added. */
  state: [ServerState];
  removed: [ServerId];
  /** New request-log entries of one server, batched per event-loop turn. */
  log: [ServerId, LogEntry[]];
  /** A bug surfaced while a server answered a request. */
  requestError: [ServerId, unknown];
}

const unknownServer = () => fail('UNKNOWN_SERVER', 'That server no longer exists.');

export interface ManagerOptions extends InstanceOptions {
  /** Injected in tests for stable ids. */
  newId?: () => string;
}

/**
 * Many servers side by side. Every change is announced with a `state` event
 * carrying a fresh snapshot, so a UI (or the settings store) can follow along
 * without polling. Expected failures come back as values.
 */
export class ServerManager extends EventEmitter<ManagerEvents> {
  readonly #servers = new Map<ServerId, { instance: ServerInstance; unsubscribe: () => void }>();
  readonly #options: ManagerOptions;
  /** Servers the user wants running, also when a start failed (a taken port): saved as `running`. */
  readonly #wanted = new Set<ServerId>();
  /**
   * Why a server's start threw (a bug, not an expected failure): the instance
   * could not record it, so the manager shows it on the stopped server until
   * the next start, stop or change.
   */
  readonly #startErrors = new Map<ServerId, PierError>();

  constructor(options: ManagerOptions = {}) {
    super();
    this.#options = options;
  }

  /** Snapshots of every server, in the order they were added. */
  list(): ServerState[] {
    return [...this.#servers.values()].map(({ instance }) => this.#snapshot(instance));
  }

  /** A snapshot of one server, or UNKNOWN_SERVER. Prefer this to `get(id).state()`: it includes a start that threw. */
  state(id: ServerId): Result<ServerState> {
    const entry = this.#servers.get(id);
    return entry ? ok(this.#snapshot(entry.instance)) : unknownServer();
  }

  #snapshot(instance: ServerInstance): ServerState {
    const state = instance.state();
    const error = this.#startErrors.get(instance.id);
    return error && state.status === 'stopped' ? { ...state, status: 'error', error } : state;
  }

  /** The live instance, for its request log. */
  get(id: ServerId): ServerInstance | undefined {
    return this.#servers.get(id)?.instance;
  }

  /** The live instance, or the UNKNOWN_SERVER failure to hand back as it is. */
  find(id: ServerId): Result<ServerInstance> {
    const entry = this.#servers.get(id);
    return entry ? ok(entry.instance) : unknownServer();
  }

  /**
   * Add a server for a folder. Only `root` is required; the name defaults to
   * {@link serverNameFor} the folder. The folder is checked first: nothing is added for a
   * folder that is missing, a file, or unreadable. With `start`, it also starts
   * (a failed start leaves it listed with status `error` and the reason).
   */
  async create(input: unknown, options: { start?: boolean } = {}): Promise<Result<ServerState>> {
    const parsed = ServerInput.safeParse(input);
    if (!parsed.success) return fail('INVALID_OPTIONS', describeIssues(parsed.error));
    const folder = await checkFolder(parsed.data.root);
    if (!folder.ok) return folder;
    const root = folder.value;
    const full = ServerOptions.safeParse({ ...parsed.data, root, name: parsed.data.name ?? serverNameFor(root) });
    if (!full.success) return fail('INVALID_OPTIONS', describeIssues(full.error));
    const config: ServerConfig = { ...full.data, id: this.#options.newId?.() ?? randomUUID() };
    const state = this.add(config);
    return options.start ? this.start(config.id) : ok(state);
  }

  /** Add a server from saved settings as it is, stopped. Its folder is checked when it starts. */
  add(config: ServerConfig, lastPort: number | null = null): ServerState {
    if (this.#servers.has(config.id)) throw new Error(`ServerManager.add: duplicate id ${config.id}`);
    const instance = new ServerInstance(config, this.#options);
    instance.lastPort = lastPort;
    instance.on('state', () => this.emit('state', this.#snapshot(instance)));
    instance.on('requestError', (error) => this.emit('requestError', config.id, error));
    const unsubscribe = instance.log.subscribe((batch) => this.emit('log', config.id, batch));
    this.#servers.set(config.id, { instance, unsubscribe });
    const state = this.#snapshot(instance);
    this.emit('state', state);
    return state;
  }

  /** Change options. A running server (or one whose start failed) restarts with them; a stopped one stays stopped. */
  async update(id: ServerId, patch: unknown): Promise<Result<ServerState>> {
    const found = this.find(id);
    if (!found.ok) return found;
    const instance = found.value;
    const parsedPatch = ServerPatch.safeParse(patch);
    if (!parsedPatch.success) return fail('INVALID_OPTIONS', describeIssues(parsedPatch.error));
    const { id: _id, ...current } = instance.config;
    const merged = ServerOptions.safeParse({ ...current, ...parsedPatch.data });
    if (!merged.success) return fail('INVALID_OPTIONS', describeIssues(merged.error));
    let next: ServerConfig = { ...merged.data, id };
    if (next.root !== current.root) {
      const folder = await checkFolder(next.root);
      if (!folder.ok) return folder;
      next = { ...next, root: folder.value };
    }
    // A server the user wants running (running, or failed to start: say on a
    // taken port the user just changed) starts again with the new options.
    const previous = instance.config;
    const wasRunning = instance.status === 'running';
    this.#startErrors.delete(id);
    await instance.stop();
    instance.config = next;
    if (!this.#wanted.has(id)) {
      this.emit('state', this.#snapshot(instance));
      return ok(this.#snapshot(instance));
    }
    const started = await this.#start(instance);
    if (started.ok || !wasRunning) return started;
    return this.#revert(instance, previous, started);
  }

  /**
   * A running server whose new options could not start (a taken port, say):
   * taking it down would be worse than refusing the change, so it goes back to
   * what was working, on the port it had, and the failure says so (with no
   * other port offered: the one that works is the one it has).
   */
  async #revert(instance: ServerInstance, previous: ServerConfig, failure: Result<ServerState>): Promise<Result<ServerState>> {
    if (failure.ok) return failure;
    const tried = instance.config.port;
    // An `auto` server asks for its last port first, which is the one it had.
    instance.config = previous;
    const restored = await this.#start(instance);
    if (!restored.ok) return failure;
    const { ok: _ok, suggestedPort: _offer, ...details } = failure;
    const reason = details.code === 'PORT_IN_USE' ? `Port ${tried} is already in use.` : details.message;
    return { ok: false, ...details, message: `${reason} Nothing was changed: the server goes on at port ${restored.value.port}.`, reverted: true };
  }

  /**
   * Start a server. Never throws: expected failures (a taken port, a missing
   * folder) and bugs alike come back as values and show on that server, so
   * starting many (a restore) goes on past one that fails.
   */
  async start(id: ServerId): Promise<Result<ServerState>> {
    const found = this.find(id);
    if (!found.ok) return found;
    this.#wanted.add(id);
    return this.#start(found.value);
  }

  async #start(instance: ServerInstance): Promise<Result<ServerState>> {
    this.#startErrors.delete(instance.id);
    try {
      return await instance.start();
    } catch (error) {
      const failure = fail('LISTEN_FAILED', `Pier could not start this server: ${error instanceof Error ? error.message : String(error)}`);
      const { ok: _ok, ...details } = failure;
      this.#startErrors.set(instance.id, details);
      // Frees whatever the failed start held and leaves it stopped, which #snapshot shows as this error.
      await instance.stop();
      this.emit('state', this.#snapshot(instance));
      return failure;
    }
  }

  /** Stop at once: keep-alive connections are closed and the port is free when this resolves. */
  async stop(id: ServerId): Promise<Result<ServerState>> {
    const found = this.find(id);
    if (!found.ok) return found;
    this.#wanted.delete(id);
    this.#startErrors.delete(id);
    await found.value.stop();
    return ok(this.#snapshot(found.value));
  }

  /** Stop a server and forget it (its request log goes with it). */
  async remove(id: ServerId): Promise<Result<null>> {
    const entry = this.#servers.get(id);
    if (!entry) return unknownServer();
    this.#servers.delete(id);
    this.#wanted.delete(id);
    this.#startErrors.delete(id);
    entry.unsubscribe();
    await entry.instance.stop();
    entry.instance.removeAllListeners();
    this.emit('removed', id);
    return ok(null);
  }

  /** Stop every server (at quit). What the user wanted running is remembered for toSettings(). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#servers.values()].map(({ instance }) => instance.stop()));
  }

  /**
   * What the settings store keeps: every server's options and whether the user
   * wants it running (true also for a server whose start failed, so it is
   * tried again at the next launch).
   */
  toSettings(): SettingsFile {
    return {
      version: 1,
      servers: [...this.#servers.values()].map(({ instance }) => ({
        ...instance.config,
        running: this.#wanted.has(instance.id),
        lastPort: instance.lastPort,
      })),
    };
  }
}
