import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';

import serveHandler from 'serve-handler';

import type { ServerConfig } from './contract';
import { closeDescriptor, openedPath, openForServing, serveFile } from './file-response';
import { decodeRequestPath, hasExtension, isHiddenPath, isInside } from './path-guard';
import { isNotModified, type PierResponse, type ServerContext } from './pier-response';


const EMPTY = Buffer.alloc(0);
const CLEAN_URL_REDIRECTS = /(\.html|\/index)$/;

function notFoundError(file: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, lstat '${file}'`);
  error.code = 'ENOENT';
  return error;
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

  /** A path on disk Pier may show: inside the root, with no dot segment below it. */
  const reachable = (real: string) => isInside(realRoot, real) && !isHiddenPath(real.slice(realRoot.length));

  /** lstat as serve-handler sees the world: hidden files and escapes do not exist. */
  const guardedLstat = async (res: PierResponse, file: string): Promise<Stats> => {
    if (!reachable(file)) throw notFoundError(file);
    const stats = await lstatOrMissing(file);
    if (stats.isSymbolicLink()) {
      const target = await realpath(file).catch(() => null);
      const targetStats = target ? await stat(target).catch(() => null) : null;
      if (!target || !reachable(target) || !targetStats || !isServable(targetStats)) throw notFoundError(file);
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

  /** serve-handler's file-system hooks for one request, behind the guards. */
  const hooksFor = (req: IncomingMessage, res: PierResponse) => ({
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
      res.filePath = file;
      if (stats && (res.statusCode === 200 || res.statusCode === 206) && isNotModified(req, stats)) {
        res.notModified = true;
        return Readable.from([]);
      }
      // HEAD needs the headers only; don't read the file for nothing.
      if (req.method === 'HEAD') return Readable.from([]);
      // Without an end, the stream reads once more just to find EOF.
      const whole = stats && stats.size > 0 ? { start: 0, end: stats.size - 1 } : undefined;
      const stream = createReadStream(file, options ?? whole);
      // A read error mid-response can't become a status code any more: cut the connection.
      stream.on('error', (error) => {
        ctx.onError(error);
        res.destroy();
      });
      return stream;
    },
  });

  /** Everything but plain files: folders, listings, ranges, clean URLs, error pages. */
  const viaServeHandler = async (req: IncomingMessage, res: PierResponse, url: string): Promise<void> => {
    const original = req.url;
    req.url = url;
    try {
      // serve-handler types its hooks as the fs callbacks they replace; it only
      // ever calls them with string paths and awaits the result.
      const hooks = hooksFor(req, res) as unknown as Parameters<typeof serveHandler>[3];
      await serveHandler(req, res, baseConfig, hooks);
    } finally {
      req.url = original;
    }
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
    // The hot paths: a file (`/app.js`) or a folder's index.html (`/`, `/docs/`).
    const direct =
      req.headers.range === undefined &&
      (hasExtension(pathname) || pathname.endsWith('/')) &&
      !isHiddenPath(pathname) &&
      // With clean URLs, serve-handler redirects /page.html and /index to their clean form.
      !(config.cleanUrls && CLEAN_URL_REDIRECTS.test(pathname));
    if (direct) {
      // Open first, then ask which file was really opened. The answer is about
      // the open descriptor itself, so no symlink swapped in between can fool
      // it, and no separate realpath trip is needed. Anything else (no such
      // file, no index.html, a folder) goes the long way below.
      const file = path.join(realRoot, pathname, pathname.endsWith('/') ? 'index.html' : '');
      const fd = await openForServing(file);
      if (fd !== null) {
        const real = await openedPath(fd, file);
        if (real !== null && reachable(real)) {
          if (await serveFile(res, fd, real)) return;
        } else {
          closeDescriptor(fd);
        }
      }
    }
    const onDisk = await resolveOnDisk(realRoot, pathname);
    if (!reachable(onDisk.real) || isHiddenPath(pathname)) {
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
    await viaServeHandler(req, res, pathname === decoded.pathname ? (req.url as string) : encodeURI(pathname) + decoded.query);
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
