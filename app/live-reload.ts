/**
 * Live reload for one running server: a watcher on its folder, and the
 * event streams (`/.pier/live`) of the pages open on it.
 *
 * Saves come in bursts (an editor's atomic save, a build writing twenty
 * files): changed site paths are collected until the folder has been quiet
 * for LIVE_RELOAD_QUIET_MS, or at most LIVE_RELOAD_MAX_WAIT_MS after the
 * first, then sent to every page as one event. Each page decides what the
 * change means to it (live-reload-client.ts).
 *
 * Server-Sent Events (text/event-stream) because the page only listens: it
 * is plain HTTP, so it passes the password check, TLS and proxies like any
 * request, and EventSource reconnects by itself after a restart.
 *   retry: 1000
 *   event: hello      data: {"boot":"…"}       (sent once the watcher is ready)
 *   event: change     data: {"paths":["/style.css"]}   (null: too many to name)
 *   : (a comment every LIVE_RELOAD_HEARTBEAT_MS, so idle timeouts don't cut it)
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { watch as chokidarWatch, type ChokidarOptions } from 'chokidar';

import {
  LIVE_RELOAD_BACKLOG_BYTES,
  LIVE_RELOAD_HEARTBEAT_MS,
  LIVE_RELOAD_MAX_CLIENTS,
  LIVE_RELOAD_MAX_PATHS,
  LIVE_RELOAD_MAX_WAIT_MS,
  LIVE_RELOAD_QUIET_MS,
  MAX_PATH_DEPTH,
} from './limits';
import type { PierResponse, ServerContext } from './pier-response';
import { openEventStream, sendError } from './responder';

/** What LiveReload needs of a watcher (chokidar's FSWatcher; a stand-in in tests). */
export interface FolderWatcher {
  on(event: 'all', listener: (event: string, file: string) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  close(): Promise<void>;
}

export interface LiveReloadOptions {
  /** Timings, for tests; the defaults are the limits in limits.ts. */
  quietMs?: number;
  maxWaitMs?: number;
  heartbeatMs?: number;
  maxClients?: number;
  /** Starts the watcher; chokidar by default. */
  watch?: (root: string, options: ChokidarOptions) => FolderWatcher;
}

/** Folders never watched (nor served): dot-folders such as .git, and node_modules. */
function isIgnored(root: string, file: string): boolean {
  if (file.length <= root.length) return false;
  return file
    .slice(root.length + 1)
    .split(path.sep)
    .some((segment) => segment.startsWith('.') || segment === 'node_modules');
}

/** A watcher error, in words a user can act on. */
function describeWatchError(root: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason =
    code === 'ENOSPC' || code === 'EMFILE'
      ? 'the system limit on watched folders is reached (on Linux, raise fs.inotify.max_user_watches)'
      : error instanceof Error
        ? error.message
        : String(error);
  return new Error(`Live reload stopped watching ${root}: ${reason}. Files are still served; pages won't reload by themselves.`, {
    cause: error,
  });
}

/** The watcher and event streams of one running server. Create it when the server starts; close() when it stops. */
export class LiveReload {
  /** Changes a new id after each start: a page that reconnects to a new one reloads. */
  readonly boot = randomBytes(6).toString('hex');
  readonly #root: string;
  readonly #onError: (error: unknown) => void;
  readonly #options: Required<Omit<LiveReloadOptions, 'watch'>>;
  readonly #watch: NonNullable<LiveReloadOptions['watch']>;
  #watcher: FolderWatcher;
  readonly #clients = new Set<PierResponse>();
  /** Streams waiting for the watcher to be ready before they are greeted. */
  readonly #waiting = new Set<PierResponse>();
  #ready = false;
  #closed = false;
  #pending = new Set<string>();
  #overflow = false;
  #quiet: NodeJS.Timeout | null = null;
  #deadline: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  /** Error codes already reported: a watcher that fails fails for every folder, once is enough. */
  readonly #reported = new Set<string>();

  constructor(realRoot: string, onError: (error: unknown) => void, options: LiveReloadOptions = {}) {
    this.#root = realRoot;
    this.#onError = onError;
    this.#options = {
      quietMs: options.quietMs ?? LIVE_RELOAD_QUIET_MS,
      maxWaitMs: options.maxWaitMs ?? LIVE_RELOAD_MAX_WAIT_MS,
      heartbeatMs: options.heartbeatMs ?? LIVE_RELOAD_HEARTBEAT_MS,
      maxClients: options.maxClients ?? LIVE_RELOAD_MAX_CLIENTS,
    };
    this.#watch = options.watch ?? chokidarWatch;
    this.#watcher = this.#startWatching();
  }

  #startWatching(): FolderWatcher {
    const root = this.#root;
    const watcher = this.#watch(root, {
      ignoreInitial: true,
      ignored: (file: string) => isIgnored(root, file),
      // A link may lead anywhere, even to `/`: watch the folder's own tree only.
      followSymlinks: false,
      depth: MAX_PATH_DEPTH,
    });
    watcher.on('all', (_event, file) => {
      if (watcher === this.#watcher) this.#changed(file);
    });
    watcher.on('error', (error) => this.#failed(error));
    watcher.on('ready', () => {
      if (watcher !== this.#watcher) return;
      this.#ready = true;
      for (const res of this.#waiting) this.#greet(res);
      this.#waiting.clear();
    });
    return watcher;
  }

  /**
   * The folder was deleted and is back (server-instance.ts notices): its
   * watches died with it, so watch it afresh, and reload every page.
   */
  rewatch(): void {
    if (this.#closed) return;
    const old = this.#watcher;
    this.#ready = false;
    this.#reported.clear();
    this.#watcher = this.#startWatching();
    old.close().catch((error: unknown) => this.#failed(error));
    this.#overflow = true;
    this.#flush();
  }

  /** Open event streams. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Answer `GET /.pier/live`: keep the response open as an event stream, or 503 when there are too many. */
  accept(res: PierResponse, ctx: ServerContext): void {
    if (this.#closed) return sendError(res, ctx, 503, 'The server is stopping.');
    if (this.#clients.size >= this.#options.maxClients) {
      return sendError(res, ctx, 503, `Live reload serves at most ${this.#options.maxClients} open pages at once.`, { 'Retry-After': '10' });
    }
    openEventStream(res, ctx);
    if (res.req.method === 'HEAD') {
      res.end();
      return;
    }
    this.#clients.add(res);
    res.once('close', () => {
      this.#clients.delete(res);
      this.#waiting.delete(res);
      if (this.#clients.size === 0 && this.#heartbeat) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = null;
      }
    });
    this.#heartbeat ??= setInterval(() => this.#broadcast(': \n\n'), this.#options.heartbeatMs);
    this.#heartbeat.unref();
    if (this.#ready) this.#greet(res);
    else this.#waiting.add(res);
  }

  /** Stop watching and end every event stream (their pages reconnect to whatever runs next). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of [this.#quiet, this.#deadline]) if (timer) clearTimeout(timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#quiet = this.#deadline = this.#heartbeat = null;
    for (const res of this.#clients) res.end();
    this.#clients.clear();
    this.#waiting.clear();
    await this.#watcher.close();
  }

  #greet(res: PierResponse): void {
    this.#write(res, `retry: 1000\nevent: hello\ndata: ${JSON.stringify({ boot: this.boot })}\n\n`);
  }

  #changed(file: string): void {
    if (this.#closed) return;
    const rel = file.length > this.#root.length ? file.slice(this.#root.length + 1) : '';
    const sitePath = `/${rel.split(path.sep).join('/')}`;
    if (this.#pending.size < LIVE_RELOAD_MAX_PATHS) this.#pending.add(sitePath);
    else if (!this.#pending.has(sitePath)) this.#overflow = true;
    // Debounce: wait for a quiet moment, but no longer than the deadline set by the first change.
    if (this.#quiet) clearTimeout(this.#quiet);
    this.#quiet = setTimeout(() => this.#flush(), this.#options.quietMs);
    this.#deadline ??= setTimeout(() => this.#flush(), this.#options.maxWaitMs);
  }

  #flush(): void {
    for (const timer of [this.#quiet, this.#deadline]) if (timer) clearTimeout(timer);
    this.#quiet = this.#deadline = null;
    const paths = this.#overflow ? null : [...this.#pending];
    this.#pending = new Set();
    this.#overflow = false;
    this.#broadcast(`event: change\ndata: ${JSON.stringify({ paths })}\n\n`);
  }

  #broadcast(text: string): void {
    for (const res of this.#clients) this.#write(res, text);
  }

  /** A page that stopped reading (a frozen tab, a phone asleep) is dropped, never buffered for. */
  #write(res: PierResponse, text: string): void {
    if (res.writableLength > LIVE_RELOAD_BACKLOG_BYTES) {
      res.destroy();
      return;
    }
    res.write(text);
  }

  #failed(error: unknown): void {
    const code = (error as NodeJS.ErrnoException | null)?.code ?? 'unknown';
    if (this.#reported.has(code)) return;
    this.#reported.add(code);
    this.#onError(describeWatchError(this.#root, error));
  }
}
