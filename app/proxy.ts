/**
 * Reverse proxying for one running server: requests (and WebSocket upgrades)
 * whose path falls under a rule's prefix go to that rule's upstreams, chosen
 * by its pool (upstream-pool.ts). http-proxy-3 moves the bytes, both ways,
 * with backpressure; this file decides where they go, which headers pass,
 * how long to wait, when to try another upstream, and what the client sees
 * when none answers (Pier's own 502/504 page).
 */
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';

import { createProxyServer, type ProxyServer } from 'http-proxy-3';

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
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'PIER_CONNECT_TIMEOUT']);

/** One try of one request on one upstream. */
interface Attempt {
  route: ProxyRoute;
  upstream: Upstream;
  startedAt: number;
  connectTimer: NodeJS.Timeout | null;
  headTimer: NodeJS.Timeout | null;
  /** Its `active` count was given back. */
  released: boolean;
  /** The error callback ran (it may be called for the request and for the upstream request). */
  failed: boolean;
  /** It went out on a kept-alive connection (which the upstream may have closed just then). */
  reusedSocket: boolean;
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

/** Remove hop-by-hop headers, and those the Connection header names, from a header object in place. */
function dropHopByHop(headers: Record<string, unknown>, keepUpgrade: boolean): void {
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && !(keepUpgrade && name === 'upgrade')) delete headers[name];
    }
  }
  for (const name of HOP_BY_HOP) {
    if (keepUpgrade && (name === 'connection' || name === 'upgrade')) continue;
    delete headers[name];
  }
}

/** Pier's proxy for one running server. `close()` on stop. */
export class Proxy {
  readonly #routes: ProxyRoute[];
  readonly #ctx: ServerContext;
  readonly #server: ProxyServer;
  readonly #attempts = new WeakMap<IncomingMessage, Attempt>();
  /** Upstream sockets of open WebSockets, closed on stop. */
  readonly #tunnels = new Set<Socket>();
  #inFlight = 0;
  /**
   * Connections to upstreams are kept alive and reused: a new one per request
   * would leave thousands in TIME_WAIT under load. Idle ones close after
   * UPSTREAM_IDLE_MS, or sooner when the upstream's Keep-Alive hint says so.
   */
  readonly #agents = {
    http: new http.Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS }),
    https: new https.Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS }),
  };

  constructor(ctx: ServerContext, timings: PoolTimings, onChange: () => void) {
    this.#ctx = ctx;
    // Longest prefix first: the first match is the most specific.
    this.#routes = ctx.config.proxies
      .map((rule) => ({ rule, pool: new UpstreamPool(rule, timings, onChange) }))
      .sort((a, b) => b.rule.prefix.length - a.rule.prefix.length);
    this.#server = createProxyServer({});
    // Every call passes its own callback; this catches what http-proxy-3 reports only as an event (client socket errors on upgrades).
    this.#server.on('error', () => undefined);
    this.#server.on('proxyReq', (proxyReq, req, _res, _options, socket) => this.#armTimers(req, proxyReq, socket));
    this.#server.on('proxyReqWs', (proxyReq, req) => {
      proxyReq.once('socket', (socket: Socket) => this.#armTimers(req, proxyReq, socket));
    });
    this.#server.on('proxyRes', (proxyRes, req, res) => this.#onResponse(proxyRes, req, res as PierResponse));
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
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  /** The path and query the upstream gets: the prefix stripped if asked, joined under the upstream's base path. */
  #targetOf(route: ProxyRoute, upstream: Upstream, url: string): URL {
    let rest = url;
    if (route.rule.stripPrefix && route.rule.prefix !== '/') rest = url.slice(route.rule.prefix.length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
    return new URL(upstream.origin + upstream.base + rest);
  }

  /** Headers for the upstream, set on the request in place: hop-by-hop out, X-Forwarded-* in. */
  #prepareHeaders(req: IncomingMessage, ip: string, upgrade: boolean): void {
    const headers = req.headers;
    dropHopByHop(headers, upgrade);
    // Node answered any Expect: 100-continue itself.
    delete headers.expect;
    // With a password on, this header carries Pier's password: it is not the upstream's business.
    if (this.#ctx.auth) delete headers.authorization;
    const forwarded = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${ip}` : ip;
    headers['x-forwarded-proto'] = this.#protocolOf(req);
    if (headers.host) headers['x-forwarded-host'] = headers.host;
  }

  #protocolOf(req: IncomingMessage): 'http' | 'https' {
    return (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  }

  /** Proxy one request (the password was checked). Every path ends the response or destroys it. */
  web(req: IncomingMessage, res: PierResponse, route: ProxyRoute): void {
    if (this.#inFlight >= PROXY_MAX_IN_FLIGHT) {
      return sendError(res, this.#ctx, 503, 'This server is forwarding too many requests right now. Try again in a moment.', { 'Retry-After': '1' });
    }
    const url = req.url ?? '/';
    if (DOT_SEGMENT.test(url)) return sendError(res, this.#ctx, 400, 'The address is not valid.');
    this.#inFlight++;
    const method = req.method ?? '';
    const noBody = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
    const retryable = (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && noBody;
    this.#prepareHeaders(req, res.ip, false);
    const tried: Upstream[] = [];
    const reasons: string[] = [];
    let current: Attempt | null = null;
    let retriedStale = false;
    let firstTry = true;
    res.once('close', () => {
      this.#inFlight--;
      if (current) release(current);
    });

    const attempt = (sameAgain = false): void => {
      const upstream = sameAgain ? tried[0]! : route.pool.pick(res.ip, tried);
      if (upstream === null) return this.#giveUp(res, route, reasons, false);
      if (!sameAgain) tried.push(upstream);
      upstream.active++;
      res.upstream = upstream.url;
      const thisTry: Attempt = { route, upstream, startedAt: performance.now(), connectTimer: null, headTimer: null, released: false, failed: false, reusedSocket: false };
      current = thisTry;
      this.#attempts.set(req, thisTry);
      // The first try pipes the request itself; a retry comes after it has ended, so with no body
      // it gets a fresh empty stream to pipe.
      const body = noBody && !firstTry ? { buffer: Readable.from([]) } : {};
      firstTry = false;
      this.#server.web(
        req,
        res,
        {
          target: this.#targetOf(route, upstream, url),
          ignorePath: true,
          changeOrigin: !route.rule.keepHost,
          agent: upstream.origin.startsWith('https:') ? this.#agents.https : this.#agents.http,
          ...body,
        },
        (error) => {
          if (thisTry.failed) return;
          thisTry.failed = true;
          release(thisTry);
          const err = error as NodeJS.ErrnoException;
          const timedOut = err.code === 'PIER_HEAD_TIMEOUT';
          const reason = err.code?.startsWith('PIER_') ? err.message : describeNetworkError(err);
          if (CONNECT_FAILURES.has(err.code ?? '')) route.pool.markDown(upstream, reason);
          // The client gone (an abandoned upload) says nothing about the upstream.
          if (res.destroyed || res.writableEnded) return;
          if (!CONNECT_FAILURES.has(err.code ?? '')) route.pool.noteError(upstream, reason);
          if (res.headersSent) {
            res.destroy();
            return;
          }
          // A kept-alive connection the upstream closed as the request went out: the same upstream, on a new one.
          const stale = thisTry.reusedSocket && err.code === 'ECONNRESET';
          if (retryable && stale && !retriedStale) {
            retriedStale = true;
            return attempt(true);
          }
          reasons.push(`${upstream.url} (${reason})`);
          // Once, on another upstream, when nothing can have reached an application: no body, an idempotent method.
          if (retryable && !timedOut && tried.length === 1 && route.pool.upstreams.length > 1) return attempt();
          this.#giveUp(res, route, reasons, timedOut);
        },
      );
    };
    attempt();
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

  /** Connect and response-head timeouts for the upstream request of an attempt. */
  #armTimers(req: IncomingMessage, proxyReq: ClientRequest, socket: Socket): void {
    const attempt = this.#attempts.get(req);
    if (!attempt) return;
    const { connectTimeoutMs, timeoutMs } = attempt.route.rule;
    attempt.reusedSocket = proxyReq.reusedSocket;
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
    // A WebSocket attempt ends its wait with a 101 (or any other answer).
    proxyReq.once('upgrade', () => this.#answered(attempt));
    proxyReq.once('response', () => this.#answered(attempt));
  }

  #answered(attempt: Attempt): void {
    if (attempt.failed) return;
    clearTimers(attempt);
    attempt.route.pool.answered(attempt.upstream, performance.now() - attempt.startedAt);
  }

  /** The response head arrived: hop-by-hop headers out, redirects to the upstream's origin pointed back at Pier. */
  #onResponse(proxyRes: IncomingMessage, req: IncomingMessage, res: PierResponse): void {
    const attempt = this.#attempts.get(req);
    const headers = proxyRes.headers as Record<string, unknown>;
    dropHopByHop(headers, false);
    if (attempt) {
      for (const name of ['location', 'content-location']) {
        const value = headers[name];
        if (typeof value === 'string') headers[name] = this.#rewriteLocation(value, attempt, req);
      }
    }
    // An upstream that dies mid-body: the client must see a cut-off response, not wait forever.
    const cut = () => {
      if (!proxyRes.complete) res.destroy();
    };
    proxyRes.once('error', cut);
    proxyRes.once('close', cut);
  }

  /** `http://upstream:3000/base/x` → `http://<Host the client used>/<prefix if stripped>/x`. Other URLs stay. */
  #rewriteLocation(value: string, attempt: Attempt, req: IncomingMessage): string {
    const { upstream, route } = attempt;
    if (!value.startsWith(upstream.origin)) return value;
    let location: URL;
    try {
      location = new URL(value);
    } catch {
      return value;
    }
    const host = req.headers.host;
    if (location.origin !== upstream.origin || !host) return value;
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
    this.#prepareHeaders(req, ip, true);
    const attempt: Attempt = { route, upstream, startedAt: performance.now(), connectTimer: null, headTimer: null, released: false, failed: false, reusedSocket: false };
    this.#attempts.set(req, attempt);
    socket.once('close', () => {
      this.#inFlight--;
      release(attempt);
    });
    this.#server.ws(req, socket, head, { target: this.#targetOf(route, upstream, req.url ?? '/'), ignorePath: true, changeOrigin: !route.rule.keepHost }, (error) => {
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
