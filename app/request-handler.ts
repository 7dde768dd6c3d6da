/**
 * A request's way through a server: bounds, then guards (method, password,
 * path), then resolving the path once into a value — a file with its checked
 * descriptor or cached bytes, a folder listing, a redirect, or nothing — which
 * the one responder (responder.ts) answers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

import { closeFd, openChecked, readFolder, type Opened } from './checked-open';
import type { ServerConfig } from './contract';
import { acceptedCodings, isCompressible, precompressedName, SIBLING_SUFFIX, type Coding } from './encoding';
import { lstatOrNull, type CachedFile } from './file-cache';
import type { CachedListing } from './listing-cache';
import { LISTING_MAX_ENTRIES, MAX_PATH_DEPTH, MAX_SEGMENT_BYTES, MAX_URL_BYTES, PIPELINE_MAX, PIPELINE_PAUSE_AT } from './limits';
import { isHtml } from './live-reload-client';
import { listingHtml, listingJson } from './pages';
import { decodeRequestPath, hasExtension, isHiddenPath, isInside, type DecodedPath } from './path-guard';
import { noEndpoint, PIER_PREFIX, privateEndpoints, publicEndpoints } from './pier-endpoints';
import type { PierResponse, ServerContext } from './pier-response';
import { sendCached, sendError, sendOpenFile, sendPage, sendPrecompressed, sendRedirect, typeOf } from './responder';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Digests of the configured credentials, compared in constant time per request. */
export function authDigests(config: ServerConfig): ServerContext['auth'] {
  return config.auth ? { user: sha256(config.auth.username), pass: sha256(config.auth.password) } : null;
}

/** HTTP Basic, with the scheme matched case-insensitively (RFC 9110 §11.1). */
export function isAuthorized(ctx: ServerContext, header: string | undefined): boolean {
  const auth = ctx.auth;
  if (!auth) return true;
  if (!header || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  // Compare digests, not strings: equal lengths, and no early exit on the first wrong byte.
  const userOk = timingSafeEqual(sha256(decoded.slice(0, colon)), auth.user);
  const passOk = timingSafeEqual(sha256(decoded.slice(colon + 1)), auth.pass);
  return userOk && passOk;
}

/** Nothing by that name (one lstat on this thread; a name that is there is then opened and checked). */
const absent = (file: string): boolean => lstatOrNull(file) === null;

/** Too deep, or a segment longer than any file system allows: nothing there, without asking the disk. */
function beyondBounds(pathname: string): boolean {
  // Too deep needs at least two characters a level; too long a segment, more than its limit.
  if (pathname.length <= 2 * MAX_PATH_DEPTH && pathname.length <= MAX_SEGMENT_BYTES) return false;
  let depth = 0;
  let segmentStart = 0;
  for (let i = 0; i <= pathname.length; i++) {
    if (i === pathname.length || pathname.charCodeAt(i) === 47 /* / */) {
      if (i - segmentStart > MAX_SEGMENT_BYTES) return true;
      if (++depth > MAX_PATH_DEPTH + 1) return true;
      segmentStart = i + 1;
    }
  }
  return false;
}

/**
 * What a path in the site is, once: cached bytes, an open checked descriptor,
 * nothing (`missing`), or something Pier won't serve (`refused`: it leads
 * outside the root or into a dot-folder, or is a pipe or a device).
 */
type Found =
  | { kind: 'cached'; cached: CachedFile; sitePath: string }
  | OpenedPath<'file'>
  | OpenedPath<'folder'>
  | { kind: 'missing' }
  | { kind: 'refused' }
  | { kind: 'busy' };

type OpenedPath<K> = { kind: K; file: string; cacheKey: string | null } & Opened;

/** What a Unity WebGL build ships compressed: the data, the wasm, the framework script, the symbols. */
const UNITY_CODED = /\.(data|wasm|js|json)$/;

const MISSING: Found = { kind: 'missing' };
const REFUSED: Found = { kind: 'refused' };

/** Builds the (req, res) listener for one running server. */
export function createRequestHandler(ctx: ServerContext): (req: IncomingMessage, res: PierResponse) => void {
  const { config, realRoot } = ctx;
  const unity = config.presets.includes('unity');
  const allow = config.cors ? 'GET, HEAD, OPTIONS' : 'GET, HEAD';

  /** A real path Pier may show: inside the root, with no dot segment below it. */
  const reachable = (real: string) => isInside(realRoot, real) && !isHiddenPath(real.slice(realRoot.length));

  /**
   * Look up a site path (decoded, starting with "/"). A cache hit costs one
   * lstat and no thread-pool work; a name that isn't there costs one lstat;
   * anything else is opened, and the descriptor checked (checked-open.ts).
   */
  const lookup = async (sitePath: string): Promise<Found> => {
    const file = realRoot + sitePath;
    const cached = ctx.cache.get(sitePath, file);
    if (cached) return { kind: 'cached', cached, sitePath };
    if (absent(file)) return MISSING;
    const opened = await openChecked(file, reachable);
    if (opened === 'missing') return REFUSED;
    if (opened === 'busy') return { kind: 'busy' };
    return opened.stats.isDirectory()
      ? { kind: 'folder', file, cacheKey: sitePath, ...opened }
      : { kind: 'file', file, cacheKey: sitePath, ...opened };
  };

  const release = (found: Found) => {
    if (found.kind === 'file' || found.kind === 'folder') closeFd(found.fd);
  };

  /**
   * The precompressed siblings worth looking for (`app.js.br`, `app.js.gz`):
   * with compression on, for a type worth compressing, without a Range, in
   * the order the client prefers the codings. Not for a page that gets the
   * live-reload client: that goes into the plain page, compressed after.
   */
  const siblingCodings = (res: PierResponse, type: string): Coding[] =>
    config.compress && res.req.headers.range === undefined && isCompressible(type) && !(ctx.liveReload && isHtml(type))
      ? acceptedCodings(res.req)
      : [];

  /**
   * With the unity preset, `Build/game.wasm.br` is the wasm, brotli-coded:
   * sent as it is with `Content-Encoding` and the inner name's type (what
   * Unity's loader and WebAssembly.instantiateStreaming need), never coded again.
   * Only the kinds of file a Unity build compresses: `backup.tar.gz` stays a download.
   */
  const unityCoded = (sitePath: string): { coding: Coding; type: string } | null => {
    if (!unity) return null;
    const coded = precompressedName(sitePath);
    return coded && UNITY_CODED.test(coded.inner) ? { coding: coded.coding, type: typeOf(coded.inner) } : null;
  };

  /**
   * A sibling answered from the cache at once, `'open'` when one is there
   * but must be opened first (resolve() does), or null when there is none.
   */
  const cachedSibling = (res: PierResponse, sitePath: string, type: string): Promise<void> | 'open' | null => {
    for (const coding of siblingCodings(res, type)) {
      const key = sitePath + SIBLING_SUFFIX[coding];
      const cached = ctx.cache.get(key, realRoot + key);
      if (cached) return sendPrecompressed(res, ctx, type, { cached }, coding);
      if (!absent(realRoot + key)) return 'open';
    }
    return null;
  };

  const answerFile = async (res: PierResponse, found: Extract<Found, { kind: 'cached' | 'file' }>, status: 200 | 404 = 200) => {
    const sitePath = found.kind === 'cached' ? found.sitePath : (found.cacheKey as string);
    if (status === 200) {
      const coded = unityCoded(sitePath);
      if (coded) return sendPrecompressed(res, ctx, coded.type, found.kind === 'cached' ? { cached: found.cached } : found, coded.coding);
      const type = found.kind === 'cached' ? found.cached.type : typeOf(found.real);
      for (const coding of siblingCodings(res, type)) {
        const sibling = await lookup(sitePath + SIBLING_SUFFIX[coding]);
        if (sibling.kind === 'cached' || sibling.kind === 'file') {
          release(found);
          return sendPrecompressed(res, ctx, type, sibling.kind === 'cached' ? { cached: sibling.cached } : sibling, coding);
        }
        release(sibling);
      }
    }
    return found.kind === 'cached' ? sendCached(res, ctx, found.cached, status, sitePath) : sendOpenFile(res, ctx, found, status);
  };

  /**
   * 404, with the site's own /404.html when it has one. Synchronous when that
   * page is cached or absent (a 404 is as common as a hit while a site is
   * being built: a missing icon on every page).
   */
  const notFound = (res: PierResponse, pathname = ''): Promise<void> | void => {
    const custom = ctx.cache.get('/404.html', realRoot + '/404.html');
    if (custom) return sendCached(res, ctx, custom, 404, '/404.html');
    if (!absent(realRoot + '/404.html')) return customNotFound(res, pathname);
    sendError(res, ctx, 404, pathname ? `There is nothing at ${pathname} in this folder.` : 'There is no file at this address.');
  };

  const customNotFound = async (res: PierResponse, pathname: string): Promise<void> => {
    const page = await lookup('/404.html');
    if (page.kind === 'cached' || page.kind === 'file') return answerFile(res, page, 404);
    release(page);
    if (page.kind === 'busy') return busy(res);
    sendError(res, ctx, 404, `There is nothing at ${pathname} in this folder.`);
  };

  const busy = (res: PierResponse) =>
    sendError(res, ctx, 503, 'The server has too many files open right now. Try again in a moment.', { 'Retry-After': '1' });

  /** A listing of the folder at `sitePath` (its page, with live reload on, reloads when an entry changes). */
  const sendListing = (res: PierResponse, listing: CachedListing, sitePath: string): void => {
    const accept = res.req.headers.accept ?? '';
    const wantsJson = accept.includes('application/json') && !accept.includes('text/html');
    if (wantsJson) sendPage(res, ctx, 200, listing.json, 'application/json; charset=utf-8');
    else sendPage(res, ctx, 200, listing.html, undefined, undefined, sitePath);
  };

  /** A listing read through the open folder, then offered to the listing cache. */
  const listing = async (res: PierResponse, folder: OpenedPath<'folder'>, sitePath: string): Promise<void> => {
    const readAt = Date.now();
    let read;
    try {
      read = await readFolder(folder, reachable, LISTING_MAX_ENTRIES);
    } finally {
      closeFd(folder.fd);
    }
    const rendered = {
      html: Buffer.from(listingHtml(sitePath, read.entries, read.more)),
      json: Buffer.from(listingJson(sitePath, read.entries, read.more)),
    };
    ctx.listings.offer(sitePath, folder.file, folder.real, folder.stats, rendered, readAt);
    sendListing(res, rendered, sitePath);
  };

  /** `/docs` (a folder) → `/docs/`: relative links in its index.html only work from there. */
  const slashRedirect = (rawPath: string, query: string) => `/${rawPath.replace(/^\/+/, '')}/${query}`;

  /**
   * GET and HEAD. Synchronous up to the cache: a hit (the common case while a
   * page is being worked on) is answered without a single await. Anything
   * else goes on to resolve().
   */
  const serveGet = (res: PierResponse, rawUrl: string): Promise<void> | void => {
    if (ctx.folderGone) {
      // Not a 404: nothing is missing from the site, the whole folder is; the window shows the same error.
      return sendError(res, ctx, 503, 'The folder this server shares is gone (deleted, renamed or unmounted). It is served again as soon as it is back.', { 'Retry-After': '5' });
    }
    if (rawUrl.length > MAX_URL_BYTES) return sendError(res, ctx, 414, 'The address is longer than this server accepts.');
    const decoded = decodeRequestPath(rawUrl);
    if (!decoded.ok) return sendError(res, ctx, decoded.status, decoded.status === 400 ? 'The address is not valid.' : 'There is no file at this address.');
    const { pathname } = decoded;
    // Dotfiles and dot-folders, or deeper than any site: no redirect, no index, no SPA fallback.
    if (beyondBounds(pathname)) return notFound(res);
    if (isHiddenPath(pathname)) return notFound(res, pathname);
    if (!(config.cleanUrls && pathname.endsWith('.html'))) {
      const key = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
      const cached = ctx.cache.get(key, realRoot + key);
      if (cached) {
        const coded = unityCoded(key);
        if (coded) return sendPrecompressed(res, ctx, coded.type, { cached }, coded.coding);
        const sibling = cachedSibling(res, key, cached.type);
        if (sibling === null) return sendCached(res, ctx, cached, 200, key);
        if (sibling !== 'open') return sibling;
      }
    }
    // A name that isn't there, with nothing else to try (no clean URL, no SPA route): 404 at once.
    const fallsBack = config.cleanUrls || (config.spa && !hasExtension(pathname));
    if (!fallsBack && !pathname.endsWith('/') && absent(realRoot + pathname)) return notFound(res, pathname);
    return resolve(res, decoded);
  };

  /** Resolve a path once into what answers it: a file, its folder's index or listing, a redirect, the SPA, or a 404. */
  const resolve = async (res: PierResponse, decoded: Extract<DecodedPath, { ok: true }>): Promise<void> => {
    const { pathname, rawPath, query } = decoded;
    if (config.cleanUrls && pathname.endsWith('.html')) {
      // /page.html → /page and /docs/index.html → /docs/, when the file is there.
      const found = await lookup(pathname);
      release(found);
      if (found.kind === 'cached' || found.kind === 'file') {
        const clean = rawPath.replace(/\.html$/, '').replace(/(^|\/)index$/, '$1');
        return sendRedirect(res, ctx, `/${clean.replace(/^\/+/, '')}${query}`);
      }
    }

    if (pathname.endsWith('/')) {
      const index = await lookup(`${pathname}index.html`);
      if (index.kind === 'cached' || index.kind === 'file') return answerFile(res, index);
      release(index);
      if (index.kind === 'busy') return busy(res);
      // An index.html that leads outside must not turn into a listing of its folder.
      if (index.kind !== 'missing') return notFound(res, pathname);
      // A listing still valid in the cache (same folder inode, unchanged) needs no open.
      const cachedListing = config.listing ? ctx.listings.get(pathname, realRoot + pathname) : null;
      if (cachedListing) return sendListing(res, cachedListing, pathname);
      const folder = await lookup(pathname);
      if (folder.kind === 'folder' && config.listing) return listing(res, folder, pathname);
      release(folder);
      if (folder.kind === 'busy') return busy(res);
      if (folder.kind !== 'missing') return notFound(res, pathname);
    } else {
      const found = await lookup(pathname);
      if (found.kind === 'cached' || found.kind === 'file') return answerFile(res, found);
      release(found);
      if (found.kind === 'busy') return busy(res);
      if (found.kind === 'folder') return sendRedirect(res, ctx, slashRedirect(rawPath, query));
      if (found.kind === 'refused') return notFound(res, pathname);
      if (config.cleanUrls) {
        const page = await lookup(`${pathname}.html`);
        if (page.kind === 'cached' || page.kind === 'file') return answerFile(res, page);
        release(page);
        if (page.kind !== 'missing') return notFound(res, pathname);
      }
    }
    // Nothing there. A route of a single-page app (no file extension) gets the app.
    if (config.spa && !hasExtension(pathname)) {
      const app = await lookup('/index.html');
      if (app.kind === 'cached' || app.kind === 'file') return answerFile(res, app);
      release(app);
    }
    return notFound(res, pathname);
  };

  /**
   * `/.pier/<name>`: Pier's own endpoints (pier-endpoints.ts), public ones
   * before the password check, the rest after it; any other name is a 404.
   * Never a file: dot-folders are not served, so no file can shadow them.
   */
  const endpointName = (url: string): string | null => {
    if (!url.startsWith(PIER_PREFIX)) return null;
    const end = url.indexOf('?');
    return url.slice(PIER_PREFIX.length, end === -1 ? undefined : end);
  };

  const handle = (req: IncomingMessage, res: PierResponse): Promise<void> | void => {
    const method = req.method ?? '';
    const endpoint = endpointName(req.url ?? '');
    if (method === 'OPTIONS' && config.cors) {
      // CORS preflight: browsers send it without credentials, so answer before auth.
      res.statusCode = 204;
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Methods', allow);
      const asked = req.headers['access-control-request-headers'];
      if (asked) res.setHeader('Access-Control-Allow-Headers', asked);
      res.setHeader('Access-Control-Max-Age', '600');
      res.end();
      return undefined;
    }
    const publicEndpoint = endpoint === null ? undefined : publicEndpoints.get(endpoint);
    if (publicEndpoint) {
      if (method !== 'GET' && method !== 'HEAD') return sendError(res, ctx, 405, 'Only GET and HEAD are allowed here.', { Allow: 'GET, HEAD' });
      return publicEndpoint(res, ctx, endpoint as string);
    }
    if (!isAuthorized(ctx, req.headers.authorization)) {
      return sendError(res, ctx, 401, 'This server is protected by a password.', {
        'WWW-Authenticate': 'Basic realm="Pier", charset="UTF-8"',
      });
    }
    // Proxied paths: after the password and /.pier/, before files; every method.
    const route = endpoint === null && ctx.proxy ? ctx.proxy.match(req.url ?? '') : null;
    if (route) return ctx.proxy?.web(req, res, route);
    if (method !== 'GET' && method !== 'HEAD') {
      return sendError(res, ctx, 405, 'Only GET and HEAD are allowed here.', { Allow: allow });
    }
    if (endpoint !== null) return (privateEndpoints.get(endpoint) ?? noEndpoint)(res, ctx, endpoint);
    return serveGet(res, req.url ?? '');
  };

  const run = (req: IncomingMessage, res: PierResponse): void => {
    res.ctx = ctx;
    res.startedAt = performance.now();
    const ip = req.socket.remoteAddress ?? '';
    res.ip = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    const fail = (error: unknown) => {
      ctx.onError(error);
      if (!res.headersSent) sendError(res, ctx, 500, 'Pier could not answer this request.');
      else res.destroy();
    };
    try {
      handle(req, res)?.catch(fail);
    } catch (error) {
      fail(error);
    }
  };

  return (req, res) => {
    const line = lineOf(req.socket);
    if (!line.busy) {
      startOn(line, req, res);
      return;
    }
    // Pipelined behind an unfinished answer: wait in line (answers go out in order anyway).
    line.waiting.push([req, res]);
    if (line.waiting.length >= PIPELINE_MAX) {
      req.socket.destroy();
    } else if (line.waiting.length >= PIPELINE_PAUSE_AT && !line.paused) {
      line.paused = true;
      req.socket.pause();
    }
  };

  function startOn(line: Line, req: IncomingMessage, res: PierResponse): void {
    line.busy = true;
    // Held here: a stream library that destroys the request may have let go of req.socket by then.
    const socket = req.socket;
    res.onDone = () => {
      line.busy = false;
      if (socket.destroyed) {
        // The client is gone: nobody will read the answers still in line.
        line.waiting.length = 0;
        return;
      }
      const next = line.waiting.shift();
      if (line.paused && line.waiting.length < PIPELINE_PAUSE_AT / 2) {
        line.paused = false;
        socket.resume();
      }
      if (next) startOn(line, next[0], next[1]);
    };
    run(req, res);
  }
}

/** One connection's requests: the one being answered and those pipelined behind it. */
interface Line {
  busy: boolean;
  /** Reading was paused because too many requests wait. */
  paused: boolean;
  waiting: Array<[IncomingMessage, PierResponse]>;
}

const lines = new WeakMap<Socket, Line>();

function lineOf(socket: Socket): Line {
  let line = lines.get(socket);
  if (!line) {
    line = { busy: false, paused: false, waiting: [] };
    lines.set(socket, line);
  }
  return line;
}
