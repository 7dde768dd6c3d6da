/**
 * The one responder. Whatever a request resolved to (a file with its checked
 * descriptor or its cached bytes, a listing, a redirect, an error), the answer
 * is written here: validators and conditionals, ranges, HEAD, the headers
 * every response carries, and the body stream's whole life.
 *
 * Go's http.ServeContent is the model; RFC 9110 §13 (conditionals) and §14
 * (ranges) are the text.
 */
import { createReadStream, read, type Stats } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { promisify } from 'node:util';

import mime from 'mime-types';
import parseRange from 'range-parser';

import { closeFd } from './checked-open';
import type { CachedFile } from './file-cache';
import { READ_WHOLE_MAX } from './limits';
import { errorHtml } from './pages';
import type { PierResponse, ServerContext } from './pier-response';

const readAsync = promisify(read);
const EMPTY = Buffer.alloc(0);

const CACHE_CONTROL = {
  revalidate: 'no-cache',
  'no-store': 'no-store',
  'max-age': 'public, max-age=3600',
} as const;

/**
 * A strong validator from inode, size and modification time (as nginx and Go
 * do): a new inode (an atomic save) or any write changes it. Strong, so that
 * If-Range can resume a download.
 */
export function etagOf(stats: Stats): string {
  return `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${Math.round(stats.mtimeMs * 1000).toString(36)}"`;
}

/** Does a list of entity tags (If-None-Match, If-Match) name `etag`? Weak comparison unless `strong`. */
function tagListHas(header: string, etag: string, strong: boolean): boolean {
  if (header.trim() === '*') return true;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === etag) return true;
    if (!strong && tag.startsWith('W/') && tag.slice(2) === etag) return true;
  }
  return false;
}

/** HTTP dates have whole seconds; file times usually don't. */
const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

type Precondition = 'pass' | 304 | 412;

/** RFC 9110 §13.2.2, in its order: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since. */
function evaluatePreconditions(res: PierResponse, stats: Stats, etag: string): Precondition {
  const headers = res.req.headers;
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!tagListHas(ifMatch, etag, true)) return 412;
  } else {
    const ius = headers['if-unmodified-since'];
    const since = ius === undefined ? NaN : Date.parse(ius);
    if (!Number.isNaN(since) && wholeSeconds(stats.mtimeMs) > since) return 412;
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) return tagListHas(ifNoneMatch, etag, false) ? 304 : 'pass';
  const ims = headers['if-modified-since'];
  const since = ims === undefined ? NaN : Date.parse(ims);
  return !Number.isNaN(since) && wholeSeconds(stats.mtimeMs) <= since ? 304 : 'pass';
}

/** If-Range: the range applies only while the representation is the one the client has part of. */
function ifRangeHolds(value: string, etag: string, stats: Stats): boolean {
  const trimmed = value.trim();
  // An entity tag: strong comparison (a weak tag never matches).
  if (trimmed.startsWith('"') || trimmed.startsWith('W/')) return trimmed === etag;
  const date = Date.parse(trimmed);
  return !Number.isNaN(date) && date === wholeSeconds(stats.mtimeMs);
}

/** The headers every response carries, set last so custom headers can override them. */
function finishHeaders(res: PierResponse, ctx: ServerContext): void {
  const { config } = ctx;
  if (config.cors) res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const { name, value } of config.headers) res.setHeader(name, value);
}

/** A page Pier wrote itself (listing, error page, plain message). Always revalidated. */
export function sendPage(
  res: PierResponse,
  ctx: ServerContext,
  status: number,
  body: string | Buffer,
  type = 'text/html; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.setHeader('Cache-Control', ctx.config.caching === 'no-store' ? 'no-store' : 'no-cache');
  finishHeaders(res, ctx);
  res.end(res.req.method === 'HEAD' ? EMPTY : body);
}

/** An error page in Pier's look (or plain text for non-browsers is not worth the branch: HTML for all). */
export function sendError(res: PierResponse, ctx: ServerContext, status: number, message: string, headers: Record<string, string> = {}): void {
  sendPage(res, ctx, status, errorHtml(status, message), 'text/html; charset=utf-8', headers);
}

export function sendRedirect(res: PierResponse, ctx: ServerContext, location: string): void {
  res.statusCode = 301;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.setHeader('Cache-Control', ctx.config.caching === 'no-store' ? 'no-store' : 'no-cache');
  finishHeaders(res, ctx);
  res.end();
}

/** The header values of a file, from its stats and real name. */
function describeFile(stats: Stats, real: string): Omit<CachedFile, 'body'> {
  return {
    stats,
    real,
    type: mime.contentType(path.basename(real)) || 'application/octet-stream',
    etag: etagOf(stats),
    lastModified: stats.mtime.toUTCString(),
  };
}

/** A file to answer with: cached bytes, or an open checked descriptor (which the responder closes). */
export type FileSource = { cached: CachedFile } | { fd: number; stats: Stats; real: string; cacheKey: string | null; file: string };

/**
 * Answer with a file. `status` is 200, or 404 for a site's own 404.html (which
 * gets no validators, conditionals or ranges). Never throws after headers are
 * sent; always closes the descriptor.
 */
export async function sendFile(res: PierResponse, ctx: ServerContext, source: FileSource, status: 200 | 404 = 200): Promise<void> {
  const req = res.req;
  const described = 'cached' in source ? source.cached : describeFile(source.stats, source.real);
  const { stats, etag } = described;
  const fd = 'cached' in source ? null : source.fd;
  const release = () => {
    if (fd !== null) closeFd(fd);
  };
  const { config } = ctx;
  const size = stats.size;
  const validators = status === 200 && config.caching !== 'no-store';

  res.setHeader('Content-Type', described.type);
  if (validators) {
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', described.lastModified);
    res.setHeader('Cache-Control', CACHE_CONTROL[config.caching]);
    res.setHeader('Accept-Ranges', 'bytes');
  } else {
    res.setHeader('Cache-Control', config.caching === 'no-store' ? 'no-store' : 'no-cache');
  }

  let start = 0;
  let end = size - 1;
  res.statusCode = status;
  if (validators) {
    const precondition = evaluatePreconditions(res, stats, etag);
    if (precondition !== 'pass') {
      release();
      res.statusCode = precondition;
      res.removeHeader('Content-Type');
      finishHeaders(res, ctx);
      if (precondition === 412) res.setHeader('Content-Length', 0);
      res.end();
      return;
    }
    const range = req.headers.range;
    const ifRange = req.headers['if-range'] as string | undefined;
    if (range !== undefined && req.method === 'GET' && size > 0 && (ifRange === undefined || ifRangeHolds(ifRange, etag, stats))) {
      const ranges = parseRange(size, range, { combine: true });
      if (ranges === -1) {
        release();
        res.setHeader('Content-Range', `bytes */${size}`);
        sendPage(res, ctx, 416, `The file has ${size} bytes; the range asked for starts after its end.\n`, 'text/plain; charset=utf-8');
        return;
      }
      // Malformed (-2), another unit, or several ranges: answer with the whole
      // file, which RFC 9110 allows (a multipart answer buys a dev server nothing).
      if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
        const only = ranges[0] as parseRange.Range;
        start = only.start;
        end = only.end;
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      }
    }
  }
  const length = size === 0 ? 0 : end - start + 1;
  res.setHeader('Content-Length', length);
  finishHeaders(res, ctx);

  if (req.method === 'HEAD' || length === 0) {
    release();
    res.end();
    return;
  }
  if ('cached' in source) {
    const body = source.cached.body;
    res.end(length === size ? body : body.subarray(start, end + 1));
    return;
  }
  if (size <= READ_WHOLE_MAX && length === size) {
    await sendWhole(res, ctx, source, described);
    return;
  }
  stream(res, ctx, source.fd, start, end);
}

/** Read a small file in one call, answer, and offer it to the cache. */
async function sendWhole(
  res: PierResponse,
  ctx: ServerContext,
  source: Extract<FileSource, { fd: number }>,
  described: Omit<CachedFile, 'body'>,
): Promise<void> {
  const { fd, stats } = source;
  const readAt = Date.now();
  const body = Buffer.allocUnsafe(stats.size);
  let bytesRead = -1;
  try {
    ({ bytesRead } = await readAsync(fd, body, 0, stats.size, 0));
  } catch (error) {
    ctx.onError(error);
  } finally {
    closeFd(fd);
  }
  if (bytesRead !== stats.size) {
    // Shrank (or failed) since fstat: the promised length can't be kept.
    res.destroy();
    return;
  }
  res.end(body);
  if (source.cacheKey !== null) ctx.cache.offer(source.cacheKey, source.file, { ...described, body }, readAt);
}

/** Stream bytes start…end (inclusive) of an open file; the descriptor is closed however the response ends. */
function stream(res: PierResponse, ctx: ServerContext, fd: number, start: number, end: number): void {
  const file = createReadStream('', { fd, start, end, autoClose: true, highWaterMark: 64 * 1024 });
  const expected = end - start + 1;
  pipeline(file, res, (error) => {
    if (error) {
      // A client that hangs up mid-download is normal; a read error is not.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') ctx.onError(error);
      res.destroy();
    } else if (file.bytesRead !== expected) {
      // The file shrank mid-download: the client must not take the short body for whole.
      res.destroy();
    }
  });
}
