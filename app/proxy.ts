/**
 * Reverse proxying for one running server: requests (and WebSocket upgrades)
 * whose path falls under a rule's prefix go to that rule's upstreams, chosen
 * by its pool (upstream-pool.ts). Requests go through undici's connection
 * pools; WebSocket tunnels through http-proxy-3. This file decides where they
 * go, which headers pass, how long to wait, when to try another upstream, and
 * what the client sees when none answers (Pier's own 502/504 page).
 *
 * Why undici for requests: on the bench's proxy case a bare http-proxy-3
 * server and a bare node:http client proxy both top out near 3,100 req/s on
 * this kind of machine, with node:http's client (ClientRequest, the agent's
 * socket bookkeeping, per-request listeners) the largest part of the profile;
 * the same bare proxy on an undici Pool does about 5,500.
 */
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { TLSSocket } from 'node:tls';

import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import { Pool, type Dispatcher } from 'undici';

import type { ProxyRule, UpstreamState } from './contract';
import { PROXY_MAX_IN_FLIGHT, UPSTREAM_IDLE_MS } from './limits';
import type { PierResponse, ServerContext } from './pier-response';
import { sendError } from './responder';
import { describeNetworkError, formatSeconds, UpstreamPool, type PoolTimings, type Upstream } from './upstream-pool';

/** A rule with its pool, as requests are matched against it. */
export interface ProxyRoute {
  rule: ProxyRule;
  pool: UpstreamPool;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** `.` or `..` as a segment, also percent-encoded: the upstream would resolve it out of the prefix. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|\?|$)/i;

/** A connection that never got made: the upstream is taken out for a while, and a safe request tries another. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'PIER_CONNECT_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** One try of one request (or WebSocket) on one upstream. */
interface Attempt {
  route: ProxyRoute;
  upstream: Upstream;
  startedAt: number;
  /** A WebSocket's own clocks (undici keeps a request's). */
  connectTimer?: NodeJS.Timeout | null;
  headTimer?: NodeJS.Timeout | null;
  /** Its `active` count was given back. */
  released: boolean;
  /** The error callback ran (it may be called for the request and for the upstream request). */
  failed: boolean;
}

function timeoutError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

function clearTimers(attempt: Attempt): void {
  if (attempt.connectTimer) clearTimeout(attempt.connectTimer);
  if (attempt.headTimer) clearTimeout(attempt.headTimer);
  attempt.connectTimer = attempt.headTimer = null;
}

function release(attempt: Attempt): void {
  clearTimers(attempt);
  if (attempt.released) return;
  attempt.released = true;
  attempt.upstream.active--;
}

type Headers = Record<string, string | string[] | undefined>;

const HOP_BY_HOP_SET: ReadonlySet<string> = new Set(HOP_BY_HOP);
const NOTHING: ReadonlySet<string> = new Set();

/**
 * A copy of `headers` without the hop-by-hop ones, those the Connection
 * header names, and `drop`. A copy rather than deletes: a header object that
 * loses keys turns slow, and this runs twice per proxied request.
 */
function forwardable(headers: Headers, keepUpgrade: boolean, drop: ReadonlySet<string>): Headers {
  const connection = headers.connection;
  // Usually "keep-alive" or "close": names nothing else.
  const named = typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close' ? connection.toLowerCase().split(',').map((token) => token.trim()) : null;
  const out: Headers = {};
  for (const name in headers) {
    if (drop.has(name)) continue;
    const upgradeHeader = keepUpgrade && (name === 'connection' || name === 'upgrade');
    if (HOP_BY_HOP_SET.has(name) && !upgradeHeader) continue;
    if (named !== null && named.includes(name) && !upgradeHeader) continue;
    out[name] = headers[name];
  }
  return out;
}

/** What never goes to an upstream besides hop-by-hop headers: Node answered any Expect: 100-continue itself. */
const DROP_ALWAYS: ReadonlySet<string> = new Set(['expect']);
/** With a password on, Authorization carries Pier's password: it is not the upstream's business. */
const DROP_WITH_PASSWORD: ReadonlySet<string> = new Set(['expect', 'authorization']);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The same origin, counting the loopback names as one: a dev server on localhost:3000 that redirects to 127.0.0.1:3000 means itself. */
function sameOrigin(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false;
  return a.hostname === b.hostname || (LOOPBACK.has(a.hostname) && LOOPBACK.has(b.hostname));
}

/** The code of the error a request is aborted with when its client went away. */
const CLIENT_GONE = 'PIER_CLIENT_GONE';

/**
 * One upstream answer written straight to the client, through undici's
 * dispatch API: the head when it arrives, each chunk as it comes (the
 * upstream paused while the client is slower), then the end. `done` runs
 * once: null when the whole answer was handed to the client, else the error.
 * Cheaper than undici's stream API, which adds an end-of-stream watcher, an
 * abort signal and a factory call to every request.
 */
class Forward implements Dispatcher.DispatchHandler {
  readonly #res: PierResponse;
  readonly #onHead: (statusCode: number, headers: Headers) => void;
  readonly #done: (error: Error | null) => void;
  #controller: Dispatcher.DispatchController | null = null;
  #aborted = false;
  #finished = false;

  constructor(res: PierResponse, onHead: (statusCode: number, headers: Headers) => void, done: (error: Error | null) => void) {
    this.#res = res;
    this.#onHead = onHead;
    this.#done = done;
  }

  /** The client went away: stop the upstream request, now or as soon as it starts. */
  abort(): void {
    this.#aborted = true;
    this.#controller?.abort(Object.assign(new Error('the client closed the connection'), { code: CLIENT_GONE }));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#aborted) this.abort();
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx: Node answered Expect itself, and early hints are not passed on.
    if (statusCode < 200) return;
    try {
      this.#onHead(statusCode, headers);
    } catch (error) {
      // A header Node won't send (a character it refuses): nothing went out yet, so the client gets a 502.
      controller.abort(error as Error);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#res.write(chunk)) return;
    controller.pause();
    this.#res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.#res.end();
    this.#finish(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#finish(error);
  }

  #finish(error: Error | null): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#done(error);
  }
}

/** Pier's proxy for one running server. `close()` on stop. */
export class Proxy {
  readonly #routes: ProxyRoute[];
  readonly #ctx: ServerContext;
  /** WebSockets only. */
  readonly #server: ProxyServer;
  readonly #attempts = new WeakMap<IncomingMessage, Attempt>();
  /** Upstream sockets of open WebSockets, closed on stop. */
  readonly #tunnels = new Set<Socket>();
  #inFlight = 0;
  /**
   * One pool per upstream. Its connections are kept alive and reused: a new
   * one per request would leave thousands in TIME_WAIT under load. Idle ones
   * close after UPSTREAM_IDLE_MS, or sooner when the upstream's Keep-Alive
   * hint says so.
   */
  readonly #pools = new Map<Upstream, Pool>();

  constructor(ctx: ServerContext, timings: PoolTimings, onChange: () => void) {
    this.#ctx = ctx;
    // Longest prefix first: the first match is the most specific.
    this.#routes = ctx.config.proxies
      .map((rule) => ({ rule, pool: new UpstreamPool(rule, timings, onChange) }))
      .sort((a, b) => b.rule.prefix.length - a.rule.prefix.length);
    this.#server = createProxyServer({});
    // Every call passes its own callback; this catches what http-proxy-3 reports only as an event (client socket errors on upgrades).
    this.#server.on('error', () => undefined);
    this.#server.on('proxyReqWs', (proxyReq, req) => {
      proxyReq.once('socket', (socket: Socket) => this.#armTimers(req, proxyReq, socket));
    });
    this.#server.on('open', (tunnel) => {
      this.#tunnels.add(tunnel);
      tunnel.once('close', () => this.#tunnels.delete(tunnel));
    });
  }

  /** The rule for a request target (path and query as sent), or null: `/api` matches `/api`, `/api/x`, `/api?q`, not `/apiary`. */
  match(url: string): ProxyRoute | null {
    if (this.#routes.length === 0) return null;
    const end = url.indexOf('?');
    const path = end === -1 ? url : url.slice(0, end);
    for (const route of this.#routes) {
      const prefix = route.rule.prefix;
      if (prefix === '/' || path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47 /* / */)) return route;
    }
    return null;
  }

  /** Every upstream of every rule, in the configured order. */
  states(): UpstreamState[] {
    const byPrefix = new Map(this.#routes.map((route) => [route.rule.prefix, route.pool]));
    return this.#ctx.config.proxies.flatMap((rule) => byPrefix.get(rule.prefix)?.states() ?? []);
  }

  /** Stop health checks and close open WebSockets' upstream sides (client sides are closed with the server). */
  close(): void {
    for (const route of this.#routes) route.pool.close();
    for (const tunnel of this.#tunnels) tunnel.destroy();
    this.#tunnels.clear();
    for (const pool of this.#pools.values()) void pool.destroy().catch(() => undefined);
    this.#pools.clear();
  }

  /** The path and query the upstream gets: the prefix stripped if asked, joined under the upstream's base path. */
  #pathFor(route: ProxyRoute, upstream: Upstream, url: string): string {
    let rest = url;
    if (route.rule.stripPrefix && route.rule.prefix !== '/') rest = url.slice(route.rule.prefix.length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
    return upstream.base + rest;
  }

  /** Headers for the upstream: hop-by-hop out, X-Forwarded-* in. A new object: the request's own stay as the client sent them. */
  #upstreamHeaders(req: IncomingMessage, ip: string, upgrade: boolean): Headers {
    const headers = forwardable(req.headers, upgrade, this.#ctx.auth ? DROP_WITH_PASSWORD : DROP_ALWAYS);
    const forwarded = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${ip}` : ip;
    headers['x-forwarded-proto'] = this.#protocolOf(req);
    if (headers.host) headers['x-forwarded-host'] = headers.host;
    return headers;
  }

  #protocolOf(req: IncomingMessage): 'http' | 'https' {
    return (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  }

  /** The connection pool to an upstream, made on its first request. */
  #poolOf(route: ProxyRoute, upstream: Upstream): Pool {
    let pool = this.#pools.get(upstream);
    if (!pool) {
      pool = new Pool(upstream.origin, {
        // No cap of its own: PROXY_MAX_IN_FLIGHT bounds the requests, and a capped pool would queue an
        // event stream's neighbours behind it.
        connections: null,
        connect: { timeout: route.rule.connectTimeoutMs },
        headersTimeout: route.rule.timeoutMs,
        // An event stream or a long download may be quiet for long; a client that stalls is the server's own timeouts' business.
        bodyTimeout: 0,
        keepAliveTimeout: UPSTREAM_IDLE_MS,
        // An upstream's Keep-Alive hint may shorten that, never lengthen it (undici would follow a `timeout=60`).
        keepAliveMaxTimeout: UPSTREAM_IDLE_MS,
      });
      this.#pools.set(upstream, pool);
    }
    return pool;
  }

  /** Proxy one request (the password was checked). Every path ends the response or destroys it. */
  web(req: IncomingMessage, res: PierResponse, route: ProxyRoute): void {
    if (this.#inFlight >= PROXY_MAX_IN_FLIGHT) {
      return sendError(res, this.#ctx, 503, 'This server is forwarding too many requests right now. Try again in a moment.', { 'Retry-After': '1' });
    }
    const url = req.url ?? '/';
    if (DOT_SEGMENT.test(url)) return sendError(res, this.#ctx, 400, 'The address is not valid.');
    this.#inFlight++;
    const method = req.method ?? 'GET';
    const noBody = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
    const retryable = (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && noBody;
    const host = req.headers.host;
    const headers = this.#upstreamHeaders(req, res.ip, false);
    // undici names the upstream's host itself.
    if (!route.rule.keepHost) headers.host = undefined;
    const tried: Upstream[] = [];
    const reasons: string[] = [];
    let current: Attempt | null = null;
    let retriedStale = false;
    let forward: Forward | null = null;
    res.once('close', () => {
      this.#inFlight--;
      if (current) release(current);
      // The client gone: the upstream request is aborted (an abandoned long poll frees its connection).
      if (!res.writableFinished) forward?.abort();
    });

    const attempt = (sameAgain = false): void => {
      const upstream = sameAgain ? tried[0]! : route.pool.pick(res.ip, tried);
      if (upstream === null) return this.#giveUp(res, route, reasons, false);
      if (!sameAgain) tried.push(upstream);
      upstream.active++;
      res.upstream = upstream.url;
      const thisTry: Attempt = { route, upstream, startedAt: performance.now(), released: false, failed: false };
      current = thisTry;
      forward = new Forward(
        res,
        (statusCode, upstreamHeaders) => {
          this.#answered(thisTry);
          this.#writeHead(req, res, statusCode, upstreamHeaders, thisTry, host);
        },
        (error) => {
          if (error === null) return release(thisTry);
          if (thisTry.failed) return;
          thisTry.failed = true;
          release(thisTry);
          const err = error as NodeJS.ErrnoException;
          // The client gone (an abandoned upload, a closed tab) says nothing about the upstream.
          if (err.code === CLIENT_GONE || (res.destroyed && !res.headersSent)) return;
          const timedOut = err.code === 'UND_ERR_HEADERS_TIMEOUT';
          const reason = this.#reasonOf(err, route.rule);
          if (CONNECT_FAILURES.has(err.code ?? '')) route.pool.markDown(upstream, reason);
          else route.pool.noteError(upstream, reason);
          if (res.headersSent) {
            res.destroy();
            return;
          }
          // A kept-alive connection the upstream closed as the request went out: the same upstream, on a new one.
          const closed = err.code === 'UND_ERR_SOCKET' || err.code === 'ECONNRESET';
          if (retryable && closed && !retriedStale) {
            retriedStale = true;
            return attempt(true);
          }
          reasons.push(`${upstream.url} (${reason})`);
          // Once, on another upstream, when nothing can have reached an application: no body, an idempotent method.
          if (retryable && !timedOut && tried.length === 1 && route.pool.upstreams.length > 1) return attempt();
          this.#giveUp(res, route, reasons, timedOut);
        },
      );
      const options: Dispatcher.DispatchOptions = {
        path: this.#pathFor(route, upstream, url),
        method: method as Dispatcher.HttpMethod,
        headers,
        // Only the first try can carry a body: a retry happens only without one.
        body: noBody ? null : this.#bodyOf(req),
      };
      this.#poolOf(route, upstream).dispatch(options, forward);
    };
    attempt();
  }

  /**
   * The request body as the upstream gets it: through a stream of its own,
   * because undici destroys a body whose request failed, and the request must
   * live on to carry Pier's 502 (what is left of it is then read and dropped).
   */
  #bodyOf(req: IncomingMessage): PassThrough {
    const body = new PassThrough();
    req.pipe(body);
    body.once('close', () => {
      if (req.complete) return;
      req.unpipe(body);
      req.resume();
    });
    return body;
  }

  /** An upstream failure in words, as the 502/504 page and the window show it. */
  #reasonOf(error: NodeJS.ErrnoException, rule: ProxyRule): string {
    switch (error.code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return `no connection within ${formatSeconds(rule.connectTimeoutMs)}`;
      case 'UND_ERR_HEADERS_TIMEOUT':
        return `no response within ${formatSeconds(rule.timeoutMs)}`;
      case 'UND_ERR_SOCKET':
        return 'connection closed before the response';
      default:
        return error.code?.startsWith('PIER_') ? error.message : describeNetworkError(error);
    }
  }

  /** The response head, as the client gets it: hop-by-hop headers out, redirects to the upstream pointed back at Pier. */
  #writeHead(req: IncomingMessage, res: PierResponse, statusCode: number, upstreamHeaders: Headers, attempt: Attempt, host: string | undefined): void {
    const headers = forwardable(upstreamHeaders, false, NOTHING);
    for (const name of ['location', 'content-location']) {
      const value = headers[name];
      if (typeof value === 'string') headers[name] = this.#rewriteLocation(value, attempt, host, req);
    }
    res.writeHead(statusCode, headers as OutgoingHttpHeaders);
  }

  #giveUp(res: PierResponse, route: ProxyRoute, reasons: string[], timedOut: boolean): void {
    const prefix = route.rule.prefix;
    if (timedOut) {
      sendError(res, this.#ctx, 504, `The upstream for ${prefix} did not answer in time: ${reasons.join(', ')}.`);
    } else {
      const tried = reasons.length > 0 ? reasons.join(', ') : route.rule.upstreams.join(', ');
      sendError(res, this.#ctx, 502, `No upstream for ${prefix} answered. Tried: ${tried}. Is the app running?`);
    }
  }

  /** Connect and response-head timeouts for the upstream request of a WebSocket. */
  #armTimers(req: IncomingMessage, proxyReq: ClientRequest, socket: Socket): void {
    const attempt = this.#attempts.get(req);
    if (!attempt) return;
    const { connectTimeoutMs, timeoutMs } = attempt.route.rule;
    if (socket.connecting) {
      attempt.connectTimer = setTimeout(() => {
        proxyReq.destroy(timeoutError('PIER_CONNECT_TIMEOUT', `no connection within ${formatSeconds(connectTimeoutMs)}`));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        if (attempt.connectTimer) clearTimeout(attempt.connectTimer);
        attempt.connectTimer = null;
      });
    }
    attempt.headTimer = setTimeout(() => {
      proxyReq.destroy(timeoutError('PIER_HEAD_TIMEOUT', `no response within ${formatSeconds(timeoutMs)}`));
    }, timeoutMs);
    // The wait ends with a 101 (or any other answer).
    proxyReq.once('upgrade', () => this.#answered(attempt));
    proxyReq.once('response', () => this.#answered(attempt));
  }

  #answered(attempt: Attempt): void {
    if (attempt.failed) return;
    clearTimers(attempt);
    attempt.route.pool.answered(attempt.upstream, performance.now() - attempt.startedAt);
  }

  /** `http://upstream:3000/base/x` → `http://<Host the client used>/<prefix if stripped>/x`. Other URLs stay. */
  #rewriteLocation(value: string, attempt: Attempt, host: string | undefined, req: IncomingMessage): string {
    const { upstream, route } = attempt;
    // Relative ones resolve against Pier already.
    if (!host || !/^https?:\/\//i.test(value)) return value;
    let location: URL;
    try {
      location = new URL(value);
    } catch {
      return value;
    }
    if (!sameOrigin(location, upstream.parsed)) return value;
    let path = location.pathname;
    if (upstream.base && (path === upstream.base || path.startsWith(`${upstream.base}/`))) path = path.slice(upstream.base.length) || '/';
    if (route.rule.stripPrefix && route.rule.prefix !== '/') path = route.rule.prefix + (path === '/' ? '' : path);
    return `${this.#protocolOf(req)}://${host}${path}${location.search}${location.hash}`;
  }

  /**
   * A WebSocket upgrade (Vite's HMR, socket.io). `authorized`: the password
   * check passed. Anything not proxied is refused with a status line.
   */
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer, authorized: boolean): void {
    const refuse = (status: string, extra = '') => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
      socket.destroySoon();
    };
    socket.on('error', () => socket.destroy());
    const route = this.match(req.url ?? '/');
    if (!route) return refuse('404 Not Found');
    if (!authorized) return refuse('401 Unauthorized', 'WWW-Authenticate: Basic realm="Pier", charset="UTF-8"\r\n');
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') return refuse('400 Bad Request');
    if (DOT_SEGMENT.test(req.url ?? '')) return refuse('400 Bad Request');
    if (this.#inFlight >= PROXY_MAX_IN_FLIGHT) return refuse('503 Service Unavailable', 'Retry-After: 1\r\n');
    const raw = req.socket.remoteAddress ?? '';
    const ip = raw.startsWith('::ffff:') ? raw.slice(7) : raw;
    const upstream = route.pool.pick(ip, []);
    if (!upstream) return refuse('502 Bad Gateway');
    this.#inFlight++;
    upstream.active++;
    // http-proxy-3 forwards the request's own headers.
    req.headers = this.#upstreamHeaders(req, ip, true) as IncomingMessage['headers'];
    const attempt: Attempt = { route, upstream, startedAt: performance.now(), connectTimer: null, headTimer: null, released: false, failed: false };
    this.#attempts.set(req, attempt);
    socket.once('close', () => {
      this.#inFlight--;
      release(attempt);
    });
    this.#server.ws(req, socket, head, { target: upstream.origin + this.#pathFor(route, upstream, req.url ?? '/'), ignorePath: true, changeOrigin: !route.rule.keepHost }, (error) => {
      if (attempt.failed) return;
      attempt.failed = true;
      clearTimers(attempt);
      const err = error as NodeJS.ErrnoException;
      const reason = err.code?.startsWith('PIER_') ? err.message : describeNetworkError(err);
      if (CONNECT_FAILURES.has(err.code ?? '')) route.pool.markDown(upstream, reason);
      // Before the switch to WebSocket, the client can still read a status line; http-proxy-3 then closes the socket.
      if (socket.writable && !this.#upgraded(socket)) {
        socket.write(`HTTP/1.1 ${err.code === 'PIER_HEAD_TIMEOUT' ? '504 Gateway Timeout' : '502 Bad Gateway'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
    });
  }

  /** Anything written to the client (the 101 and frames) means it is past the point of a status line. */
  #upgraded(socket: Socket): boolean {
    return socket.bytesWritten > 0;
  }
}
