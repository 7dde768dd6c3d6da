import { existsSync } from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { get, makeSite, reviewShots, seriousViolationsLightAndDark, shownUrl } from './helpers';

let app: PierApp | null = null;
test.afterEach(async () => {
  await app?.close();
  app = null;
});

const dialog = (app: PierApp) => app.page.getByRole('dialog', { name: 'Preferences' });
const keepRunning = (app: PierApp) => dialog(app).getByRole('switch', { name: 'Keep servers running when the window is closed' });
const atLogin = (app: PierApp) => dialog(app).getByRole('switch', { name: 'Start Pier at login' });

test('Preferences opens from the sidebar and the menu, and its switches survive a restart', async () => {
  app = await launchApp();
  const { page, userDataDir } = app;
  await reviewShots(page, 'preferences-button');

  await page.getByRole('button', { name: 'Preferences' }).click();
  await expect(dialog(app)).toBeVisible();
  await expect(keepRunning(app)).not.toBeChecked();
  await expect(atLogin(app)).not.toBeChecked();
  // Each switch says what it does.
  await expect(keepRunning(app)).toHaveAccessibleDescription(/Quit Pier from the tray icon’s menu/);
  await expect(atLogin(app)).toHaveAccessibleDescription(/opens when you log in/);
  await reviewShots(page, 'preferences');
  expect(await seriousViolationsLightAndDark(page, ['.dialog-preferences'])).toEqual([]);

  await keepRunning(app).check();
  await atLogin(app).check();
  await dialog(app).getByRole('button', { name: 'Done' }).click();
  await expect(dialog(app)).toBeHidden();
  if (test.info().project.name === 'electron') {
    // Linux: the XDG autostart entry, in the test's own home.
    expect(existsSync(path.join(app.home, '.config', 'autostart', 'pier.desktop'))).toBe(true);
    // Closing the window now hides it; its server keeps answering; the menu brings it back.
    const site = await makeSite('kept-running');
    await app.pickFolder(site.root);
    await page.getByRole('button', { name: 'Serve a folder' }).click();
    const url = await shownUrl(page);
    await app.closeWindow();
    await expect.poll(() => app?.windowShown()).toBe(false);
    expect((await get(url)).status).toBe(200);
    await app.menu('preferences');
    await expect.poll(() => app?.windowShown()).toBe(true);
    await page.keyboard.press('Escape');
    await site.cleanup();
  }

  // Preferences… in the menu (Ctrl/Cmd+,) opens it too, showing what was saved.
  await app.menu('preferences');
  await expect(keepRunning(app)).toBeChecked();
  await expect(atLogin(app)).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(dialog(app)).toBeHidden();

  await app.close();
  app = await launchApp({ userDataDir });
  await app.page.getByRole('button', { name: 'Preferences' }).click();
  await expect(keepRunning(app)).toBeChecked();
  await expect(atLogin(app)).toBeChecked();

  await atLogin(app).uncheck();
  await app.close();
  app = await launchApp({ userDataDir });
  // A command sent while the window is still mounting meets no listener yet (as a shortcut pressed that early would): send it until it lands.
  const opened = app;
  await expect(async () => {
    await opened.menu('preferences');
    await expect(dialog(opened)).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 5_000 });
  await expect(keepRunning(app)).toBeChecked();
  await expect(atLogin(app)).not.toBeChecked();
});
