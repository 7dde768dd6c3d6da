import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { flood, get, makeSite, openSite, readmeShot, requestLog, seriousViolations } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const serveNewSite = (name = 'my-site') => openSite(app, name, cleanups);

test('a flood of 5,000 requests keeps the log bounded and the window responsive', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serveNewSite();
  await flood(url, 5_000);

  // Every request is counted, and the newest one is on screen.
  const list = page.getByRole('list', { name: 'Servers' });
  await expect(list.getByText(/5,?000/)).toBeVisible({ timeout: 5_000 });
  await expect(requestLog(page).getByText('/flood/4999.txt', { exact: true })).toBeVisible({ timeout: 5_000 });
  // Virtualized: only a screenful of rows is in the page, not 5,000.
  const rows = await requestLog(page).locator('[data-seq]').count();
  expect(rows).toBeGreaterThan(5);
  expect(rows).toBeLessThan(120);

  // Still answers at once: filtering narrows the 5,000 to the one asked for.
  await page.getByRole('textbox', { name: 'Filter requests' }).fill('/flood/1234.txt');
  await expect(requestLog(page).getByText('/flood/1234.txt', { exact: true })).toBeVisible();
  await expect(requestLog(page).locator('[data-seq]')).toHaveCount(1);
});

test('the log can be paused, cleared and filtered by status class', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serveNewSite();
  await get(url);
  await get(`${url}missing.txt`);
  const log = requestLog(page);
  await expect(log.getByText('/missing.txt')).toBeVisible();

  await page.getByRole('button', { name: '2xx' }).click(); // hide successes
  await expect(log.getByText('/missing.txt')).toBeVisible();
  await expect(log.locator('[data-seq]')).toHaveCount(1);
  await page.getByRole('button', { name: '2xx' }).click();

  await page.getByRole('button', { name: 'Pause' }).click();
  await get(`${url}while-paused.txt`);
  await page.waitForTimeout(400);
  await expect(log.getByText('/while-paused.txt')).toHaveCount(0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(log.getByText('/while-paused.txt')).toBeVisible();

  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(log.locator('[data-seq]')).toHaveCount(0);
});

test('an unreadable settings file is kept aside and the window says so', async () => {
  const made = await makeSite('unused');
  cleanups.push(made.cleanup);
  const userDataDir = path.join(path.dirname(made.root), 'userData');
  await mkdir(userDataDir, { recursive: true });
  await writeFile(path.join(userDataDir, 'settings.json'), '{ "version": 1, "servers": [ oops');
  app = await launchApp({ userDataDir });
  const alert = app.page.getByRole('alert').filter({ hasText: /could not be read/ });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('settings.corrupt-');
  await alert.getByRole('button', { name: /Dismiss/ }).click();
  await expect(alert).toHaveCount(0);
});

test('the keyboard alone can serve, select and stop', async () => {
  app = await launchApp();
  const { page } = app;
  const made = await makeSite('keys');
  cleanups.push(made.cleanup);
  await app.pickFolder(made.root);
  await page.keyboard.press('Control+O');
  await expect(page.getByRole('heading', { name: 'keys', level: 2 })).toBeVisible();
  const stop = page.getByRole('button', { name: 'Stop', exact: true });
  await stop.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Stopped', { exact: true })).toBeVisible();
});

test('axe finds no serious accessibility problems, light or dark', async () => {
  app = await launchApp();
  expect(await seriousViolations(app.page), 'empty state').toEqual([]);
  const url = await serveNewSite();
  await get(url);
  await get(`${url}missing.txt`);
  await expect(requestLog(app.page).getByText('/missing.txt')).toBeVisible();
  expect(await seriousViolations(app.page), 'running server with a log').toEqual([]);
  await app.page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousViolations(app.page), 'dark mode').toEqual([]);
  await app.page.getByRole('button', { name: 'Remove server' }).click();
  await expect(app.page.getByRole('dialog')).toBeVisible();
  expect(await seriousViolations(app.page), 'confirmation dialog').toEqual([]);
});

test('README screenshots: a running server with live requests, light and dark', { tag: '@readme-screenshot' }, async () => {
  app = await launchApp({ lanAddresses: ['192.168.1.20'] });
  const { page } = app;
  await serveNewSite('mockups');
  const url = await serveNewSite('my-site');
  const form = page.getByRole('form', { name: 'Server settings' });
  await form.getByRole('switch', { name: 'Reachable from the LAN' }).check();
  await form.getByRole('switch', { name: 'SPA fallback' }).check();
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('http://192.168.1.20:', { exact: false }).first()).toBeVisible();
  const visit = ['', 'assets/app.js', 'settings', 'favicon.ico', '', 'assets/app.js', 'settings/profile', 'about', 'api/missing.json'];
  for (const p of [...visit, ...visit, 'assets/logo.svg', '', 'assets/app.js']) await get(`${url}${p}`);
  await expect(requestLog(page).getByText('/assets/logo.svg')).toBeVisible();
  // The window as it opens: the server's header, addresses and log in view.
  await page.getByRole('heading', { name: 'my-site', level: 2 }).evaluate((el) => el.scrollIntoView({ block: 'end' }));
  await readmeShot(page, 'pier-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await readmeShot(page, 'pier-dark');
});
