/**
 * Live reload: which responses get the client and what that does to their
 * length, entity tag, 304s, compression and ranges; the event stream
 * (`/.pier/live`) and its debouncing, password, HTTPS, bounds and lifecycle;
 * and `/.pier/` never coming from disk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';

import { LIVE_RELOAD_MAX_CLIENTS, READ_WHOLE_MAX } from '../../app/limits';
import { LiveReload, type FolderWatcher } from '../../app/live-reload';
import { PierResponse } from '../../app/pier-response';
import { TlsStore } from '../../app/tls';
import { serve, testConfig, type ServedSite } from '../helpers/serve';
import { openEvents, type EventStream } from './live-reload-events';

const TAG = '<script src="/.pier/live.js" data-pier-watch=';
const page = (title: string, filler = '') => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${filler}</body></html>\n`;
const bigHtml = page('big', '<p>lorem ipsum dolor sit amet</p>\n'.repeat(Math.ceil((READ_WHOLE_MAX * 2) / 34)));

const tree = {
  'index.html': page('home', '<p>padding so that compression applies</p>'.repeat(20)),
  'no-body.html': '<p>a fragment without a body tag',
  'style.css': 'h1 { color: red }\n'.repeat(30),
  'data.json': '{"a":1}',
  'notes.txt': 'plain text </body>',
  'big.html': bigHtml,
  'pre.html': page('pre'),
  'pre.html.br': zlib.brotliCompressSync(Buffer.from(page('precompressed, without the client'))),
  '404.html': page('not here'),
  sub: { 'a.txt': 'a' },
  '.pier': { live: 'a file named .pier/live', 'live.js': 'a file named .pier/live.js' },
};

const eventsOf = (stream: EventStream, name: string) => stream.events.filter((e) => e.event === name);
const changed = (stream: EventStream) => eventsOf(stream, 'change').map((e) => JSON.parse(e.data).paths as string[] | null);

/** Open descriptors of this process (Linux). */
const descriptors = () => readdirSync('/proc/self/fd').length;
/** Open fs.watch handles (inotify watches share one descriptor, so they are counted apart). */
const watchHandles = () => process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;

describe('live reload off (the default)', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree);
  });
  after(() => site?.close());

  test('pages are sent as they are, and /.pier/live and /.pier/live.js are 404', async () => {
    const res = await site.request('/');
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes('/.pier/'));
    assert.ok(!String(res.headers.etag).includes('live'));
    for (const target of ['/.pier/live', '/.pier/live.js']) {
      const endpoint = await site.request(target);
      assert.equal(endpoint.status, 404, target);
      assert.ok(!endpoint.body.includes('a file named'), target);
    }
    const error = await site.request('/missing.txt', { headers: { accept: 'text/html' } });
    assert.ok(!error.body.includes(TAG));
  });
});

describe('live reload on: what gets the client', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, { config: { liveReload: true } });
  });
  after(() => site?.close());

  test('an HTML page, before its </body>, naming its own file; Content-Length counts it', async () => {
    for (const target of ['/', '/index.html']) {
      const res = await site.request(target);
      assert.equal(res.status, 200);
      assert.match(res.body, /<script src="\/\.pier\/live\.js" data-pier-watch="\/index\.html"><\/script><\/body><\/html>\n$/);
      assert.equal(Number(res.headers['content-length']), res.bytes.length);
      assert.equal(res.body.split(TAG).length, 2, 'exactly one tag');
    }
    const fragment = await site.request('/no-body.html');
    assert.equal(fragment.body, '<p>a fragment without a body tag<script src="/.pier/live.js" data-pier-watch="/no-body.html"></script>');
  });

  test('never other types', async () => {
    for (const target of ['/style.css', '/data.json', '/notes.txt']) {
      const res = await site.request(target);
      assert.equal(res.status, 200, target);
      assert.ok(!res.body.includes('/.pier/'), target);
      assert.ok(!String(res.headers.etag).includes('live'), target);
    }
  });

  test("Pier's listing and error pages, and the site's own 404.html", async () => {
    const listing = await site.request('/sub/', { headers: { accept: 'text/html' } });
    assert.ok(listing.body.includes(`${TAG}"/sub/">`));
    assert.equal(Number(listing.headers['content-length']), listing.bytes.length);
    const json = await site.request('/sub/', { headers: { accept: 'application/json' } });
    assert.doesNotThrow(() => JSON.parse(json.body));
    const own404 = await site.request('/missing.txt', { headers: { accept: 'text/html' } });
    assert.equal(own404.status, 404);
    assert.ok(own404.body.includes('not here') && own404.body.includes(`${TAG}"/404.html">`));
    const plain = await site.request('/missing.txt');
    assert.equal(plain.status, 404);
    assert.ok(plain.body.includes(TAG), "the site's 404.html is HTML whatever the client accepts");
  });

  test('a precompressed sibling of a page is passed over: the client goes into the plain page', async () => {
    const res = await site.request('/pre.html', { headers: { 'accept-encoding': 'br' } });
    const body = res.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(res.bytes).toString() : res.body;
    assert.ok(body.includes('<h1>pre</h1>') && body.includes(TAG));
  });

  test('the script: JavaScript, same origin, listening on /.pier/live', async () => {
    const res = await site.request('/.pier/live.js');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/javascript/);
    assert.ok(res.body.includes("new EventSource('/.pier/live')"));
    assert.ok(!res.body.includes('a file named'));
  });
});

describe('live reload on: validators, compression, ranges, large pages', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, { config: { liveReload: true } });
  });
  after(() => site?.close());

  test('the page has its own entity tag, and a 304 for it', async () => {
    const first = await site.request('/index.html');
    const etag = String(first.headers.etag);
    assert.match(etag, /-live"$/);
    const again = await site.request('/index.html', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.bytes.length, 0);
    // The tag of the plain file (what a browser kept from before live reload was on) is not a match.
    const plainTag = etag.replace(/-live"$/, '"');
    const stale = await site.request('/index.html', { headers: { 'if-none-match': plainTag } });
    assert.equal(stale.status, 200);
    assert.ok(stale.body.includes(TAG));
  });

  test('compressed after the client went in: brotli and gzip variants decode to the page with it', async () => {
    const plain = await site.request('/index.html');
    for (const [coding, decode] of [['br', zlib.brotliDecompressSync], ['gzip', zlib.gunzipSync]] as const) {
      const res = await site.request('/index.html', { headers: { 'accept-encoding': coding } });
      assert.equal(res.headers['content-encoding'], coding);
      assert.equal(Number(res.headers['content-length']), res.bytes.length);
      assert.equal(res.headers.etag, `${String(plain.headers.etag).slice(0, -1)}-${coding}"`);
      assert.equal(decode(res.bytes).toString(), plain.body);
      const notModified = await site.request('/index.html', { headers: { 'accept-encoding': coding, 'if-none-match': String(res.headers.etag) } });
      assert.equal(notModified.status, 304);
    }
  });

  test('a Range on a page gets the whole page (200, no Accept-Ranges); other files still get 206', async () => {
    const plain = await site.request('/index.html');
    const ranged = await site.request('/index.html', { headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.status, 200);
    assert.equal(ranged.body, plain.body);
    assert.equal(ranged.headers['accept-ranges'], undefined);
    assert.equal(ranged.headers['content-range'], undefined);
    const css = await site.request('/style.css', { headers: { range: 'bytes=0-9' } });
    assert.equal(css.status, 206);
    assert.equal(css.body, 'h1 { color');
  });

  test('a page larger than the cache limit gets the client at its end, plain, compressed and HEAD alike', async () => {
    const tag = '<script src="/.pier/live.js" data-pier-watch="/big.html"></script>';
    const res = await site.request('/big.html');
    assert.equal(res.status, 200);
    assert.equal(res.body, bigHtml + tag);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(bigHtml + tag));
    assert.match(String(res.headers.etag), /-live"$/);
    const head = await site.request('/big.html', { method: 'HEAD' });
    assert.equal(head.headers['content-length'], res.headers['content-length']);
    const gzip = await site.request('/big.html', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gzip.bytes).toString(), bigHtml + tag);
    const ranged = await site.request('/big.html', { headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.status, 200);
    assert.equal(ranged.body, bigHtml + tag);
    const notModified = await site.request('/big.html', { headers: { 'if-none-match': String(res.headers.etag) } });
    assert.equal(notModified.status, 304);
  });

  test('an edited page gets a new tag and the client again (once per version)', async () => {
    const before = await site.request('/no-body.html');
    await writeFile(path.join(site.root, 'no-body.html'), '<p>edited, longer than before');
    const after = await site.request('/no-body.html');
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.equal(after.body, '<p>edited, longer than before<script src="/.pier/live.js" data-pier-watch="/no-body.html"></script>');
    const hit = await site.request('/no-body.html');
    assert.equal(hit.body, after.body);
  });
});

describe('switching live reload off and on', () => {
  test('the same file: a different tag each way, so a browser never keeps the other bytes', async () => {
    const site = await serve(tree, { config: { liveReload: true } });
    try {
      const on = await site.request('/index.html');
      await site.instance.stop();
      site.instance.config = { ...site.instance.config, liveReload: false, port: site.port };
      assert.ok((await site.instance.start()).ok);
      const off = await site.request('/index.html', { headers: { 'if-none-match': String(on.headers.etag) } });
      assert.equal(off.status, 200);
      assert.ok(!off.body.includes(TAG));
      await site.instance.stop();
      site.instance.config = { ...site.instance.config, liveReload: true };
      assert.ok((await site.instance.start()).ok);
      const onAgain = await site.request('/index.html', { headers: { 'if-none-match': String(off.headers.etag) } });
      assert.equal(onAgain.status, 200);
      assert.ok(onAgain.body.includes(TAG));
    } finally {
      await site.close();
    }
  });
});

describe('the SPA fallback', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, { config: { liveReload: true, spa: true } });
  });
  after(() => site?.close());

  test("a route gets index.html with the client, watching /index.html", async () => {
    const res = await site.request('/settings/profile');
    assert.equal(res.status, 200);
    assert.ok(res.body.includes('<h1>home</h1>') && res.body.includes(`${TAG}"/index.html">`));
  });
});

describe('the event stream', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve({ 'index.html': page('home'), 'style.css': 'a{}', js: {} }, { config: { liveReload: true } });
  });
  after(() => site?.close());

  test('an event stream that says hello once the folder is watched, then names a saved file', async () => {
    const stream = await openEvents(site.port);
    try {
      assert.equal(stream.status, 200);
      assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
      assert.equal(stream.headers['cache-control'], 'no-store');
      const hello = await stream.next('hello');
      assert.match(JSON.parse(hello.data).boot, /^[0-9a-f]{12}$/);
      const savedAt = performance.now();
      await writeFile(path.join(site.root, 'style.css'), 'a{color:red}');
      const change = await stream.next('change');
      assert.deepEqual(JSON.parse(change.data), { paths: ['/style.css'] });
      // Benchmarks, not assertions, for timing; this bound only catches a stream that buffers.
      assert.ok(change.at - savedAt < 1_000, `the event came ${Math.round(change.at - savedAt)} ms after the save`);
    } finally {
      stream.close();
    }
  });

  test('five quick saves are one event', async () => {
    const stream = await openEvents(site.port);
    try {
      await stream.next('hello');
      for (let i = 0; i < 5; i++) {
        await appendFile(path.join(site.root, 'index.html'), `<p>${i}</p>`);
        await sleep(20);
      }
      await writeFile(path.join(site.root, 'js', 'app.js'), 'console.log(1)');
      await stream.next('change');
      await sleep(500);
      assert.deepEqual(changed(stream), [['/index.html', '/js/app.js']]);
    } finally {
      stream.close();
    }
  });

  test('a build that never pauses is still heard of within the maximum wait', async () => {
    const stream = await openEvents(site.port);
    try {
      await stream.next('hello');
      const started = performance.now();
      const firstEvent = stream.next('change', 3_000);
      while (performance.now() - started < 1_600) {
        await appendFile(path.join(site.root, 'style.css'), '/* */');
        await sleep(40);
      }
      const first = await firstEvent;
      assert.ok(first.at - started < 1_500, `first event after ${Math.round(first.at - started)} ms of non-stop saves`);
    } finally {
      stream.close();
    }
  });

  test('dot-folders and node_modules are not watched', async () => {
    await mkdir(path.join(site.root, '.git'), { recursive: true });
    await mkdir(path.join(site.root, 'node_modules', 'pkg'), { recursive: true });
    await sleep(200);
    const stream = await openEvents(site.port);
    try {
      await stream.next('hello');
      await writeFile(path.join(site.root, '.git', 'HEAD'), 'ref');
      await writeFile(path.join(site.root, 'node_modules', 'pkg', 'index.js'), 'x');
      await writeFile(path.join(site.root, '.env'), 'SECRET=1');
      await sleep(400);
      assert.deepEqual(changed(stream), []);
    } finally {
      stream.close();
    }
  });

  test(`at most ${LIVE_RELOAD_MAX_CLIENTS} streams; the next one gets 503`, async () => {
    const streams: EventStream[] = [];
    try {
      for (let i = 0; i < LIVE_RELOAD_MAX_CLIENTS; i++) streams.push(await openEvents(site.port));
      assert.ok(streams.every((s) => s.status === 200));
      const refused = await openEvents(site.port);
      streams.push(refused);
      assert.equal(refused.status, 503);
      streams.pop()?.close();
      streams.pop()?.close();
      await sleep(100);
      const again = await openEvents(site.port);
      streams.push(again);
      assert.equal(again.status, 200);
    } finally {
      for (const s of streams) s.close();
    }
  });

  test('other names under /.pier/ are 404, other methods 405, and never a file', async () => {
    for (const target of ['/.pier/anything-else', '/.pier/', '/.pier/live/', '/.pier/live.js/x', '/%2Epier/live', '/.PIER/live']) {
      const res = await site.request(target);
      assert.equal(res.status, 404, target);
    }
    const post = await site.request('/.pier/live', { method: 'POST' });
    assert.equal(post.status, 405);
  });
});

describe('a file named .pier/live on disk', () => {
  let site: ServedSite;
  before(async () => {
    site = await serve(tree, { config: { liveReload: true } });
  });
  after(() => site?.close());

  test('is never served: /.pier/live is the stream, /.pier/live.js the script', async () => {
    const stream = await openEvents(site.port);
    try {
      assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
      await stream.next('hello');
    } finally {
      stream.close();
    }
    const script = await site.request('/.pier/live.js');
    assert.ok(!script.body.includes('a file named'));
    const query = await site.request('/.pier/live.js?v=2');
    assert.equal(query.status, 200);
    assert.ok(query.body.includes('EventSource'));
  });
});

describe('behind the password', () => {
  let site: ServedSite;
  const authorization = `Basic ${Buffer.from('ann:secret').toString('base64')}`;
  before(async () => {
    site = await serve(tree, { config: { liveReload: true, auth: { username: 'ann', password: 'secret' } } });
  });
  after(() => site?.close());

  test('401 without it (and no client in the password page), the stream and script with it', async () => {
    for (const target of ['/.pier/live', '/.pier/live.js', '/.pier/nothing']) {
      const res = await site.request(target, { headers: { accept: 'text/html' } });
      assert.equal(res.status, 401, target);
      assert.ok(!res.body.includes(TAG), target);
    }
    const script = await site.request('/.pier/live.js', { headers: { authorization } });
    assert.equal(script.status, 200);
    const stream = await openEvents(site.port, { headers: { authorization } });
    try {
      assert.equal(stream.status, 200);
      await stream.next('hello');
      await writeFile(path.join(site.root, 'style.css'), 'b{}');
      assert.deepEqual(JSON.parse((await stream.next('change')).data), { paths: ['/style.css'] });
    } finally {
      stream.close();
    }
  });
});

describe('over HTTPS', () => {
  let site: ServedSite;
  let tlsDir: string;
  before(async () => {
    tlsDir = await mkdtemp(path.join(os.tmpdir(), 'pier-lr-tls-'));
    site = await serve(tree, { config: { liveReload: true, https: true }, instance: { tls: new TlsStore(tlsDir) } });
  });
  after(async () => {
    await site?.close();
    await rm(tlsDir, { recursive: true, force: true });
  });

  test('the page, its script and its event stream', async () => {
    const res = await site.request('/');
    assert.ok(res.body.includes(TAG));
    const stream = await openEvents(site.port, { tls: true });
    try {
      assert.equal(stream.status, 200);
      await stream.next('hello');
      await writeFile(path.join(site.root, 'index.html'), page('edited over https'));
      assert.deepEqual(JSON.parse((await stream.next('change')).data), { paths: ['/index.html'] });
    } finally {
      stream.close();
    }
  });
});

describe('stop and restart', () => {
  test('stop ends every stream and closes the watcher: descriptors and watches are back where they were', async () => {
    const folders = { a: { b: { c: { 'x.txt': 'x' } } }, d: { 'y.txt': 'y' }, 'index.html': page('home') };
    // A first server warms up what stays open for the process's life (libuv's inotify descriptor, thread pool).
    const warm = await serve(folders, { config: { liveReload: true } });
    (await openEvents(warm.port)).close();
    await warm.close();
    await sleep(100);

    const baseline = descriptors();
    const baseWatches = watchHandles();
    const site = await serve(folders, { config: { liveReload: true } });
    const streams = [await openEvents(site.port), await openEvents(site.port), await openEvents(site.port)];
    await Promise.all(streams.map((s) => s.next('hello')));
    const running = descriptors();
    const runningWatches = watchHandles();
    await site.instance.stop();
    await Promise.all(streams.map((s) => s.ended));
    await sleep(100);
    const stopped = descriptors();
    const stoppedWatches = watchHandles();
    await site.close();
    console.log(`# descriptors: ${baseline} before, ${running} running (3 streams), ${stopped} after stop; watches: ${baseWatches}, ${runningWatches}, ${stoppedWatches}`);
    // Each stream is two descriptors here (the server's socket and the test's), plus the listening socket.
    assert.ok(running >= baseline + 7, `running: ${running} descriptors, baseline ${baseline}`);
    assert.ok(runningWatches >= baseWatches + 5, `running: ${runningWatches} watches (5 folders), baseline ${baseWatches}`);
    assert.equal(stopped, baseline, `after stop: ${stopped} descriptors, baseline ${baseline} (running: ${running})`);
    assert.equal(stoppedWatches, baseWatches, `after stop: ${stoppedWatches} watches, baseline ${baseWatches}`);
  });

  test('a restart greets a reconnecting page with a new start id', async () => {
    const site = await serve({ 'index.html': page('home') }, { config: { liveReload: true } });
    try {
      const first = await openEvents(site.port);
      const boot1 = JSON.parse((await first.next('hello')).data).boot;
      await site.instance.stop();
      await first.ended;
      site.instance.config = { ...site.instance.config, port: site.port };
      assert.ok((await site.instance.start()).ok);
      const second = await openEvents(site.port);
      const boot2 = JSON.parse((await second.next('hello')).data).boot;
      second.close();
      assert.notEqual(boot1, boot2);
    } finally {
      await site.close();
    }
  });
});

/** A watcher stand-in that a test drives. */
class FakeWatcher implements FolderWatcher {
  listeners: Record<string, Array<(...args: never[]) => void>> = {};
  closed = false;
  on(event: string, listener: (...args: never[]) => void): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners[event] ?? []) (listener as (...a: unknown[]) => void)(...args);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('LiveReload on its own', () => {
  /** A bare server whose every request is a LiveReload stream. */
  async function streamServer(live: LiveReload) {
    const ctx = { config: testConfig(os.tmpdir()) } as Parameters<LiveReload['accept']>[1];
    const server = http.createServer({ ServerResponse: PierResponse }, (_req, res) => live.accept(res, ctx));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      port,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  test('a heartbeat comment on every stream while it is open', async () => {
    const watcher = new FakeWatcher();
    const live = new LiveReload('/site', () => {}, { heartbeatMs: 50, watch: () => watcher });
    watcher.emit('ready');
    const server = await streamServer(live);
    const stream = await openEvents(server.port);
    await stream.next('hello');
    await sleep(230);
    assert.ok(stream.comments >= 3, `${stream.comments} heartbeats in 230 ms`);
    await live.close();
    await stream.ended;
    assert.ok(watcher.closed);
    await server.close();
  });

  test('a watcher error is reported once per kind, in words, and streams stay open', async () => {
    const watcher = new FakeWatcher();
    const errors: unknown[] = [];
    const live = new LiveReload('/site', (error) => errors.push(error), { watch: () => watcher });
    watcher.emit('ready');
    const server = await streamServer(live);
    const stream = await openEvents(server.port);
    await stream.next('hello');
    const enospc = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
    watcher.emit('error', enospc);
    watcher.emit('error', enospc);
    assert.equal(errors.length, 1);
    assert.match(String((errors[0] as Error).message), /max_user_watches.*Files are still served/);
    watcher.emit('all', 'change', '/site/a.css');
    assert.deepEqual(JSON.parse((await stream.next('change')).data), { paths: ['/a.css'] });
    await live.close();
    await server.close();
  });

  test('more changed files than an event names: paths is null (every page reloads)', async () => {
    const watcher = new FakeWatcher();
    const live = new LiveReload('/site', () => {}, { watch: () => watcher });
    watcher.emit('ready');
    const server = await streamServer(live);
    const stream = await openEvents(server.port);
    await stream.next('hello');
    for (let i = 0; i < 150; i++) watcher.emit('all', 'add', `/site/f${i}.js`);
    assert.deepEqual(JSON.parse((await stream.next('change')).data), { paths: null });
    await live.close();
    await server.close();
  });
});

describe('a served folder that is deleted', () => {
  test('the server keeps running; when the folder is back, pages reload and saves are heard again', async () => {
    const site = await serve({ 'index.html': page('home'), sub: { 'a.txt': 'a' } }, { config: { liveReload: true } });
    const errors: unknown[] = [];
    site.instance.on('requestError', (error) => errors.push(error));
    try {
      const stream = await openEvents(site.port);
      await stream.next('hello');
      await rm(site.root, { recursive: true, force: true });
      await sleep(1_300);
      const before = stream.events.length;
      await mkdir(site.root);
      await writeFile(path.join(site.root, 'index.html'), page('back'));
      // The instance checks its folder every second; on its return every page is told to reload.
      const back = await stream.next('change', 3_000, before);
      assert.deepEqual(JSON.parse(back.data), { paths: null });
      const res = await site.request('/');
      assert.equal(res.status, 200);
      assert.ok(res.body.includes('<h1>back</h1>') && res.body.includes(TAG));
      // A new watcher on the new folder (once it has started: a new stream's hello says so).
      const fresh = await openEvents(site.port);
      await fresh.next('hello');
      await writeFile(path.join(site.root, 'style.css'), 'a{}');
      assert.deepEqual(JSON.parse((await fresh.next('change')).data), { paths: ['/style.css'] });
      fresh.close();
      stream.close();
      assert.ok(errors.every((e) => String(e).startsWith('Error: Live reload')), String(errors));
    } finally {
      await site.close();
    }
  });
});
