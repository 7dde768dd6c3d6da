/**
 * The whole point of `pier trust`: after it, Debian's Chromium opens
 * `pier serve --https` at https://127.0.0.1 and https://localhost with no
 * certificate error; before it and after `--uninstall` it refuses. Everything
 * runs as a user does (`node bin/pier.js`, needs `npm run build`) in a fresh
 * temp HOME with its own NSS database, so this machine's stores are never
 * touched. Traffic goes to 127.0.0.1 only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { Browser } from 'playwright-core';

import { CHROMIUM, launchChromium } from '../helpers/chromium';
import { PIER_BIN, PROJECT } from '../helpers/cli';

const SYSTEM_STORE = '/usr/local/share/ca-certificates';
const SITE = '<!doctype html><title>Trusted site</title><h1 id="hi">served by pier over https</h1>';

const missing = [CHROMIUM, '/usr/bin/certutil'].filter((tool) => !existsSync(tool));

/** dist/cli.js must be at least as new as the trust code it bundles. */
function assertBuilt(): void {
  const cli = path.join(PROJECT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  for (const source of ['trust-command.ts', 'trust-store.ts', 'local-ca.ts', 'server-instance.ts']) {
    if (statSync(path.join(PROJECT, 'app', source)).mtimeMs > statSync(cli).mtimeMs) {
      throw new Error(`dist/cli.js is older than app/${source}: run \`npm run build\` first.`);
    }
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('pier trust with Chromium', { skip: missing.length ? `needs ${missing.join(' and ')}` : false }, () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const children = new Set<ReturnType<typeof spawn>>();

  /** `node bin/pier.js …args` with HOME and XDG_CONFIG_HOME in the temp home; stdin is not a terminal. */
  function pier(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [PIER_BIN, ...args], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** What the temp home's NSS database lists (empty when there is none). */
  function nssListing(): string {
    const db = path.join(home, '.pki', 'nssdb');
    if (!existsSync(path.join(db, 'cert9.db'))) return '';
    return execFileSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' });
  }

  /** Open `url` in a fresh Chromium using the temp HOME; resolves with the page's text, or the navigation error. */
  async function visit(url: string): Promise<{ ok: true; text: string; issuer: string } | { ok: false; error: string }> {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium({ env: { ...env } as Record<string, string> });
      const page = await browser.newPage();
      try {
        const response = await page.goto(url, { timeout: 15_000 });
        const details = await response?.securityDetails();
        return { ok: true, text: await page.locator('#hi').innerText(), issuer: details?.issuer ?? '' };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    } finally {
      await browser?.close();
    }
  }

  let port = 0;
  const systemBefore = existsSync(SYSTEM_STORE) ? readdirSync(SYSTEM_STORE).sort() : null;

  before(async () => {
    assertBuilt();
    home = await mkdtemp(path.join(os.tmpdir(), 'pier-trust-home-'));
    env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
    delete env.NODE_TEST_CONTEXT;
    const site = path.join(home, 'site');
    await mkdir(site);
    await writeFile(path.join(site, 'index.html'), SITE);

    const serve = spawn(process.execPath, [PIER_BIN, 'serve', site, '--https', '--json'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(serve);
    let out = '';
    let err = '';
    serve.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pier serve printed nothing in 20 s: ${err}`)), 20_000);
      serve.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const line = out.split('\n')[0];
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve((JSON.parse(line!) as { url: string }).url);
        }
      });
      serve.once('close', () => reject(new Error(`pier serve exited: ${err}`)));
    });
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    port = Number(new URL(url).port);
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await rm(home, { recursive: true, force: true });
  });

  test('without --yes and without a terminal it refuses and changes nothing', async () => {
    const run = await pier(['trust']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Nothing was changed.*--yes/);
    assert.match(run.stdout, /add it to Chromium and Chrome \(NSS database ~\/\.pki\/nssdb\)/, 'it said what it would change');
    assert.equal(existsSync(path.join(home, '.pki')), false, 'no NSS database was created');
  });

  test('--print prints the CA certificate path and nothing else', async () => {
    const run = await pier(['trust', '--print']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, `${path.join(home, '.config', 'Pier', 'tls', 'ca', 'ca-cert.pem')}\n`);
    assert.equal(run.stderr, '');
  });

  test('before trusting, Chromium refuses the certificate', async () => {
    const result = await visit(`https://127.0.0.1:${port}/`);
    assert.equal(result.ok, false, 'the navigation must fail');
    assert.match(result.ok ? '' : result.error, /ERR_CERT_AUTHORITY_INVALID/);
  });

  test('after `pier trust --yes`, Chromium opens https://127.0.0.1 and https://localhost without an error', async () => {
    const run = await pier(['trust', '--yes']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Added to Chromium and Chrome/);
    assert.match(nssListing(), /Pier local CA \(.+@.+\) [0-9A-F]{8}\s+C,,/);

    for (const host of ['127.0.0.1', 'localhost']) {
      const result = await visit(`https://${host}:${port}/`);
      assert.ok(result.ok, `${host}: ${result.ok ? '' : result.error}`);
      assert.equal(result.text, 'served by pier over https', host);
      assert.match(result.issuer, /Pier local CA/, host);
    }
    // Only the user's store: the machine's folder is exactly as it was.
    assert.deepEqual(existsSync(SYSTEM_STORE) ? readdirSync(SYSTEM_STORE).sort() : null, systemBefore);

    const again = await pier(['trust', '--yes']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Already trusted/);
  });

  test('after `pier trust --uninstall --yes`, Chromium refuses it again', async () => {
    const run = await pier(['trust', '--uninstall', '--yes']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Removed from Chromium and Chrome/);
    assert.doesNotMatch(nssListing(), /Pier local CA/);
    const result = await visit(`https://localhost:${port}/`);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error, /ERR_CERT_AUTHORITY_INVALID/);
    assert.deepEqual(existsSync(SYSTEM_STORE) ? readdirSync(SYSTEM_STORE).sort() : null, systemBefore);
  });

  test('usage errors exit 2', async () => {
    const run = await pier(['trust', '--print', '--uninstall']);
    assert.equal(run.code, 2);
    const unknown = await pier(['trust', '--frobnicate']);
    assert.equal(unknown.code, 2);
  });
});
