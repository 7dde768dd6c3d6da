import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { applySwitch, makeSite, reviewShots } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

test('Export: a server with SPA fallback as nginx and Caddy config, copied and saved where the user chose', async () => {
  const site = await makeSite('spa-site');
  cleanups.push(site.cleanup);
  const saveDir = await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-save-'));
  cleanups.push(() => rm(saveDir, { recursive: true, force: true }));
  const root = await realpath(site.root);

  app = await launchApp();
  const { page } = app;
  await app.pickFolder(site.root);
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  await applySwitch(page, 'SPA fallback', true);

  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export for production' });
  await expect(dialog).toBeVisible();

  await dialog.getByRole('radio', { name: 'nginx' }).check();
  const nginx = dialog.getByRole('textbox', { name: 'nginx config' });
  await expect(nginx).toHaveValue(/try_files/);
  expect(await nginx.inputValue()).toContain(root);

  await dialog.getByRole('radio', { name: 'Caddy' }).check();
  const caddy = dialog.getByRole('textbox', { name: 'Caddyfile' });
  await expect(caddy).toHaveValue(/file_server/);
  const text = await caddy.inputValue();
  expect(text).toContain(root);
  await reviewShots(page, 'export-dialog');

  await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(dialog.getByRole('status').getByText('Copied')).toBeVisible();
  if (test.info().project.name === 'harness') expect(await app.clipboard()).toBe(text);

  const target = path.join(saveDir, 'site.Caddyfile');
  await app.pickSavePath(target);
  await dialog.getByRole('button', { name: 'Save…', exact: true }).click();
  await expect(dialog.getByRole('status')).toHaveText(`Saved to ${target}`);
  expect(await readFile(target, 'utf8')).toBe(text);
  if (test.info().project.name === 'harness') expect(await app.suggestedSaveName()).toBe('Caddyfile');

  // Cancelling the save dialog writes nothing.
  await app.pickSavePath(null);
  await dialog.getByRole('radio', { name: 'nginx' }).check();
  await expect(nginx).toHaveValue(/try_files/);
  await dialog.getByRole('button', { name: 'Save…', exact: true }).click();
  // The harness saw the dialog asked for (with nginx's name) before the file is checked.
  if (test.info().project.name === 'harness') await expect.poll(() => app?.suggestedSaveName()).toBe('spa-site.conf');
  await expect(dialog.getByRole('status')).toHaveText('');
  expect(await readFile(target, 'utf8')).toBe(text);

  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
