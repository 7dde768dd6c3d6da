import type { Stats } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import path from 'node:path';

import mime from 'mime-types';

import type { ServerConfig } from './contract';
import type { RequestLog } from './request-log';

/** What every request of one server shares. Built once per start. */
export interface ServerContext {
  config: ServerConfig;
  /** realpath() of the served folder: every containment check compares against it. */
  realRoot: string;
  log: RequestLog;
  /** sha256 digests of the expected credentials, when a password is set. */
  auth: { user: Buffer; pass: Buffer } | null;
  /** Called with errors that escaped a request (bugs), never with client mistakes. */
  onError: (error: unknown) => void;
}

const CACHE_CONTROL = {
  revalidate: 'no-cache',
  'no-store': 'no-store',
  'max-age': 'public, max-age=3600',
} as const;

/** A weak validator from size and mtime: as good as a content hash for a dev server, and free. */
function etagOf(stats: Stats): string {
  return `W/"${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}"`;
}

function ifNoneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.slice(2); // weak comparison: ignore W/ on both sides
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === etag || t === bare || t.slice(2) === bare;
  });
}

/** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since. */
export function isNotModified(req: IncomingMessage, stats: Stats): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return ifNoneMatchHits(inm, etagOf(stats));
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  // HTTP dates have whole seconds; the file's mtime usually does not.
  return !Number.isNaN(since) && Math.floor(stats.mtimeMs / 1000) * 1000 <= since;
}

/**
 * The response class for Pier's servers. It carries the per-request state the
 * guards need, counts body bytes for the log, and applies caching, CORS, custom
 * headers and 304s at the one moment every response passes: writeHead.
 */
export class PierResponse extends http.ServerResponse<IncomingMessage> {
  ctx: ServerContext | null = null;
  startedAt = 0;
  /** The client's address, read when the request arrives: by 'close' the socket may be gone. */
  ip = '';
  bodyBytes = 0;
  /** Path and stats of the last file serve-handler looked at; the served one is the last. */
  lastPath = '';
  lastStats: Stats | null = null;
  /** Stats of the file being streamed (null for listings and generated pages). */
  fileStats: Stats | null = null;
  /** The file whose bytes this response carries, for its Content-Type ('' for generated pages). */
  filePath = '';
  notModified = false;

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

  override writeHead(statusCode: number, ...rest: unknown[]): this {
    const ctx = this.ctx;
    if (ctx && !this.headersSent) {
      // Fold the headers serve-handler passes into setHeader so every rule below
      // sees one case-insensitive set of headers.
      const last = rest[rest.length - 1];
      if (last && typeof last === 'object' && !Array.isArray(last)) {
        for (const [name, value] of Object.entries(last as Record<string, unknown>)) {
          if (value !== undefined && value !== null) this.setHeader(name, value as string | number);
        }
        rest = rest.slice(0, -1);
      }
      statusCode = this.applyPolicy(ctx, statusCode);
    }
    return (super.writeHead as (...a: unknown[]) => this)(statusCode, ...rest);
  }

  private applyPolicy(ctx: ServerContext, statusCode: number): number {
    const { config } = ctx;
    const stats = this.fileStats;
    const isFile = stats !== null && (statusCode === 200 || statusCode === 206);
    // One type table for every file response, whichever path served it: serve-handler
    // carries an older one (no image/avif, say), used for ranges and error pages.
    if (this.filePath) this.setHeader('Content-Type', mime.contentType(path.basename(this.filePath)) || 'application/octet-stream');
    if (config.caching === 'no-store') {
      this.removeHeader('Last-Modified');
      this.setHeader('Cache-Control', 'no-store');
    } else if (isFile) {
      this.setHeader('ETag', etagOf(stats));
      this.setHeader('Cache-Control', CACHE_CONTROL[config.caching]);
    } else {
      // Listings and error pages change with the folder: always revalidate.
      this.setHeader('Cache-Control', 'no-cache');
    }
    if (isFile && this.notModified) {
      statusCode = 304;
      for (const name of ['Content-Length', 'Content-Range', 'Content-Type', 'Content-Disposition']) {
        this.removeHeader(name);
      }
    }
    if (config.cors) this.setHeader('Access-Control-Allow-Origin', '*');
    this.setHeader('X-Content-Type-Options', 'nosniff');
    for (const { name, value } of config.headers) this.setHeader(name, value);
    return statusCode;
  }
}

function logOnClose(this: PierResponse): void {
  const ctx = this.ctx;
  if (!ctx) return;
  const req = this.req;
  const status = this.statusCode;
  const bytes = req.method === 'HEAD' || status === 304 || status === 204 ? 0 : this.bodyBytes;
  const ip = this.ip;
  ctx.log.record(
    req.method ?? '',
    req.url ?? '',
    status,
    bytes,
    performance.now() - this.startedAt,
    ip,
    req.headers['user-agent'] ?? '',
    req.headers.referer ?? '',
  );
}

