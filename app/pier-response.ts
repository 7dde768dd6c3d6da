import http, { type IncomingMessage } from 'node:http';

import type { ServerConfig } from './contract';
import type { FileCache } from './file-cache';
import type { ListingCache } from './listing-cache';
import type { LiveReload } from './live-reload';
import type { Proxy } from './proxy';
import type { RequestLog } from './request-log';

/** What every request of one server shares. Built once per start. */
export interface ServerContext {
  config: ServerConfig;
  /** realpath() of the served folder: every containment check compares against it. */
  realRoot: string;
  log: RequestLog;
  /** sha256 digests of the expected credentials, when a password is set. */
  auth: { user: Buffer; pass: Buffer } | null;
  /** Small files in memory, validated on every hit. */
  cache: FileCache;
  /** Rendered folder listings, validated on every hit. */
  listings: ListingCache;
  /** Called with errors that escaped a request (bugs, read errors), never with client mistakes. */
  onError: (error: unknown) => void;
  /** PEM of the local CA that signed an HTTPS server's certificate (for `/.pier/trust`); absent over plain HTTP. */
  caCert?: string;
  /** The folder's watcher and the pages' event streams, while live reload is on (null: off, no page gets the client). */
  liveReload: LiveReload | null;
  /** The server's proxy rules and their upstreams, or null when it has none. */
  proxy: Proxy | null;
  /** The served folder is gone from its path (deleted, renamed, unmounted): files get a 503 saying so until it is back. */
  folderGone: boolean;
}

/**
 * The response class for Pier's servers: it counts body bytes and, when the
 * response closes (finished or aborted), records one log entry.
 */
export class PierResponse extends http.ServerResponse<IncomingMessage> {
  ctx: ServerContext | null = null;
  startedAt = 0;
  /** The client's address, read when the request arrives: by 'close' the socket may be gone. */
  ip = '';
  bodyBytes = 0;
  /** For a proxied request: the upstream that answered (or was tried last), for the log. */
  upstream = '';
  /** Called once when the response closes, after it is logged (the connection's next request waits for it). */
  onDone: (() => void) | null = null;

  constructor(req: IncomingMessage) {
    super(req);
    this.once('close', closed);
  }

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    this.countBody(chunk);
    return (super.write as (c: unknown, e?: unknown, cb?: unknown) => boolean)(chunk, encoding, callback);
  }

  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    if (typeof chunk !== 'function') this.countBody(chunk);
    return (super.end as (c?: unknown, e?: unknown, cb?: unknown) => this)(chunk, encoding, callback);
  }

  private countBody(chunk: unknown): void {
    if (typeof chunk === 'string') this.bodyBytes += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) this.bodyBytes += chunk.byteLength;
  }
}

function closed(this: PierResponse): void {
  const ctx = this.ctx;
  if (!ctx) return;
  try {
    log(this, ctx);
  } finally {
    this.onDone?.();
  }
}

function log(res: PierResponse, ctx: ServerContext): void {
  const req = res.req;
  const status = res.statusCode;
  const bytes = req.method === 'HEAD' || status === 304 || status === 204 ? 0 : res.bodyBytes;
  const seq = ctx.log.record(
    req.method ?? '',
    req.url ?? '',
    status,
    bytes,
    performance.now() - res.startedAt,
    res.ip,
    req.headers['user-agent'] ?? '',
    req.headers.referer ?? '',
    undefined,
    res.upstream,
  );
  // Headers for the details panel, kept apart from the entry. `_header` is the response head exactly as Node
  // wrote it: getHeaders() misses headers given to writeHead() as a list, which is how Pier answers.
  const head = (res as unknown as { _header: string | null })._header;
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  ctx.log.details.keep(seq, req.httpVersion, secure, req.rawHeaders, typeof head === 'string' ? head : null, ctx.auth !== null);
}
