import { EventEmitter } from 'node:events';
import { realpath } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type Socket } from 'node:net';

import {
  AUTO_PORT_START,
  fail,
  ok,
  type DetectedBuild,
  type PierError,
  type Result,
  type ServerConfig,
  type ServerState,
  type ServerStatus,
} from './contract';
import { detectBuild } from './build-detect';
import { identityOf } from './checked-open';
import { FileCache } from './file-cache';
import { checkFolder } from './folder';
import { lanAddresses as readLanAddresses, lanUrls } from './lan';
import {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
  SOCKET_IDLE_MS,
} from './limits';
import { ListingCache } from './listing-cache';
import { LiveReload } from './live-reload';
import { findFreePort, listen } from './ports';
import { PierResponse, type ServerContext } from './pier-response';
import { Proxy } from './proxy';
import { authDigests, createRequestHandler, isAuthorized } from './request-handler';
import { DEFAULT_LOG_CAPACITY, RequestLog } from './request-log';
import type { TlsMaterial } from './tls';
import { createPlainHttpHandler } from './trust-page';
import { DEFAULT_POOL_TIMINGS, type PoolTimings } from './upstream-pool';

type PierServer =
  | http.Server<typeof http.IncomingMessage, typeof PierResponse>
  | https.Server<typeof http.IncomingMessage, typeof PierResponse>;

/** Anything that can hand out a certificate for a set of LAN addresses (the engine's TlsStore). */
export interface TlsProvider {
  material(addresses: string[]): Promise<TlsMaterial>;
}

export interface InstanceOptions {
  /** Required for servers with `https: true`. */
  tls?: TlsProvider;
  logCapacity?: number;
  /** Injected in tests; defaults to the machine's LAN addresses. */
  lanAddresses?: () => string[];
  /** The proxy pool's clocks (time out after a failed connect, health checks); injected in tests, defaults in limits.ts. */
  proxyTimings?: Partial<PoolTimings>;
  /** The time to send a whole request (REQUEST_TIMEOUT_MS); injected in tests. */
  requestTimeoutMs?: number;
}

export interface InstanceEvents {
  /** Every status change, with a fresh snapshot. */
  state: [ServerState];
  /** A bug surfaced while answering a request (it got a 500) or starting (the server shows an error); the process lives on. */
  requestError: [unknown];
}

/** How often a running server checks that its folder is still there. */
const ROOT_CHECK_MS = 1_000;

/**
 * One folder served over HTTP or HTTPS. Owns its socket, its request log and
 * its status; `start()` and `stop()` never throw for expected failures, they
 * return them (and the status becomes `error` with the same message).
 */
export class ServerInstance extends EventEmitter<InstanceEvents> {
  readonly log: RequestLog;
  #config: ServerConfig;
  #status: ServerStatus = 'stopped';
  #error: PierError | null = null;
  #server: PierServer | null = null;
  /** For HTTPS servers: what listens on the port and hands each connection to TLS or plain HTTP. */
  #front: DualFront | null = null;
  #port: number | null = null;
  /** The port this server last listened on: an `auto` server asks for it again first. */
  lastPort: number | null = null;
  #lanUrls: string[] = [];
  /** The open connections of the server that is running (each start has its own set). */
  #sockets = new Set<Socket>();
  #rootCheck: NodeJS.Timeout | null = null;
  #caches: { files: FileCache; listings: ListingCache } | null = null;
  /** The folder's watcher and the pages' event streams, while live reload is on. */
  #liveReload: LiveReload | null = null;
  /** A game-engine build recognized in the folder at the last start, for the window to offer its preset. */
  #build: DetectedBuild | null = null;
  /** Proxy rules with their upstreams' health, while running. */
  #proxy: Proxy | null = null;
  readonly #options: InstanceOptions;
  /** Bumped by every start/stop, so a start that lost a race can tell. */
  #generation = 0;

  constructor(config: ServerConfig, options: InstanceOptions = {}) {
    super();
    this.#config = config;
    this.#options = options;
    this.log = new RequestLog(options.logCapacity ?? DEFAULT_LOG_CAPACITY);
  }

  get id(): string {
    return this.#config.id;
  }

  get config(): ServerConfig {
    return this.#config;
  }

  /** Replace the options. Takes effect at the next start; the manager restarts for you. */
  set config(config: ServerConfig) {
    this.#config = config;
  }

  get status(): ServerStatus {
    return this.#status;
  }

  /** A snapshot safe to send anywhere (plain data, no references into the instance). */
  state(): ServerState {
    const running = this.#status === 'running' && this.#port !== null;
    return {
      id: this.#config.id,
      config: this.#config,
      status: this.#status,
      error: this.#error,
      port: running ? this.#port : null,
      url: running ? `${this.#protocol()}://127.0.0.1:${this.#port}/` : null,
      lanUrls: running ? this.#lanUrls : [],
      counters: this.log.counters(),
      build: this.#build,
      upstreams: this.#proxy?.states() ?? [],
    };
  }

  #protocol(): 'http' | 'https' {
    return this.#config.https ? 'https' : 'http';
  }

  #setStatus(status: ServerStatus, error: PierError | null = null): void {
    this.#status = status;
    this.#error = error;
    this.emit('state', this.state());
  }

  #failStart(generation: number, error: { ok: false } & PierError): Result<ServerState> {
    if (generation === this.#generation) {
      const { ok: _ok, ...details } = error;
      this.#setStatus('error', details);
    }
    return error;
  }

  /** Start listening. Resolves with the running state, or with the reason it could not. */
  async start(): Promise<Result<ServerState>> {
    if (this.#status === 'running' || this.#status === 'starting') return ok(this.state());
    const generation = ++this.#generation;
    try {
      return await this.#start(generation);
    } catch (error) {
      // A bug, or the folder vanishing between two steps: this server shows it, the others go on.
      this.emit('requestError', error);
      const message = error instanceof Error ? error.message : String(error);
      return this.#failStart(generation, fail('LISTEN_FAILED', `Pier could not start this server: ${message}`));
    }
  }

  async #start(generation: number): Promise<Result<ServerState>> {
    const config = this.#config;
    // Still listening while its folder is missing: start afresh.
    if (this.#server) await this.#teardown();
    if (generation !== this.#generation) return fail('LISTEN_FAILED', 'The server was stopped while it was starting.');
    this.#setStatus('starting');

    const folder = await checkFolder(config.root);
    if (!folder.ok) return this.#failStart(generation, folder);
    const realRoot = await realpath(folder.value);
    const rootIdentity = await identityOf(realRoot);
    this.#build = await detectBuild(realRoot);

    const addresses = config.lan ? (this.#options.lanAddresses ?? readLanAddresses)() : [];
    let tls: TlsMaterial | null = null;
    if (config.https) {
      if (!this.#options.tls) throw new Error('ServerInstance: a TlsProvider is required for https servers');
      try {
        tls = await this.#options.tls.material(addresses);
      } catch (error) {
        return this.#failStart(
          generation,
          fail('TLS_FAILED', `Pier could not create a certificate for HTTPS: ${(error as Error).message}`),
        );
      }
    }
    if (generation !== this.#generation) return fail('LISTEN_FAILED', 'The server was stopped while it was starting.');

    const caches = { files: new FileCache(), listings: new ListingCache() };
    const context: ServerContext = {
      config,
      realRoot,
      log: this.log,
      auth: authDigests(config),
      cache: caches.files,
      listings: caches.listings,
      onError: (error) => this.emit('requestError', error),
      // Set once the server is bound (below): a start that fails or loses a race has no watcher to close.
      liveReload: null,
      proxy: null,
      folderGone: false,
      ...(tls?.ca ? { caCert: tls.ca } : {}),
    };
    const handler = createRequestHandler(context);
    const serverOptions: http.ServerOptions<typeof http.IncomingMessage, typeof PierResponse> = {
      ServerResponse: PierResponse,
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: HEADERS_TIMEOUT_MS,
      // A proxied upload may take minutes on a slow network: with proxy rules, only the headers' time and the
      // no-traffic timeout below bound a request (as nginx's client_body_timeout does). Files never want a body.
      requestTimeout: this.#config.proxies.length > 0 ? 0 : (this.#options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // How often Node checks the two timeouts above; its default (30 s) would let them slip.
      connectionsCheckingInterval: 1_000,
    };
    const server: PierServer = tls
      ? https.createServer({ ...serverOptions, key: tls.key, cert: tls.cert, handshakeTimeout: HEADERS_TIMEOUT_MS }, handler)
      : http.createServer(serverOptions, handler);
    server.setTimeout(SOCKET_IDLE_MS);
    // HTTPS: one port for both, so a phone can fetch the certificate page over plain HTTP (trust-page.ts).
    const front = tls ? dualProtocolFront(server, http.createServer(serverOptions, createPlainHttpHandler(context))) : null;
    const listener: net.Server = front ?? server;
    listener.maxConnections = MAX_CONNECTIONS;
    // This start's own connections: a start that lost a race closes these, never a newer server's.
    const sockets = new Set<Socket>();
    listener.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const onClientError = (error: NodeJS.ErrnoException, socket: Socket) => {
      // Unparseable request, headers too large, or a timeout: answer if we still can, then hang up.
      if (socket.writable && !socket.writableEnded) {
        const status =
          error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : error.code === 'HPE_HEADER_OVERFLOW'
              ? '431 Request Header Fields Too Large'
              : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
      socket.destroy();
    };
    server.on('clientError', onClientError);
    front?.plain.on('clientError', onClientError);

    const bound = await this.#bind(listener, config);
    if (!bound.ok) {
      if (front) await closeServer(server, sockets, front);
      return this.#failStart(generation, bound);
    }
    if (generation !== this.#generation) {
      await closeServer(server, sockets, front);
      return fail('LISTEN_FAILED', 'The server was stopped while it was starting.');
    }
    listener.on('error', (error) => {
      // Listening sockets rarely fail after bind; if one does, say so and free everything.
      void this.#teardown().then(() =>
        this.#setStatus('error', { code: 'LISTEN_FAILED', message: `The server stopped: ${error.message}` }),
      );
    });
    this.#server = server;
    this.#front = front;
    this.#sockets = sockets;
    this.#caches = caches;
    if (config.proxies.length > 0) {
      // An upstream going up or down is news for the window and the CLI; a request is not.
      context.proxy = this.#proxy = new Proxy(context, { ...DEFAULT_POOL_TIMINGS, ...this.#options.proxyTimings }, () => {
        if (generation === this.#generation && this.#status === 'running') this.emit('state', this.state());
      });
    }
    server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
      const proxy = context.proxy;
      if (proxy) return proxy.upgrade(req, socket, head, isAuthorized(context, req.headers.authorization));
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroySoon();
    });
    if (config.liveReload) context.liveReload = this.#liveReload = new LiveReload(realRoot, context.onError);
    this.#watchRoot(generation, realRoot, rootIdentity, context);
    this.#port = bound.value;
    this.lastPort = bound.value;
    this.#lanUrls = config.lan ? lanUrls(this.#protocol(), bound.value, addresses) : [];
    this.#setStatus('running');
    return ok(this.state());
  }

  async #bind(server: net.Server, config: ServerConfig): Promise<Result<number>> {
    // LAN: '::' takes IPv4 and IPv6 on a dual-stack system; fall back to IPv4 only.
    const hosts = config.lan ? ['::', '0.0.0.0'] : ['127.0.0.1'];
    const probeHost = config.lan ? '0.0.0.0' : '127.0.0.1';
    for (const host of hosts) {
      let port = config.port === 'auto' ? AUTO_PORT_START : config.port;
      // Yesterday's port first, so bookmarks and phones keep working; then the usual search.
      if (config.port === 'auto' && this.lastPort !== null && this.lastPort !== AUTO_PORT_START) {
        try {
          await listen(server, this.lastPort, host);
          return ok(this.lastPort);
        } catch {
          // Taken (or no longer allowed) today: fall back to the first free port from 8080.
        }
      }
      for (;;) {
        try {
          await listen(server, port, host);
          return ok(port);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE' && config.port === 'auto') {
            if (port < 65535) {
              port++;
              continue;
            }
            return fail('NO_FREE_PORT', `No free port was found from ${AUTO_PORT_START} up. Close some servers and try again.`);
          }
          if (code === 'EADDRINUSE') {
            const next = await findFreePort(probeHost, port + 1);
            const offer = next === null ? 'No other port is free either.' : `The next free port is ${next}.`;
            return fail('PORT_IN_USE', `Port ${port} is already in use. ${offer}`, next === null ? {} : { suggestedPort: next });
          }
          if (code === 'EACCES') {
            return fail(
              'PORT_FORBIDDEN',
              `Port ${port} needs administrator rights on this system. Choose a port from 1024 up, such as 8080.`,
            );
          }
          if ((code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL') && host === '::') break;
          return fail('LISTEN_FAILED', `Pier could not listen on port ${port}: ${(error as Error).message}`);
        }
      }
    }
    return fail('LISTEN_FAILED', 'Pier could not listen on any network interface.');
  }

  /**
   * A folder deleted or renamed while its server runs: say so at once (status
   * `error`, the port kept), and recover by itself when a folder is back at
   * the same path. One stat a second compares the path's identity (device and
   * inode) with the folder the server opened: a folder put back, or another
   * one moved into its place, is a new folder, so what was cached or watched
   * for the old one is dropped.
   */
  #watchRoot(generation: number, realRoot: string, opened: string | null, context: ServerContext): void {
    let known = opened;
    let checking = false;
    const check = async () => {
      if (checking) return;
      checking = true;
      const now = await identityOf(realRoot);
      checking = false;
      if (generation !== this.#generation || !this.#server || now === known) return;
      known = now;
      context.folderGone = now === null;
      // Whatever was cached belongs to a folder that is no longer at this path.
      this.#caches?.files.clear();
      this.#caches?.listings.clear();
      if (now === null) {
        this.#setStatus('error', {
          code: 'FOLDER_MISSING',
          message: `The folder ${this.#config.root} is gone (deleted, renamed or unmounted). Pier keeps port ${this.#port} and serves it again when the folder is back.`,
        });
        return;
      }
      this.#liveReload?.rewatch();
      if (this.#status === 'error' && this.#error?.code === 'FOLDER_MISSING') this.#setStatus('running');
    };
    this.#rootCheck = setInterval(() => void check(), ROOT_CHECK_MS);
    this.#rootCheck.unref();
  }

  async #teardown(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    const front = this.#front;
    this.#front = null;
    this.#port = null;
    this.#lanUrls = [];
    if (this.#rootCheck) clearInterval(this.#rootCheck);
    this.#rootCheck = null;
    this.#caches?.listings.clear();
    this.#caches = null;
    this.#proxy?.close();
    this.#proxy = null;
    const liveReload = this.#liveReload;
    this.#liveReload = null;
    await liveReload?.close();
    if (server) await closeServer(server, this.#sockets, front);
  }

  /** Stop at once: open keep-alive connections are closed and the port is free when this resolves. */
  async stop(): Promise<void> {
    this.#generation++;
    await this.#teardown();
    if (this.#status !== 'stopped') this.#setStatus('stopped');
  }
}

/** A listener that hands TLS connections to `tls` and the rest to `plain`. */
type DualFront = net.Server & { plain: PierServer };

/**
 * Accept HTTPS and plain HTTP on one port: the first byte of a TLS connection
 * is 0x16 (a handshake record), never the start of an HTTP method. The two
 * servers never listen themselves; they get each connection from here.
 * A connection that sends nothing is dropped after the handshake timeout.
 */
function dualProtocolFront(tls: PierServer, plain: PierServer): DualFront {
  // Node starts an http server's header and request timeout checks when it
  // starts listening; these two never do, so start those checks by hand.
  tls.emit('listening');
  plain.emit('listening');
  plain.setTimeout(SOCKET_IDLE_MS);
  const front = net.createServer({ pauseOnConnect: false }, (socket) => {
    const silent = () => socket.destroy();
    const onError = () => socket.destroy();
    socket.setTimeout(HEADERS_TIMEOUT_MS);
    socket.once('timeout', silent);
    // Until a server owns the socket, an error (a reset) must not go unheard.
    socket.on('error', onError);
    socket.once('data', (chunk: Buffer) => {
      socket.off('timeout', silent);
      socket.off('error', onError);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === 0x16) {
        // TLS takes over the socket's handle and replays what was unshifted itself.
        tls.emit('connection', socket);
      } else {
        plain.emit('connection', socket);
        // The HTTP parser reads the handle directly; the unshifted bytes come through 'data' once resumed.
        socket.resume();
      }
    });
  }) as DualFront;
  front.plain = plain;
  return front;
}

function closeServer(server: PierServer, sockets: Set<Socket>, front: DualFront | null = null): Promise<void> {
  return new Promise((resolve) => {
    if (front) {
      front.close(() => resolve());
      // Neither listens: close() only stops their timeout checks and idle connections.
      server.close();
      front.plain.close();
      front.plain.closeAllConnections();
    } else {
      server.close(() => resolve());
    }
    server.closeAllConnections();
    // closeAllConnections() only knows HTTP connections; TLS handshakes in
    // progress and anything upgraded live in our own set.
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  });
}
