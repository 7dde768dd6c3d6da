/**
 * The everyday case the proxy exists for: a Vite dev server behind Pier. The
 * page comes through Pier's proxy, and so does Vite's hot-reload WebSocket
 * (the client connects to the page's own origin), so saving a stylesheet
 * updates the page in Chromium without a reload.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';

import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

import { launchChromium } from '../helpers/chromium';
import { freePort, serve, tempDir, writeTree, type ServedSite } from '../helpers/serve';

describe('a Vite dev server behind the proxy', () => {
  let vite: ViteDevServer;
  let pier: ServedSite;
  let browser: Browser;
  let app: string;
  /** X-Forwarded-For of each WebSocket upgrade Vite received ('direct' without one). */
  const upgrades: string[] = [];

  before(async () => {
    app = await tempDir('pier-vite-');
    await writeTree(app, {
      'index.html': '<!doctype html><title>vite app</title><h1 id="title">hello</h1><script type="module" src="/main.js"></script>',
      'main.js': "import './style.css';\nwindow.loadedOnce = (window.loadedOnce ?? 0) + 1;\ndocument.title = 'ready';\n",
      'style.css': '#title { color: rgb(255, 0, 0); }\n',
    });
    const vitePort = await freePort();
    vite = await createServer({
      root: app,
      configFile: false,
      logLevel: 'silent',
      clearScreen: false,
      server: { host: '127.0.0.1', port: vitePort, strictPort: true },
    });
    await vite.listen();
    vite.httpServer?.on('upgrade', (req: IncomingMessage) => upgrades.push(String(req.headers['x-forwarded-for'] ?? 'direct')));
    // Everything goes to Vite: the page, its modules and the HMR WebSocket on the page's origin.
    pier = await serve({ 'unused.txt': '' }, { config: { proxies: [{ prefix: '/', upstreams: [`http://127.0.0.1:${vitePort}`] }] } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await pier?.close();
    await vite?.close();
  });

  test('the page loads through Pier, and a saved stylesheet is swapped by Vite over the proxied WebSocket', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // Vite says "[vite] connected." once its WebSocket is up: through Pier, that is the proxied upgrade.
    const connected = page.waitForEvent('console', { predicate: (message) => message.text().includes('[vite] connected'), timeout: 15_000 });
    await page.goto(pier.url);
    await page.waitForFunction(() => document.title === 'ready');
    await connected;
    // Vite's client falls back to Vite's own port when the upgrade on the page's origin fails:
    // the upgrade Vite got must be the one Pier forwarded (it carries X-Forwarded-For).
    assert.ok(upgrades.some((forwardedFor) => forwardedFor === '127.0.0.1'), `the HMR WebSocket did not come through Pier: ${JSON.stringify(upgrades)}`);
    const color = () => page.$eval('#title', (element) => getComputedStyle(element).color);
    assert.equal(await color(), 'rgb(255, 0, 0)');

    await writeFile(path.join(app, 'style.css'), '#title { color: rgb(0, 128, 0); }\n');
    await page.waitForFunction(() => getComputedStyle(document.getElementById('title')!).color === 'rgb(0, 128, 0)', undefined, { timeout: 10_000 });
    // Hot update, not a reload: the module ran once.
    assert.equal(await page.evaluate(() => (window as unknown as { loadedOnce: number }).loadedOnce), 1);
    assert.deepEqual(problems, []);

    // The log names Vite as the upstream that answered.
    const entries = pier.instance.log.entries();
    assert.ok(entries.some((entry) => entry.path === '/main.js' && entry.upstream?.startsWith('http://127.0.0.1:')), JSON.stringify(entries.slice(0, 5)));
    await page.close();
  });
});
