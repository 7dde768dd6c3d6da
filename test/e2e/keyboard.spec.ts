import { expect, test } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { get, openSite } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const serve = (name: string) => openSite(app, name, cleanups);

const title = (app: PierApp, name: string) => expect(app.page.getByRole('heading', { name, level: 2 })).toBeVisible();

test('the menu’s shortcuts move between servers: Ctrl/Cmd+1…9, next and previous', async () => {
  app = await launchApp();
  await serve('alpha');
  await serve('beta');
  await serve('gamma');

  await app.menu('server-1');
  await title(app, 'alpha');
  await app.menu('server-3');
  await title(app, 'gamma');
  await app.menu('server-9'); // no ninth server: nothing changes
  await title(app, 'gamma');
  await app.menu('next-server'); // round from the last to the first
  await title(app, 'alpha');
  await app.menu('next-server');
  await title(app, 'beta');
  await app.menu('previous-server');
  await title(app, 'alpha');
  await app.menu('previous-server');
  await title(app, 'gamma');
});

test('Find focuses the log filter; Copy URL, Open in Browser and Start/Stop act on the selected server', async () => {
  app = await launchApp();
  const { page } = app;
  await serve('first');
  const url = await serve('second');

  await app.menu('find');
  await expect(page.getByTestId('log-filter')).toBeFocused();

  await app.menu('copy-url');
  await expect.poll(() => app?.clipboard()).toBe(url);
  if (test.info().project.name === 'harness') {
    // The Electron variant would open a real browser; the harness records what main handed to it.
    await app.menu('open-in-browser');
    await expect.poll(() => app?.opened()).toEqual([url]);
  }

  await app.menu('start-stop');
  await expect(page.getByText('Stopped', { exact: true })).toBeVisible();
  await expect(get(url)).rejects.toThrow(/ECONNREFUSED/);
  await expect(page.getByRole('heading', { name: 'second', level: 2 })).toBeVisible();
  await app.menu('start-stop');
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect((await get(url)).status).toBe(200);

  // Copy URL on a stopped server says why nothing was copied.
  await app.menu('start-stop');
  await expect(page.getByText('Stopped', { exact: true })).toBeVisible();
  await app.menu('copy-url');
  await expect(page.getByText('Start the server first.')).toBeVisible();
});
