/**
 * The sample Unity WebGL build (test/fixtures/unity-build) in a real browser
 * (Debian's Chromium through playwright-core): its loader fetches the data,
 * instantiates the wasm with WebAssembly.instantiateStreaming and runs the
 * framework from a script tag, all brotli-coded. With the unity preset it
 * loads; without it, it fails the way a misconfigured server makes Unity fail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import type { Browser } from 'playwright-core';

import type { Preset } from '../../app/contract';
import { ServerInstance } from '../../app/server-instance';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/serve';

const FIXTURE = fileURLToPath(new URL('../fixtures/unity-build', import.meta.url));

interface Outcome {
  result: { ok: boolean; error?: string; result?: { dataBytes: number; sum: number } };
  /** Console errors and failed requests, as the developer would see them. */
  problems: string[];
}

async function load(browser: Browser, presets: Preset[]): Promise<Outcome> {
  const instance = new ServerInstance(testConfig(FIXTURE, { presets }));
  const started = await instance.start();
  if (!started.ok) throw new Error(started.message);
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('requestfailed', (request) => problems.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  try {
    await page.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort());
    await page.goto(started.value.url as string);
    await page.waitForFunction(() => 'unityResult' in window, null, { timeout: 10_000 });
    const result = await page.evaluate(() => (window as unknown as { unityResult: Outcome['result'] }).unityResult);
    return { result, problems };
  } finally {
    await page.close();
    await instance.stop();
  }
}

describe('a Unity WebGL build in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('with the unity preset it loads: data decoded, wasm instantiated by streaming, framework run', async () => {
    const { result, problems } = await load(browser, ['unity']);
    assert.deepEqual(result, { ok: true, result: { dataBytes: 16 + 8 * 1024, sum: 5 } }, JSON.stringify(problems));
    assert.deepEqual(problems, [], 'no decoding errors, no refused scripts');
  });

  test('without it, it fails (wrong MIME type for instantiateStreaming, undecoded data, a refused script)', async () => {
    const { result, problems } = await load(browser, []);
    assert.equal(result.ok, false);
    const seen = [result.error ?? '', ...problems].join('\n');
    assert.match(seen, /MIME type|not a Unity data file|did not run/, seen);
  });
});
