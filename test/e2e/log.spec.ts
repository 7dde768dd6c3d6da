import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { expect, test, type Page } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { flood, get, openSite, requestLog, reviewShots } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const serveNewSite = (name = 'log-site') => openSite(app, name, cleanups);

/** A request with headers of our choosing, as a browser or script would send; only ever 127.0.0.1. */
function send(url: string, method: string, headers: Record<string, string>): Promise<number> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error('tests only connect to 127.0.0.1');
  return new Promise((resolve, reject) => {
    http
      .request(url, { method, headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject)
      .end();
  });
}

const row = (page: Page, text: string) => requestLog(page).getByRole('button', { name: new RegExp(text) });

test('a row opens its details: headers, Enter and the arrow keys, Esc, copy as cURL', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serveNewSite();
  await get(`${url}assets/app.js`);
  await send(`${url}index.html`, 'GET', { 'X-Trace': "it's a test, \"quoted\"", Referer: 'http://example.test/from' });
  await get(`${url}missing.txt`);

  await expect(row(page, '/missing.txt')).toBeVisible();
  await reviewShots(page, 'request-log');
  await row(page, '/index.html').click();
  const panel = page.getByRole('complementary', { name: 'Request details' });
  await expect(panel).toBeVisible();
  const requestHeaders = panel.getByRole('region', { name: 'Request headers' });
  await expect(requestHeaders.getByText('X-Trace')).toBeVisible();
  await expect(requestHeaders.getByText(`it's a test, "quoted"`)).toBeVisible();
  await expect(panel.getByRole('region', { name: 'Response headers' }).getByText('text/html; charset=utf-8')).toBeVisible();
  await expect(panel.getByText(`${url}index.html`)).toBeVisible();
  await expect(panel.locator('.details-grid').getByText('http://example.test/from')).toBeVisible();
  await reviewShots(page, 'request-details');

  await panel.getByRole('button', { name: 'Copy as cURL' }).click();
  await expect(panel.getByRole('status')).toHaveText('Copied');
  if (test.info().project.name === 'harness') {
    const curl = await app.clipboard();
    expect(curl).toContain(`curl '${url}index.html'`);
    expect(curl).toContain(`-H 'X-Trace: it'\\''s a test, "quoted"'`);
    expect(curl).not.toMatch(/-H 'Host:/i);
  }

  // Esc closes; the keyboard reaches the rows, moves between them and opens one with Enter.
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(row(page, '/index.html')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(row(page, '/missing.txt')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(panel).toBeVisible();
  await expect(panel.getByText(`${url}missing.txt`)).toBeVisible();
  await expect(panel.locator('.details-grid').getByText('404 Not Found')).toBeVisible();
  await panel.getByRole('button', { name: 'Close details' }).click();
  await expect(panel).toBeHidden();

  // From the list itself (where Tab lands), the arrows step into the rows.
  await requestLog(page).focus();
  await page.keyboard.press('ArrowUp');
  await expect(row(page, '/missing.txt')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(row(page, '/index.html')).toBeFocused();
  await page.keyboard.press(' ');
  await expect(panel.locator('.details-grid').getByText(`${url}index.html`)).toBeVisible();
});

test('the log exports as HAR and CSV, written only where the user chose', async () => {
  const saveDir = await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-log-save-'));
  cleanups.push(() => rm(saveDir, { recursive: true, force: true }));
  app = await launchApp();
  const { page } = app;
  const url = await serveNewSite('export-log');
  await send(`${url}index.html?q=1`, 'GET', { 'X-From': 'e2e' });
  await send(`${url}assets/app.js`, 'GET', { 'User-Agent': '=HYPERLINK("http://evil.test")' });
  await expect(requestLog(page).getByText('/assets/app.js')).toBeVisible();

  const har = path.join(saveDir, 'log.har');
  await app.pickSavePath(har);
  await page.getByRole('button', { name: 'View' }).click();
  await page.getByRole('button', { name: 'HAR (DevTools)…' }).click();
  await expect(page.getByText(`Saved the request log to ${har}`)).toBeVisible();
  if (test.info().project.name === 'harness') expect(await app.suggestedSaveName()).toBe('export-log-requests.har');
  const parsed = JSON.parse(await readFile(har, 'utf8'));
  expect(parsed.log.version).toBe('1.2');
  expect(parsed.log.creator.name).toBe('Pier');
  const first = parsed.log.entries[0];
  expect(first.request.url).toBe(`${url}index.html?q=1`);
  expect(first.request.queryString).toEqual([{ name: 'q', value: '1' }]);
  expect(first.request.headers).toContainEqual({ name: 'X-From', value: 'e2e' });
  expect(first.response.status).toBe(200);
  expect(first.timings.wait).toBeGreaterThanOrEqual(0);

  const csv = path.join(saveDir, 'log.csv');
  await app.pickSavePath(csv);
  await page.getByRole('button', { name: 'View' }).click();
  await page.getByRole('button', { name: 'CSV (spreadsheet)…' }).click();
  await expect(page.getByText(`Saved the request log to ${csv}`)).toBeVisible();
  const lines = (await readFile(csv, 'utf8')).trimEnd().split('\r\n');
  expect(lines[0]).toBe('Time,Method,Path,Status,Bytes,Duration (ms),Client IP,User agent,Referer,Upstream');
  expect(lines[1]).toContain(',GET,/index.html?q=1,200,');
  // A path a client chose that a spreadsheet would run as a formula is written inert.
  expect(lines[2]).toContain(`,"'=HYPERLINK(""http://evil.test"")",`);
});

test('columns can be hidden for good; Clear empties the log and its counts; the filter clears', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serveNewSite('columns');
  // The empty log offers the server's address as a link that opens the browser.
  await reviewShots(page, 'log-empty');
  await page.getByRole('link', { name: url }).click();
  if (test.info().project.name === 'harness') await expect.poll(() => app?.opened()).toContain(url);
  for (let i = 0; i < 3; i++) await get(`${url}index.html`);
  await get(`${url}missing.txt`);
  const log = requestLog(page);
  await expect(log.locator('[data-seq]')).toHaveCount(4);
  await expect(page.getByText('4 requests · 1 4xx · 0 5xx')).toBeVisible();

  // Hide Client IP: the rows and titles drop it, and the choice is kept for the next launch.
  await expect(log.locator('.log-ip').first()).toBeVisible();
  await expect(page.locator('.log-columns')).toContainText('Client IP');
  await page.getByRole('button', { name: 'View' }).click();
  await reviewShots(page, 'log-view-menu');
  await page.getByRole('button', { name: 'View' }).click();
  await expect(page.getByRole('checkbox', { name: 'Client IP' })).toBeHidden();
  await page.getByRole('button', { name: 'View' }).click();
  await page.getByRole('checkbox', { name: 'Client IP' }).uncheck();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('checkbox', { name: 'Client IP' })).toBeHidden();
  await expect(log.locator('.log-ip')).toHaveCount(0);
  await expect(page.locator('.log-columns')).not.toContainText('Client IP');
  expect(await page.evaluate(() => localStorage.getItem('pier.log.hiddenColumns'))).toBe('ip');

  // The filter: × and Esc clear it, and "Clear filter" when nothing matches.
  const filter = page.getByTestId('log-filter');
  await expect(filter).toHaveAccessibleName('Filter requests');
  await filter.fill('nothing-like-this');
  await expect(page.getByText('No requests match')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filter' }).click();
  await expect(filter).toHaveValue('');
  await expect(requestLog(page).locator('[data-seq]')).toHaveCount(4);
  await filter.fill('missing');
  await expect(requestLog(page).locator('[data-seq]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Clear the filter text' }).click();
  await expect(filter).toHaveValue('');
  await filter.fill('missing');
  await filter.press('Escape');
  await expect(filter).toHaveValue('');
  await expect(requestLog(page).locator('[data-seq]')).toHaveCount(4);

  // Clear empties the rows and the counts, and counting starts again from zero.
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await expect(requestLog(page).locator('[data-seq]')).toHaveCount(0);
  await expect(page.getByText('0 requests · 0 4xx · 0 5xx')).toBeVisible();
  await page.waitForTimeout(300);
  await expect(page.getByText('0 requests · 0 4xx · 0 5xx')).toBeVisible();
  await get(`${url}index.html`);
  await expect(page.getByText('1 request · 0 4xx · 0 5xx')).toBeVisible();

  // Still so after the engine is replaced (it died): the counts go on from the cleared ones.
  process.kill(app.enginePid(), 'SIGKILL');
  await expect(page.getByText('Running', { exact: true })).toBeVisible({ timeout: 20_000 });
  // Until the new engine listens again, a request may meet a closed port: that one isn't counted.
  await expect.poll(async () => (await get(`${url}index.html`).catch(() => ({ status: 0 }))).status, { timeout: 20_000 }).toBe(200);
  await expect(page.getByText(/^2 requests · 0 4xx · 0 5xx/)).toBeVisible();
});

test('under load the header shows requests per second, and 0 again when idle; dropped entries are said', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serveNewSite('busy');
  const summary = page.locator('.log-summary');
  await expect(summary).toContainText('0 req/s');
  await flood(url, 6000);
  await expect(summary).toContainText(/[1-9][\d,.]* req\/s/);
  await expect(page.getByText('Older requests were dropped: the log keeps the last 5,000.')).toBeVisible();
  await expect(summary).toContainText(' 0 req/s', { timeout: 10_000 });
});
