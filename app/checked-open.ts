/**
 * Opening files and folders so that what is served is what was checked.
 *
 * The rule: never "check a path, then open it by name". A path is opened
 * first; then the kernel is asked which file the open descriptor really is,
 * and that answer (about the descriptor, not the name) is what is checked. A
 * symlink swapped anywhere in the path a moment later changes nothing: the
 * bytes and the folder entries served come from the descriptor.
 *
 * - Linux: `/proc/self/fd/N` names the very inode that was opened, and
 *   `/proc/self/fd/N/child` resolves a child inside the opened folder itself.
 * - Elsewhere (macOS has F_GETPATH, but Node does not expose it): realpath()
 *   after the open, accepted only when it names the same device and inode as
 *   the descriptor's fstat. A race then makes the check fail (a 404), never pass.
 *
 * Opens are non-blocking: a named pipe (or a file swapped for one) opens at
 * once instead of holding a thread until a writer comes, and is then refused
 * because fstat says it is not a regular file or a folder.
 */
import { close, closeSync, constants, fstatSync, lstatSync, open, openSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

// Windows has no O_NONBLOCK (and no FIFOs to block on).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const PROC_FD = process.platform === 'linux' ? '/proc/self/fd/' : null;

const openAsync = promisify(open);

/** Close a read-only descriptor in the background: closing it can't lose data. */
export const closeFd = (fd: number): void =>
  close(fd, () => {
    // Nothing to report: the descriptor was read-only.
  });

export interface Opened {
  fd: number;
  stats: Stats;
  /** The real path of what was opened, from the kernel (Linux) or a verified realpath. */
  real: string;
}

/** Why nothing was opened: it isn't there (or may not be shown), or the process is out of descriptors. */
export type OpenFailure = 'missing' | 'busy';

/** True when `real` (an absolute real path) may be served. */
export type Reachable = (real: string) => boolean;

function failureOf(error: unknown): OpenFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EMFILE' || code === 'ENFILE') return 'busy';
  // ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EACCES, ENXIO (a socket), EISDIR…:
  // either it is not there, or it is nothing Pier may show.
  return 'missing';
}

/** What the descriptor is, or null when it can't be vouched for. */
function describe(fd: number, requested: string): { stats: Stats; real: string } | null {
  const stats = fstatSync(fd);
  if (PROC_FD) {
    try {
      return { stats, real: readlinkSync(PROC_FD + fd) };
    } catch {
      // No /proc (a container without it): the portable check below.
    }
  }
  try {
    const real = realpathSync.native(requested);
    const named = statSync(real);
    return named.dev === stats.dev && named.ino === stats.ino ? { stats, real } : null;
  } catch {
    // Gone or swapped since the open: not a path we can vouch for.
    return null;
  }
}

function accept(fd: number, requested: string, reachable: Reachable): Opened | OpenFailure {
  let described: { stats: Stats; real: string } | null;
  try {
    described = describe(fd, requested);
  } catch {
    described = null;
  }
  if (!described || !reachable(described.real) || !(described.stats.isFile() || described.stats.isDirectory())) {
    closeFd(fd);
    return 'missing';
  }
  return { fd, ...described };
}

/**
 * Open `file` (a file or a folder) and check what was opened. Resolves with the
 * open descriptor, which the caller must close, or with why there is none.
 */
export async function openChecked(file: string, reachable: Reachable): Promise<Opened | OpenFailure> {
  let fd: number;
  try {
    fd = await openAsync(file, OPEN_FLAGS);
  } catch (error) {
    return failureOf(error);
  }
  return accept(fd, file, reachable);
}

/** The same, synchronously, for a name inside a folder that is already open (listing entries). */
function openChildSync(dir: Opened, name: string, reachable: Reachable): Opened | OpenFailure {
  const child = childPath(dir, name);
  let fd: number;
  try {
    fd = openSync(child, OPEN_FLAGS);
  } catch (error) {
    return failureOf(error);
  }
  return accept(fd, child, reachable);
}

/** A name inside an open folder: through the descriptor on Linux, so the folder can't be swapped. */
function childPath(dir: Opened, name: string): string {
  return PROC_FD ? `${PROC_FD}${dir.fd}/${name}` : path.join(dir.real, name);
}

export interface FolderEntry {
  name: string;
  isDirectory: boolean;
  size: number;
  mtimeMs: number;
}

/**
 * The visible entries of an open folder, read through its descriptor: no
 * dotfiles, nothing that leads outside the root or into a dot-folder, no
 * pipes or devices. At most `max` entries are described; `more` counts the rest.
 */
export async function readFolder(dir: Opened, reachable: Reachable, max: number): Promise<{ entries: FolderEntry[]; more: number }> {
  const dirents = await readdir(PROC_FD ? `${PROC_FD}${dir.fd}` : dir.real, { withFileTypes: true });
  const entries: FolderEntry[] = [];
  let more = 0;
  for (const dirent of dirents) {
    const name = dirent.name;
    if (name.startsWith('.')) continue;
    if (entries.length >= max) {
      more++;
      continue;
    }
    if (dirent.isFile() || dirent.isDirectory()) {
      // Inside an opened folder that is itself inside the root: no check to
      // make, only stats to read. lstat: a name swapped for a link meanwhile is skipped.
      try {
        const stats = lstatSync(childPath(dir, name));
        if (!stats.isFile() && !stats.isDirectory()) continue;
        entries.push({ name, isDirectory: stats.isDirectory(), size: stats.size, mtimeMs: stats.mtimeMs });
      } catch {
        // Removed since readdir: not listed.
      }
    } else if (dirent.isSymbolicLink()) {
      // Listed only when it leads to a file or folder Pier would serve.
      const opened = openChildSync(dir, name, reachable);
      if (typeof opened === 'string') continue;
      entries.push({ name, isDirectory: opened.stats.isDirectory(), size: opened.stats.size, mtimeMs: opened.stats.mtimeMs });
      closeSync(opened.fd);
    }
  }
  return { entries, more };
}

/** Device and inode of a path, or null when it is gone: how the root's identity is watched. */
export async function identityOf(folder: string): Promise<string | null> {
  try {
    const stats = await stat(folder);
    return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : null;
  } catch {
    return null;
  }
}
