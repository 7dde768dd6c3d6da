import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

import mime from 'mime-types';

import { isNotModified, type PierResponse } from './pier-response';

// Non-blocking: opening a named pipe would otherwise hold a thread-pool thread
// until some writer appears. Regular files ignore the flag; Windows has none.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Open a file for reading without blocking on pipes; null when it can't be
 * opened (serve-handler then answers as it would have).
 */
export async function openForServing(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, OPEN_FLAGS);
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
 * from the open handle, which it always closes, and reports false (having sent
 * nothing) when it is not a plain file, so the caller hands the request to
 * serve-handler as usual.
 *
 * Why: serve-handler costs six file-system round trips per file (realpath by
 * our guard, lstat, open, two reads because it streams without an end, close);
 * this costs four (realpath and open side by side, fstat, read) and closes in
 * the background.
 * Measured with `npm run bench`: see the closing note of the foundation issue.
 */
export async function serveFile(res: PierResponse, handle: FileHandle, realPath: string): Promise<boolean> {
  let stats: Stats;
  try {
    stats = await handle.stat();
  } catch {
    // fstat on an open handle failing is near impossible; let the slow path decide.
    await handle.close();
    return false;
  }
  if (!stats.isFile()) {
    // Folders (index, listing) and anything exotic go the long way.
    await handle.close();
    return false;
  }

  const req = res.req;
  res.statusCode = 200;
  res.fileStats = stats;
  res.notModified = isNotModified(req, stats);
  res.setHeader('Content-Type', mime.contentType(path.basename(realPath)) || 'application/octet-stream');
  res.setHeader('Content-Length', stats.size);
  res.setHeader('Last-Modified', stats.mtime.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  // writeHead applies caching, 304, CORS and custom headers, as for every response.
  res.writeHead(200);

  if (res.statusCode === 304 || req.method === 'HEAD' || stats.size === 0) {
    res.end();
    void handle.close();
    return true;
  }
  if (stats.size <= READ_WHOLE_MAX) {
    const body = Buffer.allocUnsafe(stats.size);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(body, 0, stats.size, 0));
    } finally {
      void handle.close();
    }
    // The file shrank since fstat: the promised Content-Length can't be kept.
    if (bytesRead !== stats.size) res.destroy();
    else res.end(body);
    return true;
  }
  // An explicit end: without one a stream reads once more just to find EOF.
  const stream = handle.createReadStream({ start: 0, end: stats.size - 1, autoClose: true });
  stream.on('error', (error) => {
    res.ctx?.onError(error);
    res.destroy();
  });
  res.on('close', () => stream.destroy());
  stream.pipe(res);
  return true;
}
