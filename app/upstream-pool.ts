/**
 * The upstreams of one proxy rule: which one takes the next request
 * (round-robin, least-connections, sticky by client address), which ones are
 * out (passive: a refused or timed-out connection; active: a health check
 * path), and the numbers the window shows.
 */
import http from 'node:http';
import https from 'node:https';

import type { ProxyRule, UpstreamState } from './contract';
import {
  PROXY_FAIL_MAX_MS,
  PROXY_FAIL_MS,
  PROXY_HEALTH_INTERVAL_MS,
  PROXY_HEALTH_TIMEOUT_MS,
  PROXY_LATENCY_WINDOW,
} from './limits';

/** The pool's clocks. Defaults in limits.ts; tests pass short ones through InstanceOptions. */
export interface PoolTimings {
  /** How long an upstream that failed to connect is left out at first (doubling while it fails). */
  failMs: number;
  failMaxMs: number;
  healthIntervalMs: number;
  healthTimeoutMs: number;
}

export const DEFAULT_POOL_TIMINGS: PoolTimings = {
  failMs: PROXY_FAIL_MS,
  failMaxMs: PROXY_FAIL_MAX_MS,
  healthIntervalMs: PROXY_HEALTH_INTERVAL_MS,
  healthTimeoutMs: PROXY_HEALTH_TIMEOUT_MS,
};

/** One upstream of a rule, with its health and numbers. */
export class Upstream {
  readonly url: string;
  /** "http://127.0.0.1:3000": what its own redirects name. */
  readonly origin: string;
  readonly parsed: URL;
  /** Its base path without the trailing slash ('' for none): "/base" joins "/users" into "/base/users". */
  readonly base: string;
  up = true;
  downSince: number | null = null;
  /** Epoch ms from which a down upstream is tried again. */
  retryAt = 0;
  /** Failures in a row (each one doubles the time out). */
  failures = 0;
  lastError: string | null = null;
  requests = 0;
  active = 0;
  readonly #latencies = new Float64Array(PROXY_LATENCY_WINDOW);
  #latencyCount = 0;
  #latencyNext = 0;

  constructor(url: string) {
    const parsed = new URL(url);
    this.url = url;
    this.parsed = parsed;
    this.origin = parsed.origin;
    this.base = parsed.pathname.replace(/\/+$/, '');
  }

  addLatency(ms: number): void {
    this.#latencies[this.#latencyNext] = ms;
    this.#latencyNext = (this.#latencyNext + 1) % PROXY_LATENCY_WINDOW;
    if (this.#latencyCount < PROXY_LATENCY_WINDOW) this.#latencyCount++;
  }

  latencyMs(): number | null {
    if (this.#latencyCount === 0) return null;
    let sum = 0;
    for (let i = 0; i < this.#latencyCount; i++) sum += this.#latencies[i]!;
    return Math.round((sum / this.#latencyCount) * 10) / 10;
  }
}

/** FNV-1a: a stable, cheap hash of a client address for sticky balancing. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class UpstreamPool {
  readonly rule: ProxyRule;
  readonly upstreams: Upstream[];
  readonly #timings: PoolTimings;
  /** Called when an upstream goes up or down (not per request). */
  readonly #onChange: () => void;
  #next = 0;
  #healthTimers: NodeJS.Timeout[] = [];
  #healthRequests = new Set<http.ClientRequest>();
  #closed = false;

  constructor(rule: ProxyRule, timings: PoolTimings, onChange: () => void) {
    this.rule = rule;
    this.upstreams = rule.upstreams.map((url) => new Upstream(url));
    this.#timings = timings;
    this.#onChange = onChange;
    if (rule.healthPath !== null) this.#startHealthChecks(rule.healthPath);
  }

  /**
   * The upstream for the next request, leaving out `tried`. Up ones first
   * (and down ones whose time out is over, as a probe); when every one is
   * down, the one longest due, so a dev server that restarted is found again
   * by the next request instead of after its time out.
   */
  pick(clientIp: string, tried: readonly Upstream[]): Upstream | null {
    const now = Date.now();
    const candidates: Upstream[] = [];
    for (const upstream of this.upstreams) {
      if (!tried.includes(upstream) && (upstream.up || now >= upstream.retryAt)) candidates.push(upstream);
    }
    if (candidates.length === 0) {
      let due: Upstream | null = null;
      for (const upstream of this.upstreams) {
        if (!tried.includes(upstream) && (due === null || upstream.retryAt < due.retryAt)) due = upstream;
      }
      return due;
    }
    switch (this.rule.policy) {
      case 'sticky': {
        // Over the ones that are up, in configured order: a client stays put while they stay up.
        const up = candidates.filter((upstream) => upstream.up);
        const from = up.length > 0 ? up : candidates;
        return from[hashOf(clientIp) % from.length]!;
      }
      case 'least-connections': {
        const start = this.#next++ % candidates.length;
        let best = candidates[start]!;
        for (let i = 1; i < candidates.length; i++) {
          const upstream = candidates[(start + i) % candidates.length]!;
          if (upstream.active < best.active) best = upstream;
        }
        return best;
      }
      default:
        return candidates[this.#next++ % candidates.length]!;
    }
  }

  /** The upstream answered (its response head arrived, or a WebSocket was accepted). */
  answered(upstream: Upstream, ms: number): void {
    upstream.requests++;
    upstream.addLatency(ms);
    this.markUp(upstream);
  }

  markUp(upstream: Upstream): void {
    upstream.failures = 0;
    if (upstream.up) return;
    upstream.up = true;
    upstream.downSince = null;
    this.#onChange();
  }

  /** Take an upstream out for a while: 10 s, doubling to 60 s while it keeps failing. */
  markDown(upstream: Upstream, reason: string): void {
    const now = Date.now();
    upstream.lastError = reason;
    upstream.failures++;
    const out = Math.min(this.#timings.failMs * 2 ** Math.min(upstream.failures - 1, 16), this.#timings.failMaxMs);
    upstream.retryAt = now + out;
    if (!upstream.up) return;
    upstream.up = false;
    upstream.downSince = now;
    this.#onChange();
  }

  /** Note a failure that says nothing about the upstream's health (a reset mid-request, a slow answer). */
  noteError(upstream: Upstream, reason: string): void {
    upstream.lastError = reason;
  }

  states(): UpstreamState[] {
    return this.upstreams.map((upstream) => ({
      prefix: this.rule.prefix,
      url: upstream.url,
      up: upstream.up,
      downSince: upstream.downSince,
      lastError: upstream.lastError,
      requests: upstream.requests,
      active: upstream.active,
      latencyMs: upstream.latencyMs(),
    }));
  }

  #startHealthChecks(healthPath: string): void {
    for (const upstream of this.upstreams) {
      let checking = false;
      const check = () => {
        if (checking || this.#closed) return;
        checking = true;
        this.#check(upstream, healthPath, (failure) => {
          checking = false;
          if (this.#closed) return;
          if (failure === null) this.markUp(upstream);
          else this.markDown(upstream, failure);
        });
      };
      check();
      const timer = setInterval(check, this.#timings.healthIntervalMs);
      timer.unref();
      this.#healthTimers.push(timer);
    }
  }

  /** One health check: 2xx or 3xx within the timeout is up; calls back with null or the failure in words. */
  #check(upstream: Upstream, healthPath: string, done: (failure: string | null) => void): void {
    const url = upstream.origin + upstream.base + healthPath;
    const get = url.startsWith('https:') ? https.get : http.get;
    let finished = false;
    const finish = (failure: string | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.#healthRequests.delete(request);
      request.destroy();
      done(failure);
    };
    const request = get(url, { agent: false, headers: { 'user-agent': 'Pier health check' } }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      finish(status >= 200 && status < 400 ? null : `the health check ${healthPath} answered ${status}`);
    });
    this.#healthRequests.add(request);
    const timer = setTimeout(
      () => finish(`the health check ${healthPath} got no answer within ${formatSeconds(this.#timings.healthTimeoutMs)}`),
      this.#timings.healthTimeoutMs,
    );
    request.on('error', (error) => finish(`the health check ${healthPath} failed: ${describeNetworkError(error)}`));
  }

  /** Stop the health checks (on server stop). */
  close(): void {
    this.#closed = true;
    for (const timer of this.#healthTimers) clearInterval(timer);
    this.#healthTimers = [];
    for (const request of this.#healthRequests) request.destroy();
    this.#healthRequests.clear();
  }
}

/** "5 s", "250 ms". */
export function formatSeconds(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** A network error in words, as the 502 page and the window show it. */
export function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset before the response';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'EPIPE':
      return 'connection closed while sending';
    default:
      return error.message || String(error.code ?? error);
  }
}
