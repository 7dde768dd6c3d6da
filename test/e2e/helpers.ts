import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

import type { PierApp } from './app';

/** A folder with a small site in it, removed by `cleanup()`. */
export async function makeSite(name = 'my-site'): Promise<{ root: string; cleanup(): Promise<void> }> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-site-'));
  const root = path.join(parent, name);
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>My site</title><h1>Hello from my site</h1>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(path.join(root, '.env'), 'SECRET=never-served');
  return { root, cleanup: () => rm(parent, { recursive: true, force: true }) };
}

/** GET from the test process, as a browser elsewhere would; only ever 127.0.0.1. */
export async function get(url: string): Promise<{ status: number; body: string }> {
  const parsed = new URL(url);
  if (parsed.hostname !== '127.0.0.1') throw new Error(`tests only connect to 127.0.0.1, not ${url}`);
  // A fresh connection each time (no keep-alive pool): a server restarted by Apply closes its
  // connections, and fetch() reusing one of those would fail where a browser retries.
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Many requests at once over a few keep-alive sockets. */
export async function flood(url: string, count: number, concurrency = 16): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${url}flood/${i}.txt`, { agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
}

/** The local URL the window shows for the selected server. */
export async function shownUrl(page: Page): Promise<string> {
  const url = page.getByText(/^http:\/\/127\.0\.0\.1:\d+\/$/).first();
  await expect(url).toBeVisible();
  return (await url.textContent())?.trim() ?? '';
}

/**
 * Make a small site called `name`, serve it through the window's "Serve a
 * folder" and wait for its pane (until then the URL on screen may be the
 * previous server's); resolves with its local URL. The folder's removal goes
 * into `cleanups`.
 */
export async function openSite(app: PierApp | null, name: string, cleanups: (() => Promise<void>)[]): Promise<string> {
  const made = await makeSite(name);
  cleanups.push(made.cleanup);
  if (!app) throw new Error('launch first');
  await app.pickFolder(made.root);
  await app.page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(app.page.getByRole('heading', { name, level: 2 })).toBeVisible();
  return shownUrl(app.page);
}

/** The request log's scroll container. */
export const requestLog = (page: Page) => page.getByRole('log', { name: 'Request log' });

/** Turn a settings switch of the selected server on or off, Apply, and wait for it to run again. */
export async function applySwitch(page: Page, name: string, on: boolean): Promise<void> {
  const form = page.getByRole('form', { name: 'Server settings' });
  const toggle = form.getByRole('switch', { name });
  await (on ? toggle.check() : toggle.uncheck());
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.getByRole('button', { name: 'Apply' })).toBeDisabled();
  // Switching HTTPS on may first make Pier's certificate authority (an RSA key): seconds on a busy machine.
  await expect(page.getByText('Running', { exact: true })).toBeVisible({ timeout: 20_000 });
}

/** A small HTTP server on 127.0.0.1 and port 0 that answers every request with `name`, as a backend behind a proxy would. */
export async function startUpstream(name: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`${name} ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Review screenshots at two window sizes, light and dark, when PIER_REVIEW_SHOTS names a folder; otherwise nothing. */
export async function reviewShots(page: Page, name: string, target?: () => Promise<void>): Promise<void> {
  const dir = process.env.PIER_REVIEW_SHOTS;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  const viewport = page.viewportSize();
  for (const size of [
    { width: 1100, height: 720 },
    { width: 800, height: 560 },
  ]) {
    await page.setViewportSize(size);
    await target?.();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(dir, `${name}-${size.width}x${size.height}-${scheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  // The test goes on at the size it had.
  await page.setViewportSize(viewport ?? { width: 1200, height: 760 });
}

/** Serious and critical axe findings (what would stop someone using the app) in the current colour scheme; `within`: only these parts. */
export async function seriousViolations(page: Page, within: string[] = []): Promise<string[]> {
  let axe = new AxeBuilder({ page });
  for (const selector of within) axe = axe.include(selector);
  const results = await axe.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** {@link seriousViolations} in light, then in dark, each finding named by its scheme; the page is left light. */
export async function seriousViolationsLightAndDark(page: Page, within: string[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    found.push(...(await seriousViolations(page, within)).map((finding) => `${scheme} ${finding}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

/**
 * The share of pixels a README screenshot may differ by and still match. Two
 * runs of the same window differ by under 0.1% (antialiasing); a screenshot
 * left behind by a changed layout, by 0.5 to 2%.
 */
const SHOT_TOLERANCE = 0.002;

/**
 * A README screenshot, docs/screenshots/NAME.png. `npm run screenshots`
 * (Playwright's --update-snapshots=all) writes it; every other run compares
 * the fresh capture with the tracked file and writes nothing into the tree. What
 * differs from run to run (clock times, ports, durations, the temp folder's
 * name, QR codes of those URLs) is painted over in both images first, so a
 * tight tolerance still lets antialiasing through and catches a moved,
 * added or restyled part.
 */
export async function readmeShot(page: Page, name: string): Promise<void> {
  const shot = await page.screenshot();
  const tracked = path.join(SCREENSHOTS, `${name}.png`);
  if (test.info().config.updateSnapshots === 'all') {
    await writeFile(tracked, shot);
    return;
  }
  await test.info().attach(`${name}.png`, { body: shot, contentType: 'image/png' });
  const before = await readFile(tracked).catch(() => null);
  const redo = `run \`npm run screenshots\` and look at the result (the fresh capture is attached to this test in test-results/)`;
  expect.soft(before, `docs/screenshots/${name}.png is missing: ${redo}`).not.toBeNull();
  if (!before) return;
  const result = await page.evaluate(compareShots, { fresh: shot.toString('base64'), tracked: before.toString('base64') });
  expect.soft(result.size, `docs/screenshots/${name}.png has another size than the window: ${redo}`).toBe(result.trackedSize);
  expect
    .soft(result.differing, `docs/screenshots/${name}.png no longer matches the window (${(result.differing * 100).toFixed(2)}% of pixels differ): ${redo}`)
    .toBeLessThanOrEqual(SHOT_TOLERANCE);
}

/**
 * Runs in the window: decode both PNGs, paint over the text that changes
 * between runs (anything with a digit, the temp folder) and QR codes where
 * the fresh page has them, then count pixels whose colour differs visibly.
 */
async function compareShots({ fresh, tracked }: { fresh: string; tracked: string }) {
  const decode = async (base64: string) => {
    const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    return context;
  };
  const [a, b] = await Promise.all([decode(fresh), decode(tracked)]);
  const size = `${a.canvas.width}x${a.canvas.height}`;
  const trackedSize = `${b.canvas.width}x${b.canvas.height}`;
  if (size !== trackedSize) return { size, trackedSize, differing: 1 };

  const volatile: DOMRect[] = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!/\d|pier-e2e-/.test(node.textContent ?? '')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    volatile.push(...range.getClientRects());
  }
  for (const qr of document.querySelectorAll('img[alt^="QR code"]')) volatile.push(qr.getBoundingClientRect());
  const scale = a.canvas.width / window.innerWidth;
  for (const context of [a, b]) {
    context.fillStyle = '#f0f';
    for (const r of volatile) context.fillRect(Math.floor(r.x * scale) - 2, Math.floor(r.y * scale) - 2, Math.ceil(r.width * scale) + 4, Math.ceil(r.height * scale) + 4);
  }
  const pa = a.getImageData(0, 0, a.canvas.width, a.canvas.height).data;
  const pb = b.getImageData(0, 0, b.canvas.width, b.canvas.height).data;
  let differing = 0;
  for (let i = 0; i < pa.length; i += 4) {
    // Antialiasing moves a channel by a few steps; a different pixel by far more.
    if (Math.abs(pa[i]! - pb[i]!) + Math.abs(pa[i + 1]! - pb[i + 1]!) + Math.abs(pa[i + 2]! - pb[i + 2]!) > 96) differing++;
  }
  return { size, trackedSize, differing: differing / (pa.length / 4) };
}
