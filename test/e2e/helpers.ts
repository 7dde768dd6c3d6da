import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { expect, type Page } from '@playwright/test';

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
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
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

/** The request log's scroll container. */
export const requestLog = (page: Page) => page.getByRole('log', { name: 'Request log' });

/** Turn a settings switch of the selected server on or off, Apply, and wait for it to run again. */
export async function applySwitch(page: Page, name: string, on: boolean): Promise<void> {
  const form = page.getByRole('form', { name: 'Server settings' });
  const toggle = form.getByRole('switch', { name });
  await (on ? toggle.check() : toggle.uncheck());
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
}
