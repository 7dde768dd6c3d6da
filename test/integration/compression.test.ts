/**
 * Compression as a browser negotiates it: brotli or gzip for text, by
 * Accept-Encoding, with Vary, a strong ETag per representation, correct 304s,
 * and ranges of the file's own bytes. Bodies are decompressed and compared.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

import { sleep } from '../helpers/proc';
import { link, serve, type ServedSite } from '../helpers/serve';

const SCRIPT = 'export const answer = () => 42; // a line of a bundle\n'.repeat(200); // ~11 KB
const BUNDLE = 'function f(a, b) { return a + b; } // a line of a large bundle\n'.repeat(4_000); // ~260 KB: streamed
const TINY = 'body{}';
const PNG = Buffer.alloc(4_096, 7);

const decode = (coding: string | undefined, bytes: Buffer) =>
  coding === 'br' ? zlib.brotliDecompressSync(bytes) : coding === 'gzip' ? zlib.gunzipSync(bytes) : bytes;

describe('compression (on by default)', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve({ 'app.js': SCRIPT, 'bundle.js': BUNDLE, 'tiny.css': TINY, 'image.png': PNG, 'changing.js': SCRIPT });
  });
  after(() => site?.close());

  for (const [accept, coding] of [
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
  ] as const) {
    test(`Accept-Encoding: ${accept} → ${coding}, smaller, and the same text once decoded`, async () => {
      const res = await site.request('/app.js', { headers: { 'Accept-Encoding': accept } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], coding);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.match(res.headers['content-type'] ?? '', /javascript/);
      assert.equal(Number(res.headers['content-length']), res.bytes.length);
      assert.ok(res.bytes.length < SCRIPT.length / 5, `${res.bytes.length} bytes`);
      assert.equal(decode(coding, res.bytes).toString(), SCRIPT);
      assert.match(res.headers.etag ?? '', new RegExp(`-${coding}"$`));
    });
  }

  test('no Accept-Encoding (or identity only) → the plain file, still with Vary', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'identity' }]) {
      const res = await site.request('/app.js', { headers });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.equal(res.body, SCRIPT);
    }
  });

  test('an image is never compressed, and a tiny file is not worth it', async () => {
    const png = await site.request('/image.png', { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(png.headers['content-encoding'], undefined);
    assert.equal(png.headers.vary, undefined);
    assert.ok(png.bytes.equals(PNG));
    const tiny = await site.request('/tiny.css', { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(tiny.headers['content-encoding'], undefined);
    assert.equal(tiny.body, TINY);
  });

  test('a Range is of the file itself: 206 with the plain bytes', async () => {
    const res = await site.request('/app.js', { headers: { 'Accept-Encoding': 'br', Range: 'bytes=0-9' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.body, SCRIPT.slice(0, 10));
  });

  test('each representation revalidates with its own ETag: 304 for a match, 200 across codings', async () => {
    const br = await site.request('/app.js', { headers: { 'Accept-Encoding': 'br' } });
    const again = await site.request('/app.js', { headers: { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag as string } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.vary, 'Accept-Encoding');
    assert.equal(again.bytes.length, 0);
    const plain = await site.request('/app.js', { headers: { 'If-None-Match': br.headers.etag as string } });
    assert.equal(plain.status, 200);
    assert.equal(plain.body, SCRIPT);
  });

  test('HEAD says how the body would come, with no body', async () => {
    const res = await site.request('/app.js', { method: 'HEAD', headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.ok(Number(res.headers['content-length']) > 0);
    assert.equal(res.bytes.length, 0);
  });

  test('a large file is compressed as it streams (no Content-Length), and arrives whole', async () => {
    const res = await site.request('/bundle.js', { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(res.headers['content-length'], undefined);
    assert.equal(decode('br', res.bytes).toString(), BUNDLE);
  });

  test('after the file changes, the compressed answer is of the new text', async () => {
    await sleep(1_100); // long enough to be cached (see cache.test.ts)
    for (let i = 0; i < 2; i++) await site.request('/changing.js', { headers: { 'Accept-Encoding': 'br' } });
    const changed = SCRIPT.replace(/42/g, '43');
    await writeFile(path.join(site.root, 'changing.js'), changed);
    const res = await site.request('/changing.js', { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(decode('br', res.bytes).toString(), changed);
  });
});

describe('compression off', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve({ 'app.js': SCRIPT }, { config: { compress: false } });
  });
  after(() => site?.close());

  test('the plain file, no Vary', async () => {
    const res = await site.request('/app.js', { headers: { 'Accept-Encoding': 'gzip, br' } });
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers.vary, undefined);
    assert.equal(res.body, SCRIPT);
  });
});

describe('precompressed siblings (app.js.br, app.js.gz)', () => {
  // Each sibling holds text of its own, so the test can tell which file was sent.
  const ORIGINAL = 'console.log("the original");\n'.repeat(40);
  const FROM_BR = 'console.log("from the .br sibling");\n'.repeat(40);
  const FROM_GZ = 'console.log("from the .gz sibling");\n'.repeat(40);
  const SECRET = 'PIER-SECRET-sibling';
  let site: ServedSite;
  before(async () => {
    site = await serve(
      {
        'pre.js': ORIGINAL,
        'pre.js.br': zlib.brotliCompressSync(FROM_BR),
        'pre.js.gz': zlib.gzipSync(FROM_GZ),
        'gz-only.js': ORIGINAL,
        'gz-only.js.gz': zlib.gzipSync(FROM_GZ),
        'evil.js': ORIGINAL,
        'evil.js.br': link('../outside/secret.br'),
      },
      { outside: { outside: { 'secret.br': zlib.brotliCompressSync(SECRET) } } },
    );
  });
  after(() => site?.close());

  test('the .br sibling for a client that takes brotli, with the original type and its own ETag', async () => {
    await sleep(1_100); // the second round is answered from the cache, the synchronous path
    for (let round = 0; round < 2; round++) {
      const res = await site.request('/pre.js', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], 'br');
      assert.match(res.headers['content-type'] ?? '', /javascript/);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.equal(zlib.brotliDecompressSync(res.bytes).toString(), FROM_BR, `round ${round}`);
      const again = await site.request('/pre.js', { headers: { 'Accept-Encoding': 'br', 'If-None-Match': res.headers.etag as string } });
      assert.equal(again.status, 304);
    }
  });

  test('the .gz sibling for gzip, and before compressing on the fly with brotli', async () => {
    const gz = await site.request('/pre.js', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gz.bytes).toString(), FROM_GZ);
    const only = await site.request('/gz-only.js', { headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(only.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(only.bytes).toString(), FROM_GZ);
  });

  test('no sibling for a Range, a client that takes neither, or with compression off', async () => {
    const ranged = await site.request('/pre.js', { headers: { 'Accept-Encoding': 'br', Range: 'bytes=0-6' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.body, ORIGINAL.slice(0, 7));
    const plain = await site.request('/pre.js');
    assert.equal(plain.body, ORIGINAL);
    const off = await serve({ 'pre.js': ORIGINAL, 'pre.js.br': zlib.brotliCompressSync(FROM_BR) }, { config: { compress: false } });
    try {
      const res = await off.request('/pre.js', { headers: { 'Accept-Encoding': 'br' } });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.body, ORIGINAL);
    } finally {
      await off.close();
    }
  });

  test('a sibling that is a link out of the folder is never sent', async () => {
    const res = await site.request('/evil.js', { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(res.status, 200);
    const body = res.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(res.bytes).toString() : res.body;
    assert.equal(body, ORIGINAL);
    assert.ok(!body.includes(SECRET));
  });
});
