import http, { type IncomingMessage } from 'node:http';

import type { ServerConfig } from './contract';
import type { FileCache } from './file-cache';
import type { ListingCache } from './listing-cache';
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

  constructor(req: IncomingMessage) {
    super(req);
    this.once('close', logOnClose);
  }

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    this.countBody(chunk);
    return (super.write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }

  override end(...args: unknown[]): this {
    const chunk = args[0];
    if (typeof chunk !== 'function') this.countBody(chunk);
    return (super.end as (...a: unknown[]) => this)(...args);
  }

  private countBody(chunk: unknown): void {
    if (typeof chunk === 'string') this.bodyBytes += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) this.bodyBytes += chunk.byteLength;
  }
}

function logOnClose(this: PierResponse): void {
  const ctx = this.ctx;
  if (!ctx) return;
  const req = this.req;
  const status = this.statusCode;
  const bytes = req.method === 'HEAD' || status === 304 || status === 204 ? 0 : this.bodyBytes;
  ctx.log.record(
    req.method ?? '',
    req.url ?? '',
    status,
    bytes,
    performance.now() - this.startedAt,
    this.ip,
    req.headers['user-agent'] ?? '',
    req.headers.referer ?? '',
  );
}
