/**
 * Debian's Chromium, as every browser test here starts it: never a
 * downloaded browser, and without the background traffic Chromium would
 * otherwise send to hosts this network refuses.
 */
import { accessSync, constants } from 'node:fs';

import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** PIER_CHROMIUM points the tests at another binary (the test of the message below uses a missing one). */
export const CHROMIUM = process.env.PIER_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Null when Chromium is there to run; else the one message that says how to
 * get it. Checked once before the browser tests (Playwright's globalSetup,
 * launchChromium) instead of failing every test with the same launch error.
 */
export function chromiumMissing(executable = CHROMIUM): string | null {
  try {
    accessSync(executable, constants.X_OK);
    return null;
  } catch {
    // Missing or not executable: either way the browser tests can't run.
    return `Chromium not found at ${executable}: install it with \`sudo apt-get install chromium\` (Debian/Ubuntu). The browser tests use it and never download one.`;
  }
}

/** Without the networking flags Chromium keeps calling hosts this network refuses. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with the flags above; `options` may add an environment (a temp HOME) and the like. */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) return Promise.reject(new Error(missing));
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, ...options });
}
