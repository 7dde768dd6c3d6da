/**
 * Each per-server option, as a browser sees it: status codes, bodies, headers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';

import { TlsStore } from '../../app/tls';
import { request, serve, tempDir, type ServedSite, type ServeOptions } from '../helpers/serve';

const INDEX = '<!doctype html><title>home</title><h1>home</h1>';
const DOCS = '<!doctype html><title>docs</title><h1>docs</h1>';
const PAGE = '<!doctype html><title>page</title><h1>page</h1>';

const tree = {
  'index.html': INDEX,
  'page.html': PAGE,
  'app.js': 'console.log("app");',
  'data.txt': '0123456789abcdef',
  docs: { 'index.html': DOCS, 'guide.txt': 'guide' },
  sub: { 'a.txt': 'a', 'b.txt': 'b' },
};

/** Serve `tree` with these options for the tests of one describe block. */
function site(config: ServeOptions['config'], extra: Partial<typeof tree> & Record<string, unknown> = {}): () => ServedSite {
  let served: ServedSite | undefined;
  before(async () => {
    served = await serve({ ...tree, ...(extra as object) }, { config });
  });
  after(() => served?.close());
  return () => {
    if (!served) throw new Error('the server is not running');
    return served;
  };
}

describe('directory listing', () => {
  describe('on (default)', () => {
    const s = site({});
    test('a folder without index.html lists its files', async () => {
      const res = await s().request('/sub/');
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /^text\/html/);
      assert.match(res.body, /a\.txt/);
      assert.match(res.body, /b\.txt/);
    });
    test('the root serves its index.html, not a listing', async () => {
      const res = await s().request('/');
      assert.equal(res.status, 200);
      assert.equal(res.body, INDEX);
    });
  });

  describe('off', () => {
    const s = site({ listing: false });
    test('a folder without index.html is a 404', async () => {
      const res = await s().request('/sub/');
      assert.equal(res.status, 404);
      assert.doesNotMatch(res.body, /a\.txt/);
    });
    test('files in it are still served', async () => {
      assert.equal((await s().request('/sub/a.txt')).body, 'a');
    });
    test('the root still serves its index.html', async () => {
      const res = await s().request('/');
      assert.equal(res.status, 200);
      assert.equal(res.body, INDEX);
    });
    test('a folder with index.html still serves it', async () => {
      const res = await s().request('/docs/');
      assert.equal(res.status, 200);
      assert.equal(res.body, DOCS);
    });
  });
});

describe('folder index', () => {
  const s = site({});
  test('/docs/ serves docs/index.html', async () => {
    const res = await s().request('/docs/');
    assert.equal(res.status, 200);
    assert.equal(res.body, DOCS);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
  });
  test('/docs → 301 to /docs/ (so relative links work)', async () => {
    const res = await s().request('/docs');
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/docs/');
  });
});

describe('SPA fallback', () => {
  describe('on', () => {
    const s = site({ spa: true });
    for (const route of ['/settings', '/users/42/edit', '/settings?tab=2']) {
      test(`${route} → 200 with index.html`, async () => {
        const res = await s().request(route);
        assert.equal(res.status, 200);
        assert.equal(res.body, INDEX);
        assert.match(res.headers['content-type'] ?? '', /^text\/html/);
      });
    }
    test('a missing file with an extension is still a 404', async () => {
      const res = await s().request('/missing.png');
      assert.equal(res.status, 404);
      assert.notEqual(res.body, INDEX);
    });
    test('existing files are served as themselves', async () => {
      const res = await s().request('/app.js');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'console.log("app");');
      assert.match(res.headers['content-type'] ?? '', /javascript/);
      assert.equal((await s().request('/docs/')).body, DOCS);
    });
  });

  describe('off', () => {
    const s = site({});
    test('an unknown route is a 404', async () => {
      assert.equal((await s().request('/settings')).status, 404);
    });
  });
});

describe('clean URLs', () => {
  describe('off (default)', () => {
    const s = site({});
    test('/page.html is served as written', async () => {
      const res = await s().request('/page.html');
      assert.equal(res.status, 200);
      assert.equal(res.body, PAGE);
    });
    test('/page is a 404', async () => {
      assert.equal((await s().request('/page')).status, 404);
    });
  });

  describe('on', () => {
    const s = site({ cleanUrls: true });
    test('/page serves page.html', async () => {
      const res = await s().request('/page');
      assert.equal(res.status, 200);
      assert.equal(res.body, PAGE);
    });
    test('/page.html → 301 to /page', async () => {
      const res = await s().request('/page.html');
      assert.equal(res.status, 301);
      assert.equal(res.headers.location, '/page');
    });
  });
});

describe('CORS', () => {
  describe('on', () => {
    const s = site({ cors: true });
    test('Access-Control-Allow-Origin: * on a 200 and on a 404', async () => {
      const found = await s().request('/data.txt', { headers: { Origin: 'http://example.com' } });
      assert.equal(found.status, 200);
      assert.equal(found.headers['access-control-allow-origin'], '*');
      const missing = await s().request('/nope.txt', { headers: { Origin: 'http://example.com' } });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['access-control-allow-origin'], '*');
    });
    test('a preflight OPTIONS → 204 with the allowed methods and the asked-for headers', async () => {
      const res = await s().request('/data.txt', {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://example.com',
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'x-requested-with',
        },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['access-control-allow-methods'], 'GET, HEAD, OPTIONS');
      assert.equal(res.headers['access-control-allow-headers'], 'x-requested-with');
      assert.equal(res.bytes.length, 0);
    });
    test('other methods → 405 that names OPTIONS as allowed', async () => {
      const res = await s().request('/data.txt', { method: 'POST', body: 'x' });
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
    });
  });

  describe('off (default)', () => {
    const s = site({});
    test('no Access-Control-Allow-Origin header, and OPTIONS is a 405', async () => {
      const res = await s().request('/data.txt', { headers: { Origin: 'http://example.com' } });
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal((await s().request('/data.txt', { method: 'OPTIONS' })).status, 405);
    });
  });
});

describe('caching', () => {
  describe('revalidate (default)', () => {
    const s = site({}, { 'etag.txt': 'version-1' });

    test('files carry Cache-Control: no-cache, a strong ETag and Last-Modified', async () => {
      const res = await s().request('/data.txt');
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-cache');
      // Strong, so that If-Range can resume a download (a weak tag never matches there).
      assert.match(res.headers.etag ?? '', /^"[^"]+"$/);
      assert.ok(!Number.isNaN(Date.parse(res.headers['last-modified'] ?? '')));
    });

    test('If-None-Match with the ETag → 304 with an empty body', async () => {
      const first = await s().request('/data.txt');
      const etag = first.headers.etag as string;
      const res = await s().request('/data.txt', { headers: { 'If-None-Match': etag } });
      assert.equal(res.status, 304);
      assert.equal(res.bytes.length, 0);
      assert.equal(res.headers.etag, etag);
      // Also in a list, and with a weak prefix (If-None-Match compares weakly).
      const listed = await s().request('/data.txt', { headers: { 'If-None-Match': `"other", W/${etag}` } });
      assert.equal(listed.status, 304);
      const stale = await s().request('/data.txt', { headers: { 'If-None-Match': 'W/"stale"' } });
      assert.equal(stale.status, 200);
      assert.equal(stale.body, '0123456789abcdef');
    });

    test('If-Modified-Since with Last-Modified → 304; an older date → 200', async () => {
      const first = await s().request('/data.txt');
      const lastModified = first.headers['last-modified'] as string;
      const res = await s().request('/data.txt', { headers: { 'If-Modified-Since': lastModified } });
      assert.equal(res.status, 304);
      assert.equal(res.bytes.length, 0);
      const older = new Date(Date.parse(lastModified) - 60_000).toUTCString();
      const changed = await s().request('/data.txt', { headers: { 'If-Modified-Since': older } });
      assert.equal(changed.status, 200);
      assert.equal(changed.body, '0123456789abcdef');
    });

    test('after the file changes (same size) → 200 with the new content and a new ETag', async () => {
      const first = await s().request('/etag.txt');
      assert.equal(first.body, 'version-1');
      const etag = first.headers.etag as string;
      // File timestamps come from a coarse kernel clock: let it tick.
      await sleep(30);
      await writeFile(path.join(s().root, 'etag.txt'), 'version-2');
      const res = await s().request('/etag.txt', { headers: { 'If-None-Match': etag } });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'version-2');
      assert.ok(res.headers.etag);
      assert.notEqual(res.headers.etag, etag);
      const again = await s().request('/etag.txt', { headers: { 'If-None-Match': res.headers.etag } });
      assert.equal(again.status, 304);
    });

    test('a Range request with a matching ETag → 304 (If-None-Match is evaluated first)', async () => {
      const first = await s().request('/data.txt');
      const res = await s().request('/data.txt', { headers: { Range: 'bytes=0-3', 'If-None-Match': first.headers.etag as string } });
      assert.equal(res.status, 304);
      assert.equal(res.bytes.length, 0);
    });
  });

  describe('no-store', () => {
    const s = site({ caching: 'no-store' });
    test('Cache-Control: no-store, and no ETag or Last-Modified to revalidate with', async () => {
      for (const target of ['/data.txt', '/', '/sub/', '/nope.txt']) {
        const res = await s().request(target);
        assert.equal(res.headers['cache-control'], 'no-store', target);
        assert.equal(res.headers.etag, undefined, target);
        assert.equal(res.headers['last-modified'], undefined, target);
      }
    });
  });

  describe('max-age', () => {
    const s = site({ caching: 'max-age' });
    test('Cache-Control: public, max-age=3600 with validators', async () => {
      const res = await s().request('/data.txt');
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'public, max-age=3600');
      assert.ok(res.headers.etag);
    });
    test('listings and error pages are still revalidated', async () => {
      assert.equal((await s().request('/sub/')).headers['cache-control'], 'no-cache');
      assert.equal((await s().request('/nope.txt')).headers['cache-control'], 'no-cache');
    });
  });
});

describe('custom headers', () => {
  const s = site({
    headers: [
      { name: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
      { name: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
      { name: 'Cache-Control', value: 'public, max-age=60' },
    ],
  });
  for (const [target, status] of [['/app.js', 200], ['/', 200], ['/sub/', 200], ['/nope.txt', 404], ['/docs', 301]] as const) {
    test(`on ${target} (${status})`, async () => {
      const res = await s().request(target);
      assert.equal(res.status, status);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
      assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp');
    });
  }
  test('a custom Cache-Control overrides the caching option', async () => {
    const res = await s().request('/app.js');
    assert.equal(res.headers['cache-control'], 'public, max-age=60');
  });
});

describe('custom 404 page', () => {
  const NOT_FOUND = '<!doctype html><h1>Nothing here, sorry</h1>';
  const s = site({}, { '404.html': NOT_FOUND });
  test('a missing file gets the root 404.html with status 404', async () => {
    for (const target of ['/nope.txt', '/sub/nope/', '/.env']) {
      const res = await s().request(target);
      assert.equal(res.status, 404, target);
      assert.equal(res.body, NOT_FOUND, target);
    }
  });
});

describe('ranges', () => {
  const s = site({});
  test('bytes=2-5 → 206 with exactly those bytes', async () => {
    const res = await s().request('/data.txt', { headers: { Range: 'bytes=2-5' } });
    assert.equal(res.status, 206);
    assert.equal(res.body, '2345');
    assert.equal(res.headers['content-range'], 'bytes 2-5/16');
    assert.equal(res.headers['content-length'], '4');
  });
  test('a suffix range → the last bytes', async () => {
    const res = await s().request('/data.txt', { headers: { Range: 'bytes=-3' } });
    assert.equal(res.status, 206);
    assert.equal(res.body, 'def');
  });
  test('a range past the end → 416', async () => {
    const res = await s().request('/data.txt', { headers: { Range: 'bytes=100-200' } });
    assert.equal(res.status, 416);
    assert.equal(res.headers['content-range'], 'bytes */16');
  });
});

describe('password', () => {
  const s = site({ auth: { username: 'ada', password: 'p:ss wörd' } });
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;

  test('no credentials → 401 asking for Basic auth, and no content', async () => {
    const res = await s().request('/data.txt');
    assert.equal(res.status, 401);
    assert.match(res.headers['www-authenticate'] ?? '', /^Basic realm=/);
    assert.doesNotMatch(res.body, /0123456789/);
  });
  test('wrong credentials → 401', async () => {
    for (const header of [basic('ada', 'wrong'), basic('bob', 'p:ss wörd'), basic('ada', ''), 'Basic !!!', 'Bearer x', basic('ada', 'p')]) {
      const res = await s().request('/data.txt', { headers: { Authorization: header } });
      assert.equal(res.status, 401, header);
      assert.doesNotMatch(res.body, /0123456789/);
    }
  });
  test('the right credentials → 200', async () => {
    const res = await s().request('/data.txt', { headers: { Authorization: basic('ada', 'p:ss wörd') } });
    assert.equal(res.status, 200);
    assert.equal(res.body, '0123456789abcdef');
  });
  test('listings and 404s are behind the password too', async () => {
    assert.equal((await s().request('/sub/')).status, 401);
    assert.equal((await s().request('/nope.txt')).status, 401);
  });
});

describe('HTTPS', () => {
  let served: ServedSite;
  let tlsDir: string;
  before(async () => {
    tlsDir = await tempDir('pier-it-tls-');
    served = await serve(tree, { config: { https: true }, instance: { tls: new TlsStore(tlsDir) } });
  });
  after(async () => {
    await served.close();
    await rm(tlsDir, { recursive: true, force: true });
  });

  test('the URL says https', () => {
    assert.equal(served.url, `https://127.0.0.1:${served.port}/`);
  });

  test('a request over TLS → 200, with a certificate for 127.0.0.1 and localhost', async () => {
    const { status, body, san } = await new Promise<{ status: number; body: string; san: string }>((resolve, reject) => {
      const req = https.get(
        { host: '127.0.0.1', port: served.port, path: '/data.txt', rejectUnauthorized: false, agent: false },
        (res) => {
          const san = (res.socket as TLSSocket).getPeerCertificate().subjectaltname ?? '';
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, san }));
        },
      );
      req.on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(body, '0123456789abcdef');
    const names = san.split(', ');
    assert.ok(names.includes('IP Address:127.0.0.1'), san);
    assert.ok(names.includes('DNS:localhost'), san);
  });

  test('plain HTTP on the HTTPS port gets no file', async () => {
    const res = await request(served.port, '/data.txt').catch(() => null);
    if (res) assert.notEqual(res.body, '0123456789abcdef');
  });
});

describe('file bodies and types (the direct file path)', () => {
  // 64 KB is where the engine switches from one read to a stream: test both sides and the edge.
  const sizes = [0, 1, 64 * 1024, 64 * 1024 + 1, 3 * 1024 * 1024 + 7];
  const blob = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) % 251));
  const files = Object.fromEntries(sizes.map((n) => [`blob-${n}.bin`, blob(n)]));
  const s = site({}, {
    ...files,
    'style.css': 'body{}',
    'module.mjs': 'export {};',
    'game.wasm': Buffer.from([0, 97, 115, 109]),
    'data.json': '{}',
    'picture.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'photo.avif': Buffer.from('....ftypavif'),
    NOTICE: 'no extension',
  });
  for (const n of sizes) {
    test(`a ${n}-byte file arrives byte for byte with its Content-Length`, async () => {
      const res = await s().request(`/blob-${n}.bin`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-length'], String(n));
      assert.ok(res.bytes.equals(blob(n)), 'same bytes');
      const head = await s().request(`/blob-${n}.bin`, { method: 'HEAD' });
      assert.equal(head.headers['content-length'], String(n));
      assert.equal(head.bytes.length, 0);
    });
  }
  test('a ranged request gets the same Content-Type as a whole one', async () => {
    for (const file of ['/app.js', '/picture.svg', '/photo.avif', '/blob-65537.bin']) {
      const whole = await s().request(file);
      const part = await s().request(file, { headers: { Range: 'bytes=0-1' } });
      assert.equal(part.status, 206, file);
      assert.ok(whole.headers['content-type'], file);
      assert.equal(part.headers['content-type'], whole.headers['content-type'], file);
    }
  });
  test('content types come from the file name, as browsers need for modules and wasm', async () => {
    const types: Record<string, RegExp> = {
      '/style.css': /^text\/css/,
      '/app.js': /^(text|application)\/javascript/,
      '/module.mjs': /^(text|application)\/javascript/,
      '/game.wasm': /^application\/wasm$/,
      '/data.json': /^application\/json/,
      '/picture.svg': /^image\/svg\+xml/,
      '/index.html': /^text\/html/,
      '/blob-1.bin': /^application\/octet-stream$/,
    };
    for (const [file, type] of Object.entries(types)) {
      const res = await s().request(file);
      assert.equal(res.status, 200, file);
      assert.match(String(res.headers['content-type']), type, file);
    }
  });
});
