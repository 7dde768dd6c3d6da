import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { expect, test, type Page } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { get, makeSite, reviewShots, seriousViolationsLightAndDark, shownUrl } from './helpers';

// Managing a server from its pane: its folder, unapplied settings, ports,
// names in the sidebar, and the layout down to a small window.

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function site(name?: string): Promise<string> {
  const made = await makeSite(name);
  cleanups.push(made.cleanup);
  return made.root;
}

/** A folder `parent/name` with a page saying `text`, under a temp folder removed after the test. */
async function folderAt(parent: string, name: string, text: string): Promise<string> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-folders-'));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  const root = path.join(base, parent, name);
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'index.html'), `<!doctype html><title>${text}</title><h1>${text}</h1>`);
  return root;
}

async function serve(page: Page, pier: PierApp, root: string): Promise<string> {
  await pier.pickFolder(root);
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  return shownUrl(page);
}

const form = (page: Page) => page.getByRole('form', { name: 'Server settings' });
const serverList = (page: Page) => page.getByRole('list', { name: 'Servers' });

test('a server whose folder is missing: Choose folder… in its error serves another folder on the same port', async () => {
  app = await launchApp();
  const { page } = app;
  const first = await site('my-site');
  const url = await serve(page, app, first);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByText('Stopped', { exact: true })).toBeVisible();
  await rm(first, { recursive: true });
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'does not exist' });
  await expect(alert).toBeVisible();

  const moved = await folderAt('elsewhere', 'my-site', 'Moved here');
  await app.pickFolder(moved);
  await alert.getByRole('button', { name: 'Choose folder…' }).click();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(page)).toBe(url);
  expect((await get(url)).body).toContain('Moved here');
  await expect(form(page).getByText(moved, { exact: true })).toBeVisible();
});

test('the Folder setting: Choose… and Apply move a running server to another folder, its port and settings kept', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serve(page, app, await site('my-site'));
  const other = await folderAt('v2', 'build', 'Version two');
  await app.pickFolder(other);
  await form(page).getByRole('button', { name: 'Choose…' }).click();
  await expect(form(page).getByText(other, { exact: true })).toBeVisible();
  await expect(page.getByText('Unsaved changes. Applying restarts the server.')).toBeVisible();
  await reviewShots(page, 'folder-field', () => form(page).getByText(other, { exact: true }).scrollIntoViewIfNeeded());
  await form(page).getByRole('button', { name: 'Apply' }).click();
  await expect(form(page).getByRole('button', { name: 'Apply' })).toBeDisabled();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(page)).toBe(url);
  expect((await get(url)).body).toContain('Version two');
  await expect(page.getByRole('heading', { name: 'my-site', level: 2 })).toBeVisible();
});

test('a folder deleted while its server runs shows the error at once, and runs again when it is back', async () => {
  app = await launchApp();
  const { page } = app;
  const root = await site('my-site');
  const url = await serve(page, app, root);
  await rename(root, `${root}-renamed`);
  const alert = page.getByRole('alert').filter({ hasText: 'is gone' });
  await expect(alert).toBeVisible({ timeout: 3_000 });
  await expect(page.getByText('Error', { exact: true })).toBeVisible();
  await expect(serverList(page).getByText('folder missing')).toBeVisible();
  await expect(page.getByText('Running', { exact: true })).toHaveCount(0);
  const meanwhile = await get(url);
  expect(meanwhile.status).toBe(503);
  expect(meanwhile.body).not.toContain('Hello from my site');
  expect(await seriousViolationsLightAndDark(page)).toEqual([]);
  await reviewShots(page, 'folder-gone');

  await rename(`${root}-renamed`, root);
  await expect(page.getByText('Running', { exact: true })).toBeVisible({ timeout: 3_000 });
  await expect(alert).toHaveCount(0);
  expect(await shownUrl(page)).toBe(url);
  expect((await get(url)).body).toContain('Hello from my site');
});

test('unapplied settings survive switching servers, with a marker in the sidebar and Apply in view', async () => {
  app = await launchApp();
  const { page } = app;
  await serve(page, app, await site('alpha'));
  await serve(page, app, await site('beta'));
  const alpha = serverList(page).getByRole('button', { name: /^alpha/ });
  const beta = serverList(page).getByRole('button', { name: /^beta/ });

  await alpha.click();
  await form(page).getByRole('switch', { name: 'SPA fallback' }).check();
  // Wherever the pane is scrolled (here: its top, with the log in view), Apply and the restart are in view.
  await page.getByRole('heading', { name: 'alpha', level: 2 }).scrollIntoViewIfNeeded();
  await expect(form(page).getByRole('button', { name: 'Apply' })).toBeInViewport();
  await expect(page.getByText('Unsaved changes. Applying restarts the server.')).toBeInViewport();
  await expect(alpha.getByTitle('Unsaved changes')).toBeVisible();
  await expect(alpha).toHaveAccessibleName(/unsaved changes/);
  expect(await seriousViolationsLightAndDark(page)).toEqual([]);
  await reviewShots(page, 'settings-draft');

  await beta.click();
  await expect(page.getByRole('heading', { name: 'beta', level: 2 })).toBeVisible();
  await expect(form(page).getByRole('switch', { name: 'SPA fallback' })).not.toBeChecked();
  await expect(form(page).getByRole('button', { name: 'Apply' })).toBeDisabled();
  await expect(alpha.getByTitle('Unsaved changes')).toBeVisible();
  await expect(beta.getByTitle('Unsaved changes')).toHaveCount(0);

  // Closing Settings keeps the bar, too.
  await alpha.click();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(form(page).getByRole('button', { name: 'Apply' })).toBeInViewport();
  await form(page).getByRole('button', { name: 'Apply' }).click();
  await expect(alpha.getByTitle('Unsaved changes')).toHaveCount(0);
  await expect(form(page).getByRole('button', { name: 'Apply' })).toBeHidden();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(form(page).getByRole('switch', { name: 'SPA fallback' })).toBeChecked();
  const route = await get(`${await shownUrl(page)}some/route`);
  expect(route.status).toBe(200);
});

/** Hold a port on 127.0.0.1 as another program would. */
async function holdPort(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const held = { port: (server.address() as net.AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  cleanups.push(held.close);
  return held;
}

async function typePort(page: Page, port: number): Promise<void> {
  await form(page).getByRole('radio', { name: 'Fixed' }).check();
  const field = form(page).getByRole('spinbutton', { name: 'Port' });
  await field.fill(String(port));
  await field.blur();
}

test('Apply is refused in the form on a port the window knows is taken', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serve(page, app, await site());
  const taken = await holdPort();
  await typePort(page, taken.port);
  await expect(form(page).getByText(`Port ${taken.port} is in use.`, { exact: false }).first()).toBeVisible();
  await expect(page.getByText(`Port ${taken.port} is in use. Choose another port to apply.`)).toBeVisible();
  await expect(form(page).getByRole('button', { name: 'Apply' })).toBeDisabled();
  await form(page).getByRole('spinbutton', { name: 'Port' }).press('Enter');
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(page)).toBe(url);
});

test('a port change that cannot start leaves the server running on the port that worked', async () => {
  app = await launchApp();
  const { page } = app;
  const url = await serve(page, app, await site());
  const working = Number(new URL(url).port);
  // Free when the window checks it, taken by the time Apply restarts the server.
  const spare = await holdPort();
  await spare.close();
  await typePort(page, spare.port);
  await expect(form(page).getByRole('button', { name: 'Apply' })).toBeEnabled();
  await page.waitForTimeout(500); // the field's own check has answered "free"
  await holdPort(spare.port);
  await form(page).getByRole('button', { name: 'Apply' }).click();
  await expect(form(page).getByRole('alert')).toHaveText(
    `Port ${spare.port} is already in use. Nothing was changed: the server goes on at port ${working}.`,
  );
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(page)).toBe(url);
  expect((await get(url)).status).toBe(200);
  await expect(page.getByRole('button', { name: /^Use port/ })).toHaveCount(0);
  // The edit is still there to change.
  await expect(form(page).getByRole('spinbutton', { name: 'Port' })).toHaveValue(String(spare.port));
});

test('two folders with the same name are told apart in the sidebar by their parent folders', async () => {
  app = await launchApp();
  const { page } = app;
  await serve(page, app, await folderAt('site-a', 'dist', 'A'));
  await serve(page, app, await folderAt('site-b', 'dist', 'B'));
  await serve(page, app, await site('docs'));
  const names = serverList(page).locator('.server-item-name');
  await expect(names).toHaveText(['dist — site-a', 'dist — site-b', 'docs']);
  await reviewShots(page, 'same-names');
});

test('at 800×560 the URL is whole, header buttons are icons with tooltips, and HTTPS and password show beside the status', async () => {
  app = await launchApp({ lanAddresses: ['192.168.1.20', '10.0.0.200'] });
  const { page } = app;
  await page.setViewportSize({ width: 800, height: 560 });
  await serve(page, app, await site('a-site-with-a-rather-long-name'));
  await form(page).getByRole('checkbox', { name: 'Require a password' }).check();
  await form(page).getByRole('textbox', { name: 'User name' }).fill('ann');
  await form(page).getByLabel('Password', { exact: true }).fill('s3cret');
  await form(page).getByRole('switch', { name: 'Reachable from the LAN' }).check();
  await form(page).getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();

  const url = page.locator('.url-primary');
  await expect(url).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  const fits = await url.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth);
  expect(fits, 'the local URL is not cut').toBe(true);

  for (const name of ['Stop', 'Export…', 'Open in browser', 'Copy URL', 'Show QR code']) {
    const button = page.getByRole('button', { name, exact: true });
    await expect(button).toBeVisible();
    await expect(button).toHaveAttribute('title', new RegExp(`^${name.replace('…', '')}`));
    await expect(button.locator('.btn-collapsible-label')).toBeHidden();
  }
  const status = page.locator('.pane-title-row');
  await status.scrollIntoViewIfNeeded();
  await expect(status.getByText('Running', { exact: true })).toBeInViewport();
  await expect(status.getByRole('list', { name: 'Options on' }).getByText('Password', { exact: true })).toBeInViewport();

  await page.getByRole('button', { name: 'Show QR code' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open on your phone' });
  const picker = dialog.getByRole('group', { name: 'Network address' });
  await expect(picker).toBeVisible();
  const [outer, inner] = [await dialog.boundingBox(), await picker.boundingBox()];
  expect(inner!.x).toBeGreaterThanOrEqual(outer!.x);
  expect(inner!.x + inner!.width).toBeLessThanOrEqual(outer!.x + outer!.width);
  await reviewShots(page, 'qr-small');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // With room, the same buttons have their words again.
  await page.setViewportSize({ width: 1100, height: 720 });
  await expect(page.getByRole('button', { name: 'Stop', exact: true }).locator('.btn-collapsible-label')).toBeVisible();
  await reviewShots(page, 'pane');
});
