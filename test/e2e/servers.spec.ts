import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { applySwitch, get, makeSite, requestLog, shownUrl } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function site(name?: string) {
  const made = await makeSite(name);
  cleanups.push(made.cleanup);
  return made.root;
}

test('serve a folder: its URL answers, and the request shows in the log within a second', async () => {
  app = await launchApp();
  const { page } = app;
  await expect(page.getByRole('heading', { name: 'Serve your first folder' })).toBeVisible();
  await app.pickFolder(await site('my-site'));
  await page.getByRole('button', { name: 'Serve a folder' }).click();

  await expect(page.getByRole('heading', { name: 'my-site', level: 2 })).toBeVisible();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  const url = await shownUrl(page);
  const res = await get(`${url}assets/app.js?from=node`);
  expect(res.status).toBe(200);
  await expect(requestLog(page).getByText('/assets/app.js?from=node')).toBeVisible({ timeout: 1_000 });
  // Dotfiles stay private, and the attempt is logged as a 404.
  expect((await get(`${url}.env`)).status).toBe(404);
  await expect(requestLog(page).getByText('/.env')).toBeVisible({ timeout: 1_000 });
});

test('cancelling the folder picker changes nothing', async () => {
  app = await launchApp();
  await app.pickFolder(null);
  await app.page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(app.page.getByRole('heading', { name: 'Serve your first folder' })).toBeVisible();
  await expect(app.page.getByRole('list', { name: 'Servers' }).getByRole('button')).toHaveCount(0);
});

test('stop frees the port at once; start serves again', async () => {
  app = await launchApp();
  const { page } = app;
  await app.pickFolder(await site());
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  const url = await shownUrl(page);
  expect((await get(url)).status).toBe(200);

  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByText('Stopped', { exact: true })).toBeVisible();
  await expect(get(url)).rejects.toThrow();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(page)).toBe(url);
  expect((await get(url)).status).toBe(200);
});

test('turning on SPA fallback takes effect after Apply', async () => {
  app = await launchApp();
  const { page } = app;
  await app.pickFolder(await site());
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  const url = await shownUrl(page);
  expect((await get(`${url}settings/profile`)).status).toBe(404);

  await applySwitch(page, 'SPA fallback', true);
  const route = await get(`${url}settings/profile`);
  expect(route.status).toBe(200);
  expect(route.body).toContain('Hello from my site');
  expect((await get(`${url}missing.png`)).status).toBe(404);
});

test('Chromium gets scripts compressed and runs them; the Compression switch turns it off', async () => {
  app = await launchApp();
  const { page } = app;
  const root = await site('compressed');
  await writeFile(path.join(root, 'big.js'), `document.title = 'ran';\n${'// a line of a bundle\n'.repeat(400)}`);
  await writeFile(path.join(root, 'page.html'), '<!doctype html><title>waiting</title><script src="big.js"></script>');
  await app.pickFolder(root);
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  const url = await shownUrl(page);

  const visit = async () => {
    const tab = await page.context().newPage();
    const script = tab.waitForResponse((res) => res.url().endsWith('/big.js'));
    await tab.goto(`${url}page.html`);
    const encoding = (await (await script).allHeaders())['content-encoding'];
    await expect(tab).toHaveTitle('ran');
    await tab.close();
    return encoding;
  };
  expect(await visit()).toBe('br');

  await applySwitch(page, 'Compression', false);
  expect(await visit()).toBeUndefined();
});

test('the cross-origin isolation switch makes the page crossOriginIsolated in Chromium', async () => {
  app = await launchApp();
  const { page } = app;
  const root = await site('isolated');
  await writeFile(path.join(root, 'check.html'), '<!doctype html><title>checking</title><script>document.title = String(crossOriginIsolated)</script>');
  await app.pickFolder(root);
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  const url = await shownUrl(page);
  const isolated = async () => {
    const tab = await page.context().newPage();
    await tab.goto(`${url}check.html`);
    const title = await tab.title();
    await tab.close();
    return title;
  };
  expect(await isolated()).toBe('false');

  await applySwitch(page, 'Cross-origin isolation', true);
  expect(await isolated()).toBe('true');
});

test('two servers run side by side on their own ports', async () => {
  app = await launchApp();
  const { page } = app;
  await app.pickFolder(await site('first'));
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  const first = await shownUrl(page);
  await app.pickFolder(await site('second'));
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(page.getByRole('heading', { name: 'second', level: 2 })).toBeVisible();
  const second = await shownUrl(page);
  expect(second).not.toBe(first);
  const list = page.getByRole('list', { name: 'Servers' });
  await expect(list.getByRole('button')).toHaveCount(2);
  expect((await get(first)).status).toBe(200);
  expect((await get(second)).status).toBe(200);

  await list.getByRole('button', { name: /first/ }).click();
  await expect(page.getByRole('heading', { name: 'first', level: 2 })).toBeVisible();
  await expect(requestLog(page).getByText('GET', { exact: true })).toHaveCount(1);
});

test('a taken port is shown as an error with a one-click fix', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = (blocker.address() as net.AddressInfo).port;
  // Free while the window checks it, taken again before the server starts on it.
  await new Promise((resolve) => blocker.close(resolve));

  app = await launchApp();
  const { page } = app;
  await app.pickFolder(await site());
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  await shownUrl(page);
  // A stopped server takes the port without trying it (a running one would stay where it works: settings.spec.ts).
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByText('Stopped', { exact: true })).toBeVisible();
  const form = page.getByRole('form', { name: 'Server settings' });
  await form.getByRole('radio', { name: 'Fixed' }).check();
  await form.getByRole('textbox', { name: 'Port' }).or(form.getByRole('spinbutton', { name: 'Port' })).fill(String(taken));
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
  await page.getByRole('button', { name: 'Start', exact: true }).click();

  const alert = page.getByRole('alert').filter({ hasText: `Port ${taken} is already in use` });
  await expect(alert).toBeVisible();
  await expect(page.getByText('Error', { exact: true })).toBeVisible();
  const fix = page.getByRole('button', { name: /^Use port \d+$/ }).first();
  const suggested = Number((await fix.textContent())?.match(/\d+/)?.[0]);
  expect(suggested).toBeGreaterThan(taken);
  await fix.click();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(page)).toBe(`http://127.0.0.1:${suggested}/`);
});

test('relaunching with the same settings brings the servers back, running', async () => {
  app = await launchApp();
  await app.pickFolder(await site('kept'));
  await app.page.getByRole('button', { name: 'Serve a folder' }).click();
  const url = await shownUrl(app.page);
  const { userDataDir } = app;
  await app.close();
  await expect(get(url)).rejects.toThrow();

  app = await launchApp({ userDataDir });
  await app.page.getByRole('list', { name: 'Servers' }).getByRole('button', { name: /kept/ }).click();
  await expect(app.page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(app.page)).toBe(url);
  expect((await get(url)).status).toBe(200);
});

test('dropping a folder onto the window serves it', async () => {
  app = await launchApp();
  await app.dropFolder(await site('dropped'));
  await expect(app.page.getByRole('heading', { name: 'dropped', level: 2 })).toBeVisible();
  expect((await get(await shownUrl(app.page))).status).toBe(200);
});

test('removing a server asks first, then stops it', async () => {
  app = await launchApp();
  const { page } = app;
  await app.pickFolder(await site('doomed'));
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  const url = await shownUrl(page);
  await page.getByRole('button', { name: 'Remove server' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'doomed', level: 2 })).toBeVisible();
  await page.getByRole('button', { name: 'Remove server' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('heading', { name: 'Serve your first folder' })).toBeVisible();
  await expect(get(url)).rejects.toThrow();
});
