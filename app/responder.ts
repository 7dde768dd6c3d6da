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
import { pipeline, Transform } from 'node:stream';
import { promisify } from 'node:util';

import mime from 'mime-types';
import parseRange from 'range-parser';

import { closeFd } from './checked-open';
import { acceptedCoding, compressStream, compressSync, isCompressible, MIN_COMPRESS_BYTES, variantEtag, type Coding } from './encoding';
import type { CachedFile } from './file-cache';
import { READ_WHOLE_MAX, STREAM_CHUNK_BYTES } from './limits';
import { clientTag, injectClient, isHtml } from './live-reload-client';
import { errorHtml } from './pages';
import type { PierResponse, ServerContext } from './pier-response';

const readAsync = promisify(read);

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
function etagOf(stats: Stats): string {
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

/**
 * Headers go out as one flat list through writeHead: Node then writes them as
 * given, without building and validating its header map one setHeader call
 * at a time (after the socket write, the hot path's largest cost). Every
 * response finishes its list here: CORS, nosniff, the presets' headers, then
 * the server's custom headers, which replace any header of the same name.
 */
function writeHead(res: PierResponse, ctx: ServerContext, status: number, headers: string[]): void {
  const { config } = ctx;
  if (config.cors) headers.push('Access-Control-Allow-Origin', '*');
  headers.push('X-Content-Type-Options', 'nosniff');
  if (config.presets.includes('cross-origin-isolated')) {
    headers.push('Cross-Origin-Opener-Policy', 'same-origin', 'Cross-Origin-Embedder-Policy', 'require-corp');
  }
  for (const { name, value } of config.headers) {
    const lower = name.toLowerCase();
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if ((headers[i] as string).toLowerCase() === lower) headers.splice(i, 2);
    }
    headers.push(name, value);
  }
  res.writeHead(status, headers);
}

/** A whole response: head, and the body unless it is a HEAD request. */
function send(res: PierResponse, ctx: ServerContext, status: number, headers: string[], body?: Buffer | string): void {
  writeHead(res, ctx, status, headers);
  if (body === undefined || res.req.method === 'HEAD') res.end();
  else res.end(body);
}

const pageCacheControl = (ctx: ServerContext) => (ctx.config.caching === 'no-store' ? 'no-store' : 'no-cache');

/** Does this HTML get the live-reload client? Only with live reload on. */
const injects = (ctx: ServerContext, type: string): boolean => ctx.liveReload !== null && isHtml(type);

/**
 * A page Pier wrote itself (listing, error page, plain message). Always
 * revalidated. With live reload on, an HTML page gets the client, watching
 * `watch` (a listing's folder; `*`, anything, for an error page; null: no
 * client, for a page that must not have one), except the password page: its
 * script and stream would only be refused too.
 */
export function sendPage(
  res: PierResponse,
  ctx: ServerContext,
  status: number,
  body: string | Buffer,
  type = 'text/html; charset=utf-8',
  extra: Record<string, string> = {},
  watch: string | null = '*',
): void {
  if (watch !== null && status !== 401 && injects(ctx, type)) body = injectClient(typeof body === 'string' ? Buffer.from(body) : body, watch);
  const headers: string[] = [];
  for (const [name, value] of Object.entries(extra)) headers.push(name, value);
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  headers.push('Content-Type', type, 'Content-Length', String(length), 'Cache-Control', pageCacheControl(ctx));
  send(res, ctx, status, headers, body);
}

/** An error page in Pier's look for browsers; one line of text for curl, scripts and tools. */
export function sendError(res: PierResponse, ctx: ServerContext, status: number, message: string, extra: Record<string, string> = {}): void {
  if (res.req.headers.accept?.includes('text/html')) {
    sendPage(res, ctx, status, errorHtml(status, message), 'text/html; charset=utf-8', extra);
  } else {
    sendPage(res, ctx, status, `${message}\n`, 'text/plain; charset=utf-8', extra);
  }
}

/** The head of a live-reload event stream (live-reload.ts writes the events). */
export function openEventStream(res: PierResponse, ctx: ServerContext): void {
  // No-store and no buffering: events must reach the page as they happen, through any proxy.
  writeHead(res, ctx, 200, ['Content-Type', 'text/event-stream; charset=utf-8', 'Cache-Control', 'no-store', 'X-Accel-Buffering', 'no']);
}

export function sendRedirect(res: PierResponse, ctx: ServerContext, location: string): void {
  send(res, ctx, 301, ['Location', location, 'Content-Length', '0', 'Cache-Control', pageCacheControl(ctx)]);
}

/** The header values of a file, from its stats and real name. */
function describeFile(stats: Stats, real: string): Omit<CachedFile, 'body'> {
  return {
    stats,
    real,
    type: typeOf(real),
    etag: etagOf(stats),
    lastModified: stats.mtime.toUTCString(),
  };
}

/** An open checked descriptor to answer from (the responder closes it), and where it may be cached. */
export interface OpenFile {
  fd: number;
  stats: Stats;
  real: string;
  /** Cache key (null: don't cache) and the path the cache validates it by. */
  cacheKey: string | null;
  file: string;
}

/**
 * Status and head of a file response: validators, conditionals, ranges. The
 * response is complete (a 304, 412, 416, HEAD or empty file) when this returns
 * null; otherwise the head is written and the bytes start…end must follow.
 * `status` is 200, or 404 for a site's own 404.html (which gets no
 * validators, conditionals or ranges). `injected` is the length of an HTML
 * page with the live-reload client in it (null: the file's own bytes).
 */
/** How the body is coded: brotli or gzip, with its length when known (null: streamed, chunked). */
interface Encoded {
  coding: Coding;
  length: number | null;
}

function fileHead(
  res: PierResponse,
  ctx: ServerContext,
  file: Omit<CachedFile, 'body'>,
  status: 200 | 404,
  encoded: Encoded | null,
  vary: boolean,
  injected: number | null = null,
): { start: number; end: number } | null {
  const req = res.req;
  const { config } = ctx;
  const { stats } = file;
  // With the live-reload client in it, the page is another representation: its own length and entity tag.
  const size = injected ?? stats.size;
  const liveEtag = injected === null ? file.etag : variantEtag(file.etag, 'live');
  const etag = encoded ? variantEtag(liveEtag, encoded.coding) : liveEtag;
  const whole = size === 0 ? null : { start: 0, end: size - 1 };
  const body = (plan: { start: number; end: number } | null, code: number, headers: string[]) => {
    if (plan === null || req.method === 'HEAD') {
      send(res, ctx, code, headers);
      return null;
    }
    writeHead(res, ctx, code, headers);
    return plan;
  };
  // The whole body's headers: type, coding, length (none when compressed on the fly).
  const entity = ['Content-Type', file.type];
  if (encoded) entity.push('Content-Encoding', encoded.coding);
  const length = encoded ? encoded.length : size;
  if (length !== null) entity.push('Content-Length', String(length));
  const varyList = vary ? ['Vary', 'Accept-Encoding'] : [];

  if (status !== 200 || config.caching === 'no-store') {
    return body(whole, status, [...entity, ...varyList, 'Cache-Control', pageCacheControl(ctx)]);
  }
  const validators = ['ETag', etag, 'Last-Modified', file.lastModified, 'Cache-Control', CACHE_CONTROL[config.caching]];
  // A page with the client in it is always sent whole (RFC 9110 lets a server ignore Range).
  if (injected === null) validators.push('Accept-Ranges', 'bytes');
  validators.push(...varyList);
  const precondition = evaluatePreconditions(res, stats, etag);
  if (precondition === 304) return body(null, 304, validators);
  if (precondition === 412) return body(null, 412, [...validators, 'Content-Length', '0']);

  const range = req.headers.range;
  const ifRange = req.headers['if-range'] as string | undefined;
  // (Ranges are of the file's own bytes: the caller never encodes a request with a Range.)
  if (range !== undefined && !encoded && injected === null && req.method === 'GET' && size > 0 && (ifRange === undefined || ifRangeHolds(ifRange, etag, stats))) {
    const ranges = parseRange(size, range, { combine: true });
    if (ranges === -1) {
      sendPage(res, ctx, 416, `The file has ${size} bytes; the range asked for starts after its end.\n`, 'text/plain; charset=utf-8', {
        'Content-Range': `bytes */${size}`,
      });
      return null;
    }
    // Malformed (-2), another unit, or several ranges: answer with the whole
    // file, which RFC 9110 allows (a multipart answer buys a dev server nothing).
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const { start, end } = ranges[0] as parseRange.Range;
      const headers = ['Content-Type', file.type, ...validators, 'Content-Range', `bytes ${start}-${end}/${size}`];
      return body({ start, end }, 206, [...headers, 'Content-Length', String(end - start + 1)]);
    }
  }
  return body(whole, 200, [...entity, ...validators]);
}

/**
 * The coding this response gets, or null: only with compression on, for a
 * 200 of a type worth compressing and big enough, without a Range (ranges are
 * of the file's own bytes), as the client's Accept-Encoding allows.
 */
function codingFor(res: PierResponse, ctx: ServerContext, type: string, size: number, status: 200 | 404): { coding: Coding | null; vary: boolean } {
  if (!ctx.config.compress || status !== 200 || !isCompressible(type)) return { coding: null, vary: false };
  // Vary either way: the same URL has a compressed and a plain representation.
  if (size < MIN_COMPRESS_BYTES || res.req.headers.range !== undefined) return { coding: null, vary: true };
  return { coding: acceptedCoding(res.req), vary: true };
}

/**
 * Answer from cached bytes: no await, no thread-pool work (a compressed
 * variant, and an HTML page's variant with the live-reload client, is made
 * once and kept). `sitePath` is the file's path in the site (what the
 * live-reload client watches).
 */
export function sendCached(res: PierResponse, ctx: ServerContext, cached: CachedFile, status: 200 | 404 = 200, sitePath = ''): void {
  // The client goes in before compression: the compressed variants are of the page with it.
  const source = injects(ctx, cached.type) ? (cached.live ??= { body: injectClient(cached.body, sitePath) }) : cached;
  const { coding, vary } = codingFor(res, ctx, cached.type, source.body.length, status);
  let bytes = source.body;
  let encoded: Encoded | null = null;
  if (coding) {
    source.encoded ??= {};
    bytes = source.encoded[coding] ??= compressSync(source.body, coding);
    encoded = { coding, length: bytes.length };
  }
  const plan = fileHead(res, ctx, cached, status, encoded, vary, source === cached ? null : source.body.length);
  if (plan === null) return;
  if (encoded) res.end(bytes);
  else res.end(plan.start === 0 && plan.end === bytes.length - 1 ? bytes : bytes.subarray(plan.start, plan.end + 1));
}

/**
 * Answer from an open descriptor, which is closed however the response ends.
 * A small file is read whole first (offered to the cache, then answered like
 * a hit), so a read that comes up short is still a clean error; a larger one
 * is streamed (compressed on the way when it is text).
 */
export async function sendOpenFile(res: PierResponse, ctx: ServerContext, file: OpenFile, status: 200 | 404 = 200): Promise<void> {
  const described = describeFile(file.stats, file.real);
  const sitePath = file.cacheKey ?? '';
  if (file.stats.size > READ_WHOLE_MAX) {
    // A large page gets the client appended as it streams past (after </html> the parser still runs it).
    const tag = injects(ctx, described.type) ? clientTag(sitePath) : null;
    const size = file.stats.size + (tag?.length ?? 0);
    const { coding, vary } = codingFor(res, ctx, described.type, size, status);
    const plan = fileHead(res, ctx, described, status, coding ? { coding, length: null } : null, vary, tag ? size : null);
    if (plan === null) closeFd(file.fd);
    else if (tag) stream(res, ctx, file.fd, 0, file.stats.size - 1, coding, tag);
    else stream(res, ctx, file.fd, plan.start, plan.end, coding);
    return;
  }
  const cached = await readWhole(res, ctx, file, described);
  if (cached) sendCached(res, ctx, cached, status, sitePath);
}

/**
 * Read a small file whole and offer it to the cache; on a short read (it
 * shrank since fstat) answer 503 and resolve with null. Closes the descriptor.
 */
async function readWhole(res: PierResponse, ctx: ServerContext, file: OpenFile, described: Omit<CachedFile, 'body'>): Promise<CachedFile | null> {
  const size = file.stats.size;
  const readAt = Date.now();
  const bytes = Buffer.allocUnsafe(size);
  let bytesRead = -1;
  try {
    ({ bytesRead } = await readAsync(file.fd, bytes, 0, size, 0));
  } catch (error) {
    ctx.onError(error);
  } finally {
    closeFd(file.fd);
  }
  if (bytesRead !== size) {
    sendError(res, ctx, 503, 'The file changed while it was being read. Try again.', { 'Retry-After': '1' });
    return null;
  }
  const cached: CachedFile = { ...described, body: bytes };
  if (file.cacheKey !== null) ctx.cache.offer(file.cacheKey, file.file, cached, readAt);
  return cached;
}

/** The Content-Type a file gets, from its real name. */
export const typeOf = (real: string): string => mime.contentType(path.basename(real)) || 'application/octet-stream';

/**
 * Answer with a precompressed sibling (`app.js.br` for `app.js`): its bytes
 * as they are, with `Content-Encoding`, the original's type, and the
 * sibling's own validators.
 */
export async function sendPrecompressed(
  res: PierResponse,
  ctx: ServerContext,
  type: string,
  sibling: { cached: CachedFile } | OpenFile,
  coding: Coding,
): Promise<void> {
  let cached: CachedFile;
  if ('cached' in sibling) {
    cached = sibling.cached;
  } else {
    const described = describeFile(sibling.stats, sibling.real);
    if (sibling.stats.size > READ_WHOLE_MAX) {
      const plan = fileHead(res, ctx, { ...described, type }, 200, { coding, length: sibling.stats.size }, true);
      if (plan === null) closeFd(sibling.fd);
      else stream(res, ctx, sibling.fd, plan.start, plan.end, null);
      return;
    }
    const read = await readWhole(res, ctx, sibling, described);
    if (!read) return;
    cached = read;
  }
  const plan = fileHead(res, ctx, { ...cached, type }, 200, { coding, length: cached.body.length }, true);
  if (plan !== null) res.end(cached.body);
}

/** A stream that passes bytes through and adds `tail` at the end. */
function appending(tail: Buffer): Transform {
  return new Transform({
    transform: (chunk, _encoding, callback) => callback(null, chunk),
    flush: (callback) => callback(null, tail),
  });
}

/**
 * Stream bytes start…end (inclusive) of an open file, then `tail` if given;
 * the descriptor is closed however the response ends.
 */
function stream(res: PierResponse, ctx: ServerContext, fd: number, start: number, end: number, coding: Coding | null, tail: Buffer | null = null): void {
  const file = createReadStream('', { fd, start, end, autoClose: true, highWaterMark: STREAM_CHUNK_BYTES });
  const expected = end - start + 1;
  const done = (error: NodeJS.ErrnoException | null) => {
    if (error) {
      // A client that hangs up mid-download is normal; a read error is not.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') ctx.onError(error);
      res.destroy();
    } else if (file.bytesRead !== expected) {
      // The file shrank mid-download: the client must not take the short body for whole.
      res.destroy();
    }
  };
  const stages: NodeJS.ReadWriteStream[] = [];
  if (tail) stages.push(appending(tail));
  if (coding) stages.push(compressStream(coding));
  pipeline([file, ...stages, res], done);
}
