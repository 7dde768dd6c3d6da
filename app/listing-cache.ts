/**
 * Rendered folder listings, so a 1,000-file folder is not read and stat()ed
 * again for every request.
 *
 * A hit must still show the folder as it is. Adding, removing or renaming an
 * entry changes the folder's own mtime and ctime, which every hit checks with
 * one lstat (as the file cache does, with the same "racily clean" rule); a
 * file inside that merely grows changes neither, so each cached folder also
 * has a watcher (inotify on Linux) that drops the entry on any event. A
 * folder that can't be watched is not cached.
 */
import { watch, type FSWatcher, type Stats } from 'node:fs';

import { isRacy, lstatOrNull, unchanged } from './file-cache';
import { LISTING_CACHE_ENTRIES } from './limits';

export interface CachedListing {
  html: Buffer;
  json: Buffer;
}

interface Entry extends CachedListing {
  stats: Stats;
  watcher: FSWatcher;
}

export class ListingCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(max = LISTING_CACHE_ENTRIES) {
    this.#max = max;
  }

  get(key: string, folder: string): CachedListing | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    const now = lstatOrNull(folder);
    if (!now || !unchanged(now, entry.stats)) {
      this.#drop(key);
      return null;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /**
   * Offer a listing rendered from the folder whose descriptor had `stats`
   * (read before its entries were), at `readAt`; `real` is its real path, to watch.
   */
  offer(key: string, folder: string, real: string, stats: Stats, listing: CachedListing, readAt: number): void {
    if (this.#max === 0) return;
    if (isRacy(stats, readAt)) return;
    const named = lstatOrNull(folder);
    if (!named || !unchanged(named, stats)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(real, { persistent: false }, () => this.#drop(key));
    } catch {
      // Out of watches, or gone: not cached, served fresh every time.
      return;
    }
    watcher.on('error', () => this.#drop(key));
    this.#drop(key);
    this.#entries.set(key, { ...listing, stats, watcher });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#drop(oldest);
    }
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.#drop(key);
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    entry.watcher.close();
  }
}
