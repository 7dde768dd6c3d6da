import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';

import { expect, test, type Page } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { applySwitch, makeSite, readmeShot, reviewShots, seriousViolationsLightAndDark, shownUrl } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A Unity WebGL export as Unity writes it: index.html and Build/ with brotli files and a loader. */
async function makeUnityBuild(): Promise<string> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-unity-'));
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  const root = path.join(parent, 'my-game');
  await mkdir(path.join(root, 'Build'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>My game</title><canvas></canvas>');
  await writeFile(path.join(root, 'Build', 'game.loader.js'), 'function createUnityInstance() {}');
  // The smallest valid module: magic and version.
  await writeFile(path.join(root, 'Build', 'game.wasm.br'), brotliCompressSync(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
  await writeFile(path.join(root, 'Build', 'game.data.br'), brotliCompressSync(Buffer.from('data')));
  return root;
}

async function serve(folder: string, name: string): Promise<void> {
  if (!app) throw new Error('launch first');
  await app.pickFolder(folder);
  await app.page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(app.page.getByRole('heading', { name, level: 2 })).toBeVisible();
  await expect(app.page.getByText('Running', { exact: true })).toBeVisible();
}

async function serveSite(name = 'my-site'): Promise<void> {
  const made = await makeSite(name);
  cleanups.push(made.cleanup);
  await serve(made.root, name);
}

/** Headers of a GET from the test process; only ever 127.0.0.1. */
async function headersOf(url: string): Promise<Headers> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`tests only connect to 127.0.0.1, not ${url}`);
  const res = await fetch(url, { headers: { 'accept-encoding': 'br, gzip' } });
  await res.body?.cancel();
  return res.headers;
}

/** The port of the selected server, from the local URL on screen (http or https). */
async function shownPort(page: Page): Promise<number> {
  const url = page.getByText(/^https?:\/\/127\.0\.0\.1:\d+\/$/).first();
  await expect(url).toBeVisible();
  return Number(new URL((await url.textContent()) ?? '').port);
}

test('a Unity build is recognized, and Turn on serves its brotli wasm as wasm', async () => {
  app = await launchApp();
  const { page } = app;
  await serve(await makeUnityBuild(), 'my-game');
  const url = await shownUrl(page);
  // Without the preset the .br file is an opaque download.
  expect((await headersOf(`${url}Build/game.wasm.br`)).get('content-encoding')).toBeNull();

  const banner = page.getByRole('status').filter({ hasText: 'This looks like a Unity WebGL build' });
  await expect(banner).toContainText('This looks like a Unity WebGL build (Build/game.wasm.br). It needs the Unity preset to load.');
  expect(await seriousViolationsLightAndDark(page), 'build banner').toEqual([]);
  await reviewShots(page, 'build-banner');
  await banner.getByRole('button', { name: 'Turn on' }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Options on' }).getByText('Unity', { exact: true })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Server settings' }).getByRole('switch', { name: 'Unity build' })).toBeChecked();

  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  const headers = await headersOf(`${await shownUrl(page)}Build/game.wasm.br`);
  expect(headers.get('content-encoding')).toBe('br');
  expect(headers.get('content-type')).toMatch(/^application\/wasm/);
});

test('an ordinary site gets no build banner', async () => {
  app = await launchApp();
  await serveSite();
  await expect(app.page.getByText('This looks like')).toHaveCount(0);
});

test('LAN without a password says who can read it, until a password is set', async () => {
  app = await launchApp({ lanAddresses: ['192.168.1.20'] });
  const { page } = app;
  await serveSite('mockups');
  const warning = page.getByText('Anyone on this network can open every file in mockups — add a password in Settings.');
  await expect(warning).toHaveCount(0);
  await applySwitch(page, 'Reachable from the LAN', true);
  await expect(warning).toBeVisible();

  await page.getByRole('button', { name: 'Add a password' }).click();
  const form = page.getByRole('form', { name: 'Server settings' });
  const require = form.getByRole('checkbox', { name: 'Require a password' });
  await expect(require).toBeFocused();
  await page.keyboard.press('Space');
  await form.getByRole('textbox', { name: 'User name' }).fill('ann');
  await form.getByLabel('Password', { exact: true }).fill('s3cret');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(warning).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Options on' }).getByText('Password', { exact: true })).toBeVisible();
});

test('trust on this computer lists the stores first, then installs into this user’s (temp) home and removes again', async () => {
  app = await launchApp();
  const { page } = app;
  await serveSite();
  await applySwitch(page, 'HTTPS', true);
  await page.getByRole('button', { name: 'Trust on this computer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Trust on this computer' });
  const adds = dialog.getByRole('region', { name: 'Install adds it to' });
  await expect(adds).toContainText('Chromium and Chrome (NSS database ~/.pki/nssdb)');
  await expect(dialog).toContainText('SHA-256');
  expect(await seriousViolationsLightAndDark(page), 'trust dialog').toEqual([]);
  await reviewShots(page, 'trust-dialog');

  const nssdb = path.join(app.home, '.pki', 'nssdb');
  expect(existsSync(nssdb)).toBe(false);
  await dialog.getByRole('button', { name: 'Install' }).click();
  const done = page.getByRole('dialog', { name: 'Trust installed' });
  const changes = done.getByRole('list', { name: 'What changed' });
  await expect(changes).toContainText('Chromium and Chrome (NSS database ~/.pki/nssdb)');
  await expect(changes.locator('li.is-ok')).not.toHaveCount(0);
  await reviewShots(page, 'trust-installed');
  expect(existsSync(path.join(nssdb, 'cert9.db'))).toBe(true);
  await done.getByRole('button', { name: 'Done' }).click();

  // Trusted now: the row says so, and the same dialog offers to take it back.
  await expect(page.getByText('Browsers on this computer trust Pier’s certificates.')).toBeVisible();
  await page.getByRole('button', { name: 'Manage trust' }).click();
  await page.getByRole('dialog', { name: 'Trust on this computer' }).getByRole('button', { name: 'Remove trust' }).click();
  await expect(page.getByRole('dialog', { name: 'Trust removed' }).getByRole('list', { name: 'What changed' })).toContainText('Chromium');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: 'Trust on this computer' })).toBeVisible();
});

test('the phone panel: a QR code for the site and one for the trust page, and the addresses Pier sees', async () => {
  // Six adapters, as a developer's laptop with Docker and two VPNs has: enough to overflow a one-line picker.
  app = await launchApp({
    lanInterfaces: {
      docker0: ['172.17.0.1'],
      en0: ['192.168.1.20'],
      utun3: ['100.64.0.7'],
      wlan0: ['10.200.100.123'],
      tailscale0: ['100.101.102.103'],
      'br-5f2a': ['172.18.0.1'],
    },
  });
  const { page } = app;
  await serveSite();
  const form = page.getByRole('form', { name: 'Server settings' });
  await form.getByRole('switch', { name: 'Reachable from the LAN' }).check();
  await applySwitch(page, 'HTTPS', true);
  const port = await shownPort(page);
  // Real adapters first: the first LAN URL is the Wi-Fi/Ethernet one.
  await expect(page.getByText(`https://192.168.1.20:${port}/`, { exact: true })).toBeVisible();

  await expect(page.getByText('Anyone on this network can open every file in my-site')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Trust on this computer' })).toBeEnabled();
  await page.getByRole('main').evaluate((pane) => pane.scrollTo(0, 0));
  expect(await seriousViolationsLightAndDark(page), 'addresses with the LAN warning and the certificate row').toEqual([]);
  await reviewShots(page, 'sharing-pane');
  await page.getByRole('button', { name: 'Show QR code' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open on your phone' });
  await expect(dialog.getByRole('img', { name: `QR code for https://192.168.1.20:${port}/` })).toBeVisible();
  await expect(dialog.getByRole('img', { name: `QR code for http://192.168.1.20:${port}/.pier/trust` })).toBeVisible();
  await expect(dialog.getByText('Plain HTTP on purpose')).toBeVisible();
  // The trust page the QR code leads to answers over plain HTTP on the HTTPS server's own port.
  const page$ = await fetch(`http://127.0.0.1:${port}/.pier/trust`);
  expect(page$.status).toBe(200);

  // Another address: both codes follow it.
  const picker = dialog.getByRole('combobox', { name: 'Network address' });
  await picker.selectOption('100.64.0.7');
  await expect(dialog.getByRole('img', { name: `QR code for http://100.64.0.7:${port}/.pier/trust` })).toBeVisible();
  await expect(dialog.getByRole('img', { name: `QR code for https://100.64.0.7:${port}/` })).toBeVisible();
  // The picker stays inside the dialog.
  const box = (await dialog.boundingBox())!;
  const pickerBox = (await picker.boundingBox())!;
  expect(pickerBox.x).toBeGreaterThanOrEqual(box.x);
  expect(pickerBox.x + pickerBox.width).toBeLessThanOrEqual(box.x + box.width);

  await dialog.getByText('Can’t open it on your phone?').click();
  const addresses = dialog.getByRole('list', { name: 'Addresses Pier sees' });
  await expect(addresses.getByRole('listitem')).toHaveText([
    /Wi-Fi \/ Ethernet \(en0\)\s*192\.168\.1\.20/,
    /Wi-Fi \/ Ethernet \(wlan0\)\s*10\.200\.100\.123/,
    /VPN \/ virtual \(docker0\)\s*172\.17\.0\.1/,
    /VPN \/ virtual \(utun3\)\s*100\.64\.0\.7/,
    /VPN \/ virtual \(tailscale0\)\s*100\.101\.102\.103/,
    /VPN \/ virtual \(br-5f2a\)\s*172\.18\.0\.1/,
  ]);
  await expect(dialog).toContainText('Windows Defender Firewall');
  await expect(dialog).toContainText('System Settings → Network → Firewall → Options');
  expect(await seriousViolationsLightAndDark(page), 'phone panel').toEqual([]);
  await reviewShots(page, 'phone-panel');
  await dialog.evaluate((d) => d.scrollTo(0, d.scrollHeight));
  await reviewShots(page, 'phone-help');
});

test('README screenshot: the sharing panel with both QR codes and the trust controls', { tag: '@readme-screenshot' }, async () => {
  app = await launchApp({ lanInterfaces: { en0: ['192.168.1.20'] } });
  const { page } = app;
  await serveSite('my-site');
  const form = page.getByRole('form', { name: 'Server settings' });
  await form.getByRole('switch', { name: 'Reachable from the LAN' }).check();
  await applySwitch(page, 'HTTPS', true);
  await expect(page.getByRole('button', { name: 'Trust on this computer' })).toBeEnabled();
  // The addresses with the LAN warning and the certificate row, then the phone panel over them.
  await page.getByRole('main').evaluate((pane) => pane.scrollTo(0, 0));
  await readmeShot(page, 'sharing-addresses');
  await page.getByRole('button', { name: 'Show QR code' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open on your phone' });
  await expect(dialog.getByRole('img')).toHaveCount(2);
  await readmeShot(page, 'sharing');
});
