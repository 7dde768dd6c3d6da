/**
 * Small files kept in memory, so a hit costs one lstat on the request's
 * thread and no thread-pool work at all.
 *
 * A cached answer is never stale:
 * - Every hit lstat()s the path and compares device, inode, size, mode, mtime
 *   and ctime with what was read. An edit in place changes ctime; an atomic
 *   rename, a delete, or a symlink or folder put in its place changes the
 *   inode or the type. A folder in the middle of the path swapped for a link
 *   leads to another inode: a miss, and the slow path checks again.
 * - File times come from a coarse kernel clock, so two writes a few
 *   milliseconds apart can leave the same ctime. Like git's "racily clean"
 *   rule, a file changed within the last RACY_MS before it was read is not
 *   cached: any later change then necessarily moves its ctime.
 * - Only files whose last path segment is not a symlink are cached (lstat
 *   would describe the link, not the file).
 */
import { lstatSync, type Stats } from 'node:fs';

import type { Coding } from './encoding';
import { FILE_CACHE_BYTES, READ_WHOLE_MAX } from './limits';

/** A change this close before the read might share the read's timestamp tick. */
const RACY_MS = 1_000;

/** lstat, or null for anything that isn't there (or can't be looked at). */
export function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** Changed too shortly before `readAt` to be told apart from a change right after it. */
export const isRacy = (stats: Stats, readAt: number): boolean => readAt - stats.ctimeMs < RACY_MS || readAt - stats.mtimeMs < RACY_MS;

/** The same inode, unchanged: what every cache hit is checked against. */
export function unchanged(a: Stats, b: Stats): boolean {
  return (
    a.ino === b.ino &&
    a.dev === b.dev &&
    a.size === b.size &&
    a.mode === b.mode &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  );
}

/** What a cache hit is answered from. */
export interface CachedFile {
  body: Buffer;
  /** The file's fstat when it was read. */
  stats: Stats;
  /** Where it was really read from (for its Content-Type). */
  real: string;
  /** Header values derived from the above, worked out once. */
  type: string;
  etag: string;
  lastModified: string;
  /** Compressed variants, made on first demand (they die with the entry). */
  encoded?: Partial<Record<Coding, Buffer>>;
  /**
   * An HTML page with the live-reload client in it, and its compressed
   * variants: made once per version of the file, on first demand, like the
   * compressed ones (and, like them, on top of the cache's byte budget).
   */
  live?: { body: Buffer; encoded?: Partial<Record<Coding, Buffer>> };
}

export class FileCache {
  readonly #entries = new Map<string, CachedFile>();
  #bytes = 0;
  readonly #maxBytes: number;
  /** Requests answered from memory (for tests and the benchmark's story). */
  hits = 0;

  constructor(maxBytes = FILE_CACHE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** The cached file for `key` if the file at `file` is still exactly what was read. */
  get(key: string, file: string): CachedFile | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    const now = lstatOrNull(file);
    if (!now || !unchanged(now, entry.stats)) {
      this.#delete(key, entry);
      return null;
    }
    // Most recently used last: eviction takes from the front.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.hits++;
    return entry;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Offer a file just read whole from a checked descriptor. `readAt` is when
   * the read began (epoch ms). Kept only when it is safe to validate by lstat.
   */
  offer(key: string, file: string, entry: CachedFile, readAt: number): void {
    const { stats, body } = entry;
    if (body.length > READ_WHOLE_MAX || body.length !== stats.size) return;
    if (isRacy(stats, readAt)) return;
    // The name must still lead to the very file that was read, and not through a final symlink.
    const named = lstatOrNull(file);
    if (!named || !unchanged(named, stats)) return;
    const old = this.#entries.get(key);
    if (old) this.#delete(key, old);
    this.#entries.set(key, entry);
    this.#bytes += body.length;
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#delete(oldestKey, oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #delete(key: string, entry: CachedFile): void {
    this.#entries.delete(key);
    this.#bytes -= entry.body.length;
  }
}
