/**
 * The in-memory caches answer hits without touching the disk's data, so every
 * way a file or folder can change must be seen at once: edit in place, the
 * same size with the modification time set back, an atomic rename, a delete,
 * a symlink or a folder put in its place, and a file changed a moment before
 * it was read (the "racily clean" case).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, openSync, closeSync, fstatSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { FileCache, type CachedFile } from '../../app/file-cache';
import { ListingCache } from '../../app/listing-cache';
import { sleep } from '../helpers/proc';
import { serve, tempDir, type ServedSite } from '../helpers/serve';

/** Long enough for a file to leave the racy window (1 s) in which it isn't cached. */
const SETTLE_MS = 1_100;

/** Read a file as the responder would (fstat, then the bytes) and offer it to the cache. */
function readAndOffer(cache: FileCache, key: string, file: string): CachedFile {
  const fd = openSync(file, constants.O_RDONLY);
  try {
    const readAt = Date.now();
    const stats = fstatSync(fd);
    const body = readFileSync(fd);
    const entry = { body, stats, real: file, type: 'text/plain', etag: '"x"', lastModified: stats.mtime.toUTCString() };
    cache.offer(key, file, entry, readAt);
    return entry;
  } finally {
    closeSync(fd);
  }
}

describe('FileCache: a hit only while the file is exactly what was read', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('pier-cache-');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** A file written long enough ago to be cached, then cached (and proven to hit). */
  async function cachedFile(name: string, content = 'version-1'): Promise<{ cache: FileCache; file: string }> {
    const file = path.join(dir, name);
    await writeFile(file, content);
    await sleep(SETTLE_MS);
    const cache = new FileCache();
    readAndOffer(cache, `/${name}`, file);
    const hit = cache.get(`/${name}`, file);
    assert.ok(hit, 'a settled file is cached');
    assert.equal(hit.body.toString(), content);
    assert.equal(cache.hits, 1);
    return { cache, file };
  }

  test('edit in place (same size) → miss', async () => {
    const { cache, file } = await cachedFile('edit.txt');
    await writeFile(file, 'version-2');
    assert.equal(cache.get('/edit.txt', file), null);
  });

  test('same size, modification time set back to the cached second → miss (ctime moved)', async () => {
    const { cache, file } = await cachedFile('utimes.txt');
    const before = await stat(file);
    await writeFile(file, 'version-2');
    await utimes(file, before.atime, before.mtime);
    const second = (ms: number) => Math.floor(ms / 1000);
    assert.equal(second((await stat(file)).mtimeMs), second(before.mtimeMs), 'the mtime is in the same second as before');
    assert.equal(cache.get('/utimes.txt', file), null);
  });

  test('an atomic rename of a new file over it → miss', async () => {
    const { cache, file } = await cachedFile('atomic.txt');
    const temp = path.join(dir, 'atomic.tmp');
    await writeFile(temp, 'version-2');
    await rename(temp, file);
    assert.equal(cache.get('/atomic.txt', file), null);
  });

  test('delete → miss', async () => {
    const { cache, file } = await cachedFile('gone.txt');
    await rm(file);
    assert.equal(cache.get('/gone.txt', file), null);
  });

  test('replaced by a symlink to the same content → miss', async () => {
    const { cache, file } = await cachedFile('linked.txt');
    await writeFile(path.join(dir, 'twin.txt'), 'version-1');
    await rm(file);
    await symlink('twin.txt', file);
    assert.equal(cache.get('/linked.txt', file), null);
  });

  test('replaced by a folder → miss', async () => {
    const { cache, file } = await cachedFile('folder.txt');
    await rm(file);
    await mkdir(file);
    assert.equal(cache.get('/folder.txt', file), null);
  });

  test('a file changed a moment before it was read is not cached at all', async () => {
    const file = path.join(dir, 'racy.txt');
    await writeFile(file, 'just now');
    const cache = new FileCache();
    readAndOffer(cache, '/racy.txt', file);
    assert.equal(cache.get('/racy.txt', file), null);
    assert.equal(cache.bytes, 0);
  });

  test('a path whose last segment is a symlink is not cached (lstat would describe the link)', async () => {
    await writeFile(path.join(dir, 'target.txt'), 'target');
    await symlink('target.txt', path.join(dir, 'alias.txt'));
    await sleep(SETTLE_MS);
    const cache = new FileCache();
    readAndOffer(cache, '/alias.txt', path.join(dir, 'alias.txt'));
    assert.equal(cache.get('/alias.txt', path.join(dir, 'alias.txt')), null);
  });

  test('the cache holds at most its byte budget, dropping the least recently used', async () => {
    const names = ['a', 'b', 'c'];
    for (const name of names) await writeFile(path.join(dir, `lru-${name}.txt`), name.repeat(400));
    await sleep(SETTLE_MS);
    const cache = new FileCache(1000);
    for (const name of names) readAndOffer(cache, `/${name}`, path.join(dir, `lru-${name}.txt`));
    assert.ok(cache.bytes <= 1000, `holds ${cache.bytes} bytes`);
    assert.equal(cache.get('/a', path.join(dir, 'lru-a.txt')), null, 'the oldest went first');
    assert.ok(cache.get('/c', path.join(dir, 'lru-c.txt')));
  });
});

describe('ListingCache: a hit only while the folder is as it was listed', () => {
  test('adding an entry, or a file growing inside, drops the cached listing', async () => {
    const dir = await tempDir('pier-listing-');
    try {
      await writeFile(path.join(dir, 'a.txt'), 'a');
      await sleep(SETTLE_MS);
      const cache = new ListingCache();
      const offer = () => cache.offer('/', dir, dir, statSync(dir), { html: Buffer.from('x'), json: Buffer.from('{}') }, Date.now());
      offer();
      assert.ok(cache.get('/', dir), 'a settled folder is cached');
      await writeFile(path.join(dir, 'b.txt'), 'b');
      assert.equal(cache.get('/', dir), null, 'a new entry changes the folder itself');

      await sleep(SETTLE_MS);
      offer();
      assert.ok(cache.get('/', dir));
      await writeFile(path.join(dir, 'a.txt'), 'a longer a');
      // The folder's own times don't move when a file inside grows: the watcher must say so.
      await sleep(100);
      assert.equal(cache.get('/', dir), null, 'a file growing inside drops the listing');
      cache.clear();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('through a running server, a cached file is never stale', () => {
  let site: ServedSite;
  const files = ['edit', 'utimes', 'atomic', 'gone', 'linked', 'folder'].map((n) => `${n}.txt`);
  before(async () => {
    site = await serve({ ...Object.fromEntries(files.map((f) => [f, 'version-1'])), 'twin.txt': 'twin-content', list: { 'a.txt': 'a' } });
    await sleep(SETTLE_MS);
    // Warm: the second request of each is a hit.
    for (const f of files) {
      for (let i = 0; i < 2; i++) assert.equal((await site.request(`/${f}`)).body, 'version-1');
    }
  });
  after(() => site?.close());

  test('edit in place → the new bytes', async () => {
    await writeFile(path.join(site.root, 'edit.txt'), 'version-2');
    assert.equal((await site.request('/edit.txt')).body, 'version-2');
  });

  test('same size and the old modification time → the new bytes', async () => {
    const file = path.join(site.root, 'utimes.txt');
    const old = await stat(file);
    await writeFile(file, 'version-3');
    await utimes(file, old.atime, old.mtime);
    const res = await site.request('/utimes.txt');
    assert.equal(res.body, 'version-3');
  });

  test('atomic rename → the new bytes', async () => {
    await writeFile(path.join(site.root, 'atomic.tmp'), 'version-4');
    await rename(path.join(site.root, 'atomic.tmp'), path.join(site.root, 'atomic.txt'));
    assert.equal((await site.request('/atomic.txt')).body, 'version-4');
  });

  test('delete → 404', async () => {
    await rm(path.join(site.root, 'gone.txt'));
    assert.equal((await site.request('/gone.txt')).status, 404);
  });

  test('replaced by a symlink → the link target', async () => {
    await rm(path.join(site.root, 'linked.txt'));
    await symlink('twin.txt', path.join(site.root, 'linked.txt'));
    assert.equal((await site.request('/linked.txt')).body, 'twin-content');
  });

  test('replaced by a folder → a redirect to the folder', async () => {
    await rm(path.join(site.root, 'folder.txt'));
    await mkdir(path.join(site.root, 'folder.txt'));
    const res = await site.request('/folder.txt');
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/folder.txt/');
  });

  test('a listing shows a file added after it was cached', async () => {
    await sleep(SETTLE_MS);
    for (let i = 0; i < 2; i++) assert.doesNotMatch((await site.request('/list/')).body, /new-file/);
    await writeFile(path.join(site.root, 'list', 'new-file.txt'), 'new');
    assert.match((await site.request('/list/')).body, /new-file\.txt/);
  });
});
