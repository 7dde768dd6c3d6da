import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';

import serveHandler from 'serve-handler';

import type { ServerConfig } from './contract';
import { decodeRequestPath, hasExtension, isHiddenPath, isInside } from './path-guard';
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

const EMPTY = Buffer.alloc(0);

function notFoundError(file: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, lstat '${file}'`);
  error.code = 'ENOENT';
  return error;
}

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
function isNotModified(req: IncomingMessage, stats: Stats): boolean {
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

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Digests of the configured credentials, compared in constant time per request. */
export function authDigests(config: ServerConfig): ServerContext['auth'] {
  return config.auth ? { user: sha256(config.auth.username), pass: sha256(config.auth.password) } : null;
}

function isAuthorized(ctx: ServerContext, header: string | undefined): boolean {
  const auth = ctx.auth;
  if (!auth) return true;
  if (!header || !header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  // Compare digests, not strings: equal lengths, and no early exit on the first wrong byte.
  const userOk = timingSafeEqual(sha256(decoded.slice(0, colon)), auth.user);
  const passOk = timingSafeEqual(sha256(decoded.slice(colon + 1)), auth.pass);
  return userOk && passOk;
}

function reply(res: PierResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.statusCode = status;
  res.end(res.req.method === 'HEAD' ? EMPTY : `${message}\n`);
}

/**
 * Where a decoded URL path leads on disk: its real path when it exists, or the
 * real path of its deepest existing ancestor. A symlink anywhere along the way
 * is resolved, so a linked folder in the middle of the path can't lead out.
 */
async function resolveOnDisk(realRoot: string, pathname: string): Promise<{ real: string; exists: boolean }> {
  let candidate = path.join(realRoot, pathname);
  let exists = true;
  for (;;) {
    try {
      return { real: await realpath(candidate), exists };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A path too long to look up names nothing that could be opened either.
      if (code === 'ENAMETOOLONG') return { real: candidate, exists: false };
      // ELOOP: a symlink loop leads nowhere; what exists is its parent.
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP') throw error;
      exists = false;
      const parent = path.dirname(candidate);
      if (parent === candidate) return { real: candidate, exists };
      candidate = parent;
    }
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    // Gone since we resolved it: not a directory, let serve-handler answer 404.
    return false;
  }
}

/** Only files and folders are served: opening a FIFO would block a file-system thread until a writer came. */
function isServable(stats: Stats): boolean {
  return stats.isFile() || stats.isDirectory();
}

/** lstat that reports unreachable paths (a symlink loop, a name too long) as missing, the way serve-handler expects. */
async function lstatOrMissing(file: string): Promise<Stats> {
  try {
    return await lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ELOOP' || code === 'ENAMETOOLONG' ? notFoundError(file) : error;
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    const stats = await lstat(file);
    return stats.isFile() || stats.isSymbolicLink();
  } catch {
    // Missing or unreadable: either way there is nothing to serve there.
    return false;
  }
}

/** Builds the (req, res) listener for one running server. */
export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: PierResponse) => void {
  const { config, realRoot } = ctx;
  const allow = config.cors ? 'GET, HEAD, OPTIONS' : 'GET, HEAD';

  /** lstat as serve-handler sees the world: hidden files and escapes do not exist. */
  const guardedLstat = async (res: PierResponse, file: string): Promise<Stats> => {
    if (!isInside(realRoot, file) || isHiddenPath(file.slice(realRoot.length))) throw notFoundError(file);
    const stats = await lstatOrMissing(file);
    if (stats.isSymbolicLink()) {
      const target = await realpath(file).catch(() => null);
      const targetStats = target ? await stat(target).catch(() => null) : null;
      if (
        !target ||
        !isInside(realRoot, target) ||
        isHiddenPath(target.slice(realRoot.length)) ||
        !targetStats ||
        !isServable(targetStats)
      ) {
        throw notFoundError(file);
      }
    } else if (!isServable(stats)) {
      throw notFoundError(file);
    }
    res.lastPath = file;
    res.lastStats = stats;
    return stats;
  };

  const baseConfig = {
    public: realRoot,
    directoryListing: config.listing,
    cleanUrls: config.cleanUrls,
    // Our own guard decides which symlinks are safe; serve-handler's only looks at the last segment.
    symlinks: true,
    etag: false,
  };

  const handle = async (req: IncomingMessage, res: PierResponse): Promise<void> => {
    const method = req.method ?? '';
    if (method === 'OPTIONS' && config.cors) {
      // CORS preflight: browsers send it without credentials, so answer before auth.
      res.statusCode = 204;
      res.setHeader('Access-Control-Allow-Methods', allow);
      const asked = req.headers['access-control-request-headers'];
      if (asked) res.setHeader('Access-Control-Allow-Headers', asked);
      res.setHeader('Access-Control-Max-Age', '600');
      res.end();
      return;
    }
    if (!isAuthorized(ctx, req.headers.authorization)) {
      reply(res, 401, 'A password is required.', { 'WWW-Authenticate': 'Basic realm="Pier", charset="UTF-8"' });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      reply(res, 405, 'Only GET and HEAD are allowed here.', { Allow: allow });
      return;
    }
    const decoded = decodeRequestPath(req.url ?? '');
    if (!decoded.ok) {
      reply(res, decoded.status, decoded.status === 400 ? 'Bad request.' : 'Not found.');
      return;
    }
    let { pathname } = decoded;
    const onDisk = await resolveOnDisk(realRoot, pathname);
    if (
      !isInside(realRoot, onDisk.real) ||
      isHiddenPath(pathname) ||
      isHiddenPath(onDisk.real.slice(realRoot.length))
    ) {
      // A symlink somewhere in the path leads outside, or into a dot-folder
      // (`docs -> .git`), or the path names a dotfile: no redirect, no index,
      // no SPA fallback. Ask serve-handler for a hidden name instead, so the
      // answer is the same 404 (and 404 page) as for any missing file.
      pathname = '/.outside-root';
    } else if (onDisk.exists && !config.cleanUrls && (pathname.endsWith('/') || !hasExtension(pathname))) {
      // serve-handler finds index.html only as part of clean URLs; without them
      // a folder still opens its index.html, as in every other web server.
      if (await isDirectory(onDisk.real)) {
        if (!pathname.endsWith('/')) {
          // Relative links in /docs/index.html only work from /docs/. Collapse
          // leading slashes so //evil.example can't become an open redirect.
          res.statusCode = 301;
          res.setHeader('Location', `/${decoded.rawPath.replace(/^\/+/, '')}/${decoded.query}`);
          res.end();
          return;
        }
        if (await fileExists(path.join(onDisk.real, 'index.html'))) pathname += 'index.html';
      }
    } else if (config.spa && !onDisk.exists && !hasExtension(pathname) && !isHiddenPath(pathname)) {
      const withHtml = `${pathname.replace(/\/+$/, '')}.html`;
      const cleanMatch = config.cleanUrls && (await fileExists(path.join(realRoot, withHtml)));
      if (!cleanMatch) pathname = '/index.html';
    }
    const url = pathname === decoded.pathname ? (req.url as string) : encodeURI(pathname) + decoded.query;
    const original = req.url;
    req.url = url;
    try {
      // serve-handler types its hooks as the fs callbacks they replace; it only
      // ever calls them with string paths and awaits the result.
      const methods = {
        lstat: (file: string) => guardedLstat(res, file),
        readdir: async (dir: string) => {
          const names = await readdir(dir);
          const visible: string[] = [];
          for (const name of names) {
            if (name.startsWith('.')) continue;
            try {
              await guardedLstat(res, path.join(dir, name));
              visible.push(name);
            } catch {
              // Unlisted on purpose: it leads outside the root, or vanished meanwhile.
            }
          }
          return visible;
        },
        createReadStream: (file: string, options?: { start?: number; end?: number }) => {
          const stats = res.lastPath === file ? res.lastStats : null;
          res.fileStats = stats;
          if (stats && (res.statusCode === 200 || res.statusCode === 206) && isNotModified(req, stats)) {
            res.notModified = true;
            return Readable.from([]);
          }
          // HEAD needs the headers only; don't read the file for nothing.
          if (req.method === 'HEAD') return Readable.from([]);
          const stream = createReadStream(file, options);
          // A read error mid-response can't become a status code any more: cut the connection.
          stream.on('error', (error) => {
            ctx.onError(error);
            res.destroy();
          });
          return stream;
        },
      };
      await serveHandler(req, res, baseConfig, methods as unknown as Parameters<typeof serveHandler>[3]);
    } finally {
      req.url = original;
    }
  };

  return (req, res) => {
    res.ctx = ctx;
    res.startedAt = performance.now();
    const ip = req.socket.remoteAddress ?? '';
    res.ip = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    handle(req, res).catch((error: unknown) => {
      ctx.onError(error);
      if (!res.headersSent) reply(res, 500, 'Pier could not answer this request.');
      else res.destroy();
    });
  };
}
