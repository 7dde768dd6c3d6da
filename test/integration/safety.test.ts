/**
 * What a stranger can get out of a Pier server: nothing outside the root, no
 * dotfiles, only GET and HEAD, and no way to hold or crash the server.
 * Attack paths are sent byte for byte (raw http.request / net.Socket), never
 * through fetch, which would normalize them into harmless ones.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, openSync, closeSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { fifo, link, rawExchange, rawStatus, serve, type ServedSite } from '../helpers/serve';

// Every private file holds this marker; no response body may ever contain it.
const SECRET = 'PIER-SECRET-7f3a9c';

const tree = {
  'index.html': '<h1>home</h1>',
  'hello.txt': 'hello',
  '.env': `${SECRET}-env`,
  '.ENV': `${SECRET}-ENV`,
  '.hidden': { 'notes.txt': `${SECRET}-hidden` },
  '.git': { config: `${SECRET}-git`, HEAD: `${SECRET}-head` },
  '.well-known': { 'security.txt': 'Contact: mailto:security@example.com' },
  sub: { 'a.txt': 'a', '.secret': `${SECRET}-sub` },
  'evil.example': { 'page.txt': 'page' },
  // Symlinks leading out of the root: a file and a folder.
  'linkfile.txt': link('../secret.txt'),
  linkdir: link('../outside'),
  // Symlinks that stay inside: one to a public file, some to private ones.
  'alias.txt': link('hello.txt'),
  'envlink.txt': link('.env'),
  gitlink: link('.git'),
  hiddenlink: link('.hidden'),
  // Things that have made servers hang or fail: a self-referencing link, a named pipe.
  loop: link('loop'),
  pipe: fifo(),
  'pipelink.txt': link('pipe'),
  // A folder whose index.html is a link out: `/leaky/` must not open it.
  leaky: { 'index.html': link('../../secret.txt') },
  'big.bin': Buffer.alloc(8 * 1024 * 1024, 0x61),
};
const outside = {
  'secret.txt': `${SECRET}-parent`,
  outside: { 'secret.txt': `${SECRET}-outside`, 'index.html': `${SECRET}-outside-index` },
};

let site: ServedSite;
const requestErrors: unknown[] = [];

before(async () => {
  site = await serve(tree, { outside });
  site.instance.on('requestError', (error) => requestErrors.push(error));
});
after(async () => {
  if (!site) return; // before() failed and said why
  // If a request is stuck opening the FIFO (the bug the FIFO test guards
  // against), give it a writer so its thread comes free and the process can exit.
  try {
    closeSync(openSync(path.join(site.root, 'pipe'), constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: nobody is reading the pipe, which is the healthy case.
  }
  await site.close();
});

/** A plain request to a public file works: the server is alive and well. */
async function assertStillServing(): Promise<void> {
  const res = await site.request('/hello.txt');
  assert.equal(res.status, 200);
  assert.equal(res.body, 'hello');
}

describe('files outside the root are never served', () => {
  // [raw request target, expected status]
  const corpus: Array<[string, number]> = [
    ['/../secret.txt', 400],
    ['/../../secret.txt', 400],
    ['/sub/../../secret.txt', 400],
    ['/%2e%2e/secret.txt', 400],
    ['/%2E%2E%2Fsecret.txt', 400],
    ['/%252e%252e/secret.txt', 404], // decoded once: the literal name "%2e%2e"
    ['/%252e%252e%252fsecret.txt', 404],
    ['/..%2fsecret.txt', 400],
    ['/..%2Fsecret.txt', 400],
    ['/..%5csecret.txt', 400],
    ['/..%5Csecret.txt', 400],
    ['/..\\secret.txt', 400],
    ['/%c0%ae%c0%ae/secret.txt', 400], // overlong UTF-8 for "."
    ['/%c0%af..%c0%afsecret.txt', 400],
    ['/.%2e/secret.txt', 400],
    ['/%2e./secret.txt', 400],
    ['/./hello.txt', 400],
    ['//secret.txt', 404],
    ['///secret.txt', 404],
    ['/secret.txt', 404],
    ['/hello.txt%00', 400],
    ['/hello.txt%00.html', 400],
    ['/%00../secret.txt', 400],
    ['/linkfile.txt', 404],
    ['/linkdir/secret.txt', 404],
    ['/linkdir/', 404],
    ['/leaky/', 404],
    ['/leaky/index.html', 404],
    ['/linkdir', 404],
    ['/linkdir/%2e%2e/secret.txt', 400],
    ['/hello.txt?../../secret.txt', 200],
  ];
  for (const [target, status] of corpus) {
    test(`GET ${target} → ${status}, no secret`, async () => {
      const res = await site.request(target);
      assert.equal(res.status, status);
      assert.ok(!res.body.includes(SECRET), `leaked: ${res.body.slice(0, 200)}`);
    });
  }

  test('request targets Node would refuse to send are refused by the server too', async () => {
    for (const line of [
      'GET ../secret.txt HTTP/1.1',
      'GET http://127.0.0.1/../secret.txt HTTP/1.1',
      'GET /..\\..\\secret.txt HTTP/1.1',
      'GET /hello.txt\0/../../secret.txt HTTP/1.1',
      'GET * HTTP/1.1',
    ]) {
      const { text } = await rawExchange(site.port, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.equal(rawStatus(text), 400, line);
      assert.ok(!text.includes(SECRET), line);
    }
  });

  test('a symlinked folder leading outside is not served, listed, or shown in the root listing', async () => {
    // A check of the last path segment alone would let /linkdir/secret.txt
    // through; the guard asks where the opened file really is.
    assert.equal((await site.request('/linkdir/secret.txt')).status, 404);
    assert.equal((await site.request('/linkdir/')).status, 404);
    // `site` has an index.html; the root listing needs a folder without one.
    const noIndex = await serve({ 'a.txt': 'a', linkdir: link('../outside'), 'linkfile.txt': link('../secret.txt') }, { outside });
    try {
      for (const accept of ['text/html', 'application/json']) {
        const res = await noIndex.request('/', { headers: { Accept: accept } });
        assert.equal(res.status, 200);
        assert.match(res.body, /a\.txt/);
        assert.doesNotMatch(res.body, /linkdir/);
        assert.doesNotMatch(res.body, /linkfile/);
      }
    } finally {
      await noIndex.close();
    }
  });

  test('a symlink to a file inside the root is served', async () => {
    const res = await site.request('/alias.txt');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello');
  });
});

describe('dotfiles and dot-folders are never served or listed', () => {
  const hidden = [
    '/.env',
    '/.ENV',
    '/%2eenv',
    '/%2Eenv',
    '/.env?x=1',
    '/.git/config',
    '/.git/HEAD',
    '/.git/',
    '/.git',
    '/%2egit/config',
    '/.hidden',
    '/.hidden/',
    '/.hidden/notes.txt',
    '/sub/.secret',
    '/sub/%2esecret',
    // Symlinks inside the root that lead to private files or folders.
    '/envlink.txt',
    '/gitlink',
    '/gitlink/',
    '/gitlink/config',
    '/gitlink/HEAD',
    '/hiddenlink/notes.txt',
  ];
  for (const target of hidden) {
    test(`GET ${target} → 404, no secret`, async () => {
      const res = await site.request(target);
      assert.equal(res.status, 404);
      assert.equal(res.headers.location, undefined);
      assert.ok(!res.body.includes(SECRET), `leaked: ${res.body.slice(0, 200)}`);
    });
  }

  test('HEAD on a dotfile is a 404 too', async () => {
    const res = await site.request('/.env', { method: 'HEAD' });
    assert.equal(res.status, 404);
  });

  test('folder listings never mention dotfiles or dot-folders', async () => {
    const noIndex = await serve({ 'a.txt': 'a', '.env': SECRET, '.git': { config: SECRET }, '.hidden': {}, sub: { 'b.txt': 'b', '.secret': SECRET, '.hidden': {} } });
    try {
      for (const [target, visible] of [['/', 'a.txt'], ['/sub/', 'b.txt']] as const) {
        for (const accept of ['text/html', 'application/json']) {
          const res = await noIndex.request(target, { headers: { Accept: accept } });
          assert.equal(res.status, 200, `${target} ${accept}`);
          assert.ok(res.body.includes(visible), `${target} ${accept} lists ${visible}`);
          for (const name of ['.env', '.git', '.hidden', '.secret']) {
            assert.ok(!res.body.includes(name), `${target} (${accept}) mentions ${name}`);
          }
        }
      }
    } finally {
      await noIndex.close();
    }
  });

  test('/.well-known/ is the one dot-folder that is served', async () => {
    const res = await site.request('/.well-known/security.txt');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'Contact: mailto:security@example.com');
  });
});

describe('methods', () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    test(`${method} → 405 with Allow: GET, HEAD`, async () => {
      const res = await site.request('/hello.txt', { method, body: method === 'DELETE' || method === 'OPTIONS' ? undefined : 'x' });
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'GET, HEAD');
      assert.ok(!res.body.includes('hello'));
    });
  }

  test('HEAD → 200 with the headers of GET and no body', async () => {
    const res = await site.request('/hello.txt', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '5');
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    assert.equal(res.bytes.length, 0);
  });
});

describe('malformed requests and redirects', () => {
  test('a malformed escape → 400, and the server answers the next request', async () => {
    const res = await site.request('/%E0%A4%A');
    assert.equal(res.status, 400);
    await assertStillServing();
  });

  test('garbage on the wire → 400, and the server answers the next request', async () => {
    const { text } = await rawExchange(site.port, 'THIS IS NOT HTTP\r\n\r\n');
    assert.equal(rawStatus(text), 400);
    const bad = await rawExchange(site.port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    assert.equal(rawStatus(bad.text), 400);
    await assertStillServing();
  });

  test('a folder without its slash → 301 to the same path with one', async () => {
    const res = await site.request('/sub?x=1');
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/sub/?x=1');
  });

  test('leading double slashes never redirect to another host', async () => {
    for (const target of ['//sub', '///sub', '//evil.example', '//evil.example/', '/%2F%2Fevil.example', '//evil.example/page.txt']) {
      const res = await site.request(target);
      const location = res.headers.location;
      if (location !== undefined) {
        assert.ok(location.startsWith('/') && !location.startsWith('//'), `${target} → Location ${location}`);
        // Resolved against our own origin it stays on our own origin.
        assert.equal(new URL(location, 'http://127.0.0.1:1/').host, '127.0.0.1:1', `${target} → ${location}`);
      }
      assert.ok(res.status < 500, `${target} → ${res.status}`);
    }
    assert.equal((await site.request('//sub')).headers.location, '/sub/');
  });
});

describe('slow and misbehaving clients', () => {
  test('a client that never finishes its request is cut off (408), while others are served', async () => {
    const started = Date.now();
    const partialLine = rawExchange(site.port, 'GET /hel', 15_000);
    const partialHeaders = rawExchange(site.port, 'GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n', 15_000);
    const silent = rawExchange(site.port, '', 15_000);
    // Meanwhile everyone else is served as usual.
    for (let i = 0; i < 5; i++) await assertStillServing();
    for (const slow of [partialLine, partialHeaders, silent]) {
      const { text, closedByServer } = await slow;
      assert.ok(closedByServer, 'the server closed the connection');
      assert.equal(rawStatus(text), 408);
    }
    // Headers are due within 10 s (checked every second): cut off in 10–12 s, not never.
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 9_000 && elapsed < 14_000, `cut off after ${elapsed} ms`);
  });

  test('a client that aborts a large download mid-way does not disturb the server', async () => {
    const aborted = await new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: site.port, path: '/big.bin', agent: false }, (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= 64 * 1024) req.destroy();
        });
        res.on('error', () => {
          // Expected: we cut our own connection.
        });
        req.on('close', () => resolve(received));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
    });
    assert.ok(aborted < 8 * 1024 * 1024);
    await assertStillServing();
    const whole = await site.request('/big.bin');
    assert.equal(whole.status, 200);
    assert.equal(whole.bytes.length, 8 * 1024 * 1024);
  });

  test('a socket closed right after sending a request does not disturb the server', async () => {
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port: site.port }, () => {
          socket.end('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
          socket.destroy();
          resolve();
        });
      });
    }
    await assertStillServing();
  });

  test('a symlink loop → 404, and nothing is reported as a server bug', async () => {
    const before = requestErrors.length;
    for (const target of ['/loop', '/loop/', '/loop/x.txt']) {
      const res = await site.request(target);
      assert.equal(res.status, 404, target);
    }
    assert.equal(requestErrors.length, before, String(requestErrors[before]));
    await assertStillServing();
  });

  test('a path too long for the file system → 404, and nothing is reported as a server bug', async () => {
    const before = requestErrors.length;
    for (const target of [`/${'a'.repeat(300)}`, `/${'a'.repeat(300)}.txt`, `/${'abcdefgh/'.repeat(600)}x.txt`]) {
      const res = await site.request(target);
      assert.equal(res.status, 404, `${target.length} chars`);
    }
    assert.equal(requestErrors.length, before, String(requestErrors[before]));
    await assertStillServing();
  });

  test('a named pipe (FIFO) in the folder is a 404, not a request that hangs', async () => {
    // Opening a FIFO blocks until a writer appears; a server that tries ties up
    // a thread of Node's small file-system pool per request, and with four of
    // them no file is served any more.
    for (const target of ['/pipe', '/pipelink.txt']) {
      const res = await site.request(target, { timeoutMs: 2_000 });
      assert.equal(res.status, 404, target);
    }
    const listing = await serve({ 'a.txt': 'a', pipe: fifo() });
    try {
      const res = await listing.request('/');
      assert.match(res.body, /a\.txt/);
      assert.doesNotMatch(res.body, /pipe/);
    } finally {
      await listing.close();
    }
    await assertStillServing();
  });

  test('a file deleted or replaced while being requested never takes the server down', async () => {
    // Race real requests against a writer that keeps deleting and recreating the file.
    const file = path.join(site.root, 'flaky.txt');
    let racing = true;
    const churn = (async () => {
      while (racing) {
        await writeFile(file, 'x'.repeat(1000));
        await unlink(file).catch(() => undefined);
      }
    })();
    const statuses = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const res = await site.request('/flaky.txt').catch(() => null);
      if (res) statuses.add(res.status);
    }
    racing = false;
    await churn;
    for (const status of statuses) assert.ok(status === 200 || status === 404, `status ${status}`);
    await assertStillServing();
  });
});
