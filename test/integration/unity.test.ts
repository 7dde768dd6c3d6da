/**
 * The unity preset: a Unity WebGL build's `.br` and `.gz` files are sent as
 * they are, with Content-Encoding and the type of the file inside, never
 * compressed again, with their own validators; without the preset they are
 * plain downloads as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';

import { READ_WHOLE_MAX } from '../../app/limits';
import { serve, type ServedSite } from '../helpers/serve';

const wasm = Buffer.from('0061736d0100000001070160027f7f017f030201000707010361646400000a09010700200020016a0b', 'hex');
const framework = Buffer.from('window.unityFramework = function () { return 1; };\n'.repeat(20));
const data = Buffer.concat([Buffer.from('UnityWebData1.0\0'), Buffer.alloc(4_000, 7)]);
// Larger than the in-memory limit even compressed (random bytes don't compress): streamed from its descriptor.
const bigData = randomBytes(READ_WHOLE_MAX * 3);
const symbols = Buffer.from(JSON.stringify({ symbols: ['main'] }));
const br = (bytes: Buffer) => zlib.brotliCompressSync(bytes);

const tree = {
  'index.html': '<!doctype html><title>game</title>',
  Build: {
    'game.loader.js': 'window.createUnityInstance = () => {};',
    'game.wasm.br': br(wasm),
    'game.framework.js.br': br(framework),
    'game.data.br': br(data),
    'game.symbols.json.br': br(symbols),
    'gz.wasm.gz': zlib.gzipSync(wasm),
    'gz.framework.js.gz': zlib.gzipSync(framework),
    'gz.data.gz': zlib.gzipSync(data),
    'big.data.br': br(bigData),
  },
  'backup.tar.gz': zlib.gzipSync(Buffer.from('not part of the build')),
};

/** Every file of the build: name, coding, type, what it decodes to. */
const coded = [
  ['/Build/game.wasm.br', 'br', 'application/wasm', wasm],
  ['/Build/game.framework.js.br', 'br', 'text/javascript; charset=utf-8', framework],
  ['/Build/game.data.br', 'br', 'application/octet-stream', data],
  ['/Build/game.symbols.json.br', 'br', 'application/json; charset=utf-8', symbols],
  ['/Build/gz.wasm.gz', 'gzip', 'application/wasm', wasm],
  ['/Build/gz.framework.js.gz', 'gzip', 'text/javascript; charset=utf-8', framework],
  ['/Build/gz.data.gz', 'gzip', 'application/octet-stream', data],
  ['/Build/big.data.br', 'br', 'application/octet-stream', bigData],
] as const;

const decode = (coding: string, bytes: Buffer) => (coding === 'br' ? zlib.brotliDecompressSync(bytes) : zlib.gunzipSync(bytes));
const ACCEPT = { 'accept-encoding': 'gzip, deflate, br, zstd' };

describe('the unity preset', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, { config: { presets: ['unity'] } });
  });
  after(() => site?.close());

  test('each compressed file: Content-Encoding, the inner type, Vary, its own bytes', async () => {
    for (const [target, coding, type, inner] of coded) {
      // Twice: the first read from disk, the second (when small enough) from the cache.
      for (const round of [1, 2]) {
        const res = await site.request(target, { headers: ACCEPT });
        const label = `${target} (${round})`;
        assert.equal(res.status, 200, label);
        assert.equal(res.headers['content-encoding'], coding, label);
        assert.equal(res.headers['content-type'], type, label);
        assert.equal(res.headers.vary, 'Accept-Encoding', label);
        assert.equal(Number(res.headers['content-length']), res.bytes.length, label);
        assert.ok(decode(coding, res.bytes).equals(inner), `${label} decodes to the file inside (compressed once, not twice)`);
      }
    }
  });

  test('entity tags with the coding in them, 304 on a match, HEAD with the same head', async () => {
    for (const [target, coding] of coded) {
      const res = await site.request(target, { headers: ACCEPT });
      const etag = String(res.headers.etag);
      assert.match(etag, new RegExp(`-${coding}"$`), target);
      const again = await site.request(target, { headers: { ...ACCEPT, 'if-none-match': etag } });
      assert.equal(again.status, 304, target);
      assert.equal(again.headers.etag, etag, target);
      const head = await site.request(target, { method: 'HEAD', headers: ACCEPT });
      assert.equal(head.headers['content-length'], res.headers['content-length'], target);
      assert.equal(head.headers['content-encoding'], coding, target);
      assert.equal(head.bytes.length, 0, target);
    }
  });

  test('a Range gets the whole coded file (ranges of coded bytes are not what a loader means)', async () => {
    const res = await site.request('/Build/game.data.br', { headers: { ...ACCEPT, range: 'bytes=0-3' } });
    assert.equal(res.status, 200);
    assert.ok(decode('br', res.bytes).equals(data));
  });

  test('other files are as without the preset', async () => {
    const loader = await site.request('/Build/game.loader.js', { headers: ACCEPT });
    assert.equal(loader.headers['content-encoding'], undefined);
    assert.match(String(loader.headers['content-type']), /^text\/javascript/);
    // Not a kind of file Unity compresses: a download, saved as it is, not unpacked by the browser.
    const archive = await site.request('/backup.tar.gz', { headers: ACCEPT });
    assert.equal(archive.status, 200);
    assert.equal(archive.headers['content-encoding'], undefined);
    assert.equal(archive.headers['content-type'], 'application/gzip');
  });
});

describe('with compression off too', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, { config: { presets: ['unity'], compress: false } });
  });
  after(() => site?.close());

  test('a coded file is still sent as coded: it has no other form', async () => {
    const res = await site.request('/Build/game.wasm.br', { headers: ACCEPT });
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(res.headers['content-type'], 'application/wasm');
  });
});

describe('without the preset', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree);
  });
  after(() => site?.close());

  test('.br and .gz files are plain downloads, as before', async () => {
    const wasmBr = await site.request('/Build/game.wasm.br', { headers: ACCEPT });
    assert.equal(wasmBr.headers['content-encoding'], undefined);
    assert.notEqual(wasmBr.headers['content-type'], 'application/wasm');
    assert.ok(wasmBr.bytes.equals(br(wasm)));
    const gz = await site.request('/Build/gz.data.gz', { headers: ACCEPT });
    assert.equal(gz.headers['content-encoding'], undefined);
    assert.equal(gz.headers['content-type'], 'application/gzip');
  });
});
