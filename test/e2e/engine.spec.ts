import { expect, test } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { get, makeSite, requestLog, shownUrl } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** True while a process with this id exists. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the servers run in their own process: when it dies, the window says so and the servers come back on the same ports', async () => {
  app = await launchApp();
  const { page } = app;
  const site = await makeSite('survivor');
  cleanups.push(site.cleanup);
  await app.pickFolder(site.root);
  await page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(page.getByRole('heading', { name: 'survivor', level: 2 })).toBeVisible();
  const url = await shownUrl(page);
  expect((await get(`${url}?before`)).status).toBe(200);
  await expect(requestLog(page).getByText('/?before')).toBeVisible();

  const enginePid = app.enginePid();
  expect(enginePid).not.toBe(process.pid);
  process.kill(enginePid, 'SIGKILL');

  // The window lives on and says what happened.
  const notice = page.getByRole('alert').filter({ hasText: /server engine stopped unexpectedly \(.+\); your servers were started again/ });
  await expect(notice).toBeVisible({ timeout: 15_000 });
  expect(alive(enginePid)).toBe(false);
  expect(app.enginePid()).not.toBe(enginePid);

  // Same server, same port, still running; and its requests reach the log again.
  await expect(page.getByRole('heading', { name: 'survivor', level: 2 })).toBeVisible();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  expect(await shownUrl(page)).toBe(url);
  expect((await get(`${url}assets/app.js?after`)).status).toBe(200);
  await expect(requestLog(page).getByText('/assets/app.js?after')).toBeVisible();
  // What the log showed before the crash stays, and the count goes on from it.
  await expect(requestLog(page).getByText('/?before')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Servers' }).getByTitle('2 requests')).toBeVisible();
  // What the user saw, kept with the test's output for a look.
  await page.screenshot({ path: test.info().outputPath('after-engine-restart.png') });
});

test('quitting ends the engine process', async () => {
  app = await launchApp();
  const enginePid = app.enginePid();
  expect(alive(enginePid)).toBe(true);
  await app.close();
  app = null;
  expect(alive(enginePid)).toBe(false);
});
