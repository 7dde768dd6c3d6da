/**
 * Debian's Chromium, as every browser test here starts it: never a
 * downloaded browser, and without the background traffic Chromium would
 * otherwise send to hosts this network refuses.
 */
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

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
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, ...options });
}
