import { close, constants, createReadStream, fstat, open, read, readlinkSync, type Stats } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

import { isNotModified, type PierResponse } from './pier-response';

// Non-blocking: opening a named pipe would otherwise hold a thread-pool thread
// until some writer appears. Regular files ignore the flag; Windows has none.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

// Plain descriptors, not FileHandle: profiling showed FileHandle's open and
// close costing more main-thread time than the reads themselves.
const openFd = promisify(open);
const fstatFd = promisify(fstat);
const readFd = promisify(read);
export const closeDescriptor = (fd: number) =>
  close(fd, () => {
    // Closing a read-only descriptor can't lose data; nothing to report.
  });

/**
 * The real path of the file behind an open descriptor, or null if it can't be
 * told. On Linux /proc/self/fd names the very inode that was opened (an
 * in-memory lookup, no disk and no thread pool); elsewhere realpath() of the
 * requested path is the best available.
 */
export async function openedPath(fd: number, requested: string): Promise<string | null> {
  if (process.platform === 'linux') {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // No /proc (a container without it): fall back to realpath below.
    }
  }
  try {
    return await realpath(requested);
  } catch {
    // Gone or a loop since it was opened: not a path we can vouch for.
    return null;
  }
}

/**
 * Open a file for reading without blocking on pipes; null when it can't be
 * opened (serve-handler then answers as it would have).
 */
export async function openForServing(file: string): Promise<number | null> {
  try {
    return await openFd(file, OPEN_FLAGS);
  } catch {
    // Missing, unreadable, a loop: the slow path gives the right status for each.
    return null;
  }
}

/** Files up to this size are read in one call instead of streamed: fewer thread-pool round trips. */
const READ_WHOLE_MAX = 64 * 1024;

/**
 * The hot path: a GET or HEAD, without Range, of a regular file the guards
 * already resolved (its real path is inside the root and not hidden). Answers
 * from the open descriptor, which it always closes, and reports false (having sent
 * nothing) when it is not a plain file, so the caller hands the request to
 * serve-handler as usual.
 *
 * Why: serve-handler costs six file-system round trips per file (realpath by
 * our guard, lstat, open, two reads because it streams without an end, close);
 * this costs three (open, fstat, read; the guard asks /proc which file the
 * descriptor is) and closes in the background.
 * Measured with `npm run bench`: see the closing note of the foundation issue.
 */
export async function serveFile(res: PierResponse, fd: number, realPath: string): Promise<boolean> {
  let stats: Stats;
  try {
    stats = await fstatFd(fd);
  } catch {
    // fstat on an open descriptor failing is near impossible; let the slow path decide.
    closeDescriptor(fd);
    return false;
  }
  if (!stats.isFile()) {
    // Folders (index, listing) and anything exotic go the long way.
    closeDescriptor(fd);
    return false;
  }

  const req = res.req;
  res.statusCode = 200;
  res.fileStats = stats;
  res.filePath = realPath;
  res.notModified = isNotModified(req, stats);
  res.setHeader('Content-Length', stats.size);
  res.setHeader('Last-Modified', stats.mtime.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  // writeHead applies caching, 304, CORS and custom headers, as for every response.
  res.writeHead(200);

  if (res.statusCode === 304 || req.method === 'HEAD' || stats.size === 0) {
    res.end();
    closeDescriptor(fd);
    return true;
  }
  if (stats.size <= READ_WHOLE_MAX) {
    const body = Buffer.allocUnsafe(stats.size);
    let bytesRead: number;
    try {
      ({ bytesRead } = await readFd(fd, body, 0, stats.size, 0));
    } finally {
      closeDescriptor(fd);
    }
    // The file shrank since fstat: the promised Content-Length can't be kept.
    if (bytesRead !== stats.size) res.destroy();
    else res.end(body);
    return true;
  }
  // An explicit end: without one a stream reads once more just to find EOF.
  const stream = createReadStream('', { fd, start: 0, end: stats.size - 1, autoClose: true });
  stream.on('error', (error) => {
    res.ctx?.onError(error);
    res.destroy();
  });
  res.on('close', () => stream.destroy());
  stream.pipe(res);
  return true;
}
