/**
 * Live reload in a real browser (Debian's Chromium through playwright-core),
 * against `pier serve DIR --live-reload` as a user runs it: a saved page
 * reloads, a saved stylesheet is swapped in without a reload, a file the
 * page never used changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import type { Browser, Page } from 'playwright-core';

import { TlsStore } from '../../app/tls';
import { launchChromium } from '../helpers/chromium';
import { serve, writeTree, type ServedSite } from '../helpers/serve';

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

const site = {
  'index.html': `<!doctype html><html><head><link rel="stylesheet" href="style.css"><script src="app.js"></script></head>
<body><h1>first</h1></body></html>`,
  'style.css': 'h1 { color: rgb(255, 0, 0) }',
  'app.js': 'window.appRuns = (window.appRuns || 0) + 1;',
  'other.html': '<!doctype html><p>not on the page',
  docs: { 'guide.html': '<!doctype html><h1>guide</h1>' },
};

/** `pier serve DIR --live-reload` (the CLI from source, run by tsx), with its URL once it listens. */
async function pierServe(dir: string, configHome: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli.ts', 'serve', dir, '--live-reload', '--json'], {
    cwd: PROJECT,
    env: { ...process.env, XDG_CONFIG_HOME: configHome, NODE_TEST_CONTEXT: undefined },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pier serve did not start within 15 s')), 15_000);
    child.once('exit', (code) => reject(new Error(`pier serve exited with ${code}`)));
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { type: string; url?: string };
      if (message.type === 'listening' && message.url) {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
  });
  return { url, child };
}

describe('live reload in Chromium', () => {
  let dir: string;
  let configHome: string;
  let server: { url: string; child: ChildProcess };
  let browser: Browser;
  let page: Page;
  /** Page loads (the first one and every reload). */
  let loads = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pier-lr-browser-'));
    configHome = await mkdtemp(path.join(os.tmpdir(), 'pier-lr-config-'));
    await writeTree(dir, site);
    server = await pierServe(dir, configHome);
    browser = await launchChromium();
    page = await browser.newPage();
    // Only the server under test: nothing else is reachable from here anyway.
    await page.route(/^(?!https?:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/])/, (route) => route.abort());
    page.on('load', () => loads++);
  });

  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
    await rm(configHome, { recursive: true, force: true });
  });

  const ready = () => page.waitForFunction(() => (window as unknown as { __pierLive?: { ready: boolean } }).__pierLive?.ready === true);
  const h1Color = () => page.evaluate(() => getComputedStyle(document.querySelector('h1') as Element).color);

  test('a saved stylesheet applies without a reload: state in window survives', async () => {
    await page.goto(server.url);
    await ready();
    assert.equal(await h1Color(), 'rgb(255, 0, 0)');
    await page.evaluate(() => Object.assign(window, { kept: 'still here' }));
    const loadsBefore = loads;
    const savedAt = performance.now();
    await writeFile(path.join(dir, 'style.css'), 'h1 { color: rgb(0, 0, 255) }');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('h1') as Element).color === 'rgb(0, 0, 255)', null, { timeout: 5_000 });
    const ms = Math.round(performance.now() - savedAt);
    console.log(`# stylesheet swapped ${ms} ms after the save`);
    assert.equal(await page.evaluate(() => (window as unknown as { kept?: string }).kept), 'still here');
    assert.equal(loads, loadsBefore, 'no reload');
    // One stylesheet link, the cache-busted one.
    const hrefs = await page.evaluate(() => Array.from(document.querySelectorAll('link[rel=stylesheet]'), (l) => l.getAttribute('href')));
    assert.equal(hrefs.length, 1);
    assert.match(String(hrefs[0]), /^http:\/\/127\.0\.0\.1:\d+\/style\.css\?pier-live=/);
  });

  test('a file the page never used changes nothing', async () => {
    const loadsBefore = loads;
    await writeFile(path.join(dir, 'other.html'), '<!doctype html><p>edited');
    await writeFile(path.join(dir, 'docs', 'guide.html'), '<!doctype html><h1>edited</h1>');
    await sleep(700);
    assert.equal(loads, loadsBefore);
    assert.equal(await page.evaluate(() => (window as unknown as { kept?: string }).kept), 'still here');
  });

  test('a saved page reloads', async () => {
    const reloaded = page.waitForEvent('load', { timeout: 5_000 });
    const savedAt = performance.now();
    await writeFile(path.join(dir, 'index.html'), site['index.html'].replace('first', 'second'));
    await reloaded;
    const ms = Math.round(performance.now() - savedAt);
    console.log(`# page reloaded ${ms} ms after the save`);
    assert.equal(await page.textContent('h1'), 'second');
    assert.equal(await page.evaluate(() => (window as unknown as { kept?: string }).kept), undefined);
    // 500 ms is the goal (a benchmark); this bound only catches a page that reloads by accident, later.
    assert.ok(ms < 2_000, `reloaded ${ms} ms after the save`);
  });

  test('a saved script the page loaded reloads it', async () => {
    await ready();
    const runs = await page.evaluate(() => (window as unknown as { appRuns: number }).appRuns);
    assert.equal(runs, 1);
    const reloaded = page.waitForEvent('load', { timeout: 5_000 });
    await writeFile(path.join(dir, 'app.js'), 'window.appRuns = (window.appRuns || 0) + 1; window.edited = true;');
    await reloaded;
    assert.equal(await page.evaluate(() => (window as unknown as { edited?: boolean }).edited), true);
  });

  test("a folder listing reloads when a file is added to its folder", async () => {
    await page.goto(`${server.url}docs/`);
    await ready();
    const reloaded = page.waitForEvent('load', { timeout: 5_000 });
    await writeFile(path.join(dir, 'docs', 'new.html'), '<!doctype html><p>new');
    await reloaded;
    assert.ok((await page.textContent('body'))?.includes('new.html'));
  });
});

describe('live reload in Chromium, behind the password', () => {
  let served: ServedSite;
  let browser: Browser;
  before(async () => {
    served = await serve(site, { config: { liveReload: true, auth: { username: 'ann', password: 'secret' } } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  test('the credentials the page was opened with carry the script and the stream', async () => {
    const page = await browser.newPage();
    await page.goto(served.url.replace('http://', 'http://ann:secret@'));
    await page.waitForFunction(() => (window as unknown as { __pierLive?: { ready: boolean } }).__pierLive?.ready === true, null, { timeout: 5_000 });
    const reloaded = page.waitForEvent('load', { timeout: 5_000 });
    await writeFile(path.join(served.root, 'index.html'), site['index.html'].replace('first', 'behind the password'));
    await reloaded;
    assert.equal(await page.textContent('h1'), 'behind the password');
  });

  test('a restart of the server (new options, say) reloads the page once it is back', async () => {
    const page = await browser.newPage();
    await page.goto(served.url.replace('http://', 'http://ann:secret@'));
    await page.waitForFunction(() => (window as unknown as { __pierLive?: { ready: boolean } }).__pierLive?.ready === true, null, { timeout: 5_000 });
    const reloaded = page.waitForEvent('load', { timeout: 8_000 });
    await served.instance.stop();
    await sleep(1_500);
    served.instance.config = { ...served.instance.config, port: served.port };
    assert.ok((await served.instance.start()).ok);
    await reloaded;
  });
});

describe('live reload in Chromium, over HTTPS', () => {
  let served: ServedSite;
  let browser: Browser;
  let tlsDir: string;
  before(async () => {
    tlsDir = await mkdtemp(path.join(os.tmpdir(), 'pier-lr-tls-'));
    served = await serve(site, { config: { liveReload: true, https: true }, instance: { tls: new TlsStore(tlsDir) } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    await rm(tlsDir, { recursive: true, force: true });
  });

  test('a saved stylesheet is swapped in over HTTPS too', async () => {
    // The certificate is Pier's own (not trusted by this browser profile): what matters here is the stream.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(served.url);
    assert.match(page.url(), /^https:/);
    await page.waitForFunction(() => (window as unknown as { __pierLive?: { ready: boolean } }).__pierLive?.ready === true, null, { timeout: 5_000 });
    await writeFile(path.join(served.root, 'style.css'), 'h1 { color: rgb(0, 128, 0) }');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('h1') as Element).color === 'rgb(0, 128, 0)', null, { timeout: 5_000 });
    await context.close();
  });
});
