import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { defineConfig } from '@playwright/test';

/** The Electron binary, if electron's installer has fetched it on this machine. */
function electronBinary(): string | null {
  const dir = path.join(import.meta.dirname, 'node_modules', 'electron');
  try {
    const binary = path.join(dir, 'dist', readFileSync(path.join(dir, 'path.txt'), 'utf8'));
    return existsSync(binary) ? binary : null;
  } catch {
    // No path.txt: the binary was never downloaded.
    return null;
  }
}

const withElectron = electronBinary() !== null;
if (!withElectron && !process.env.PIER_E2E_QUIET) {
  process.env.PIER_E2E_QUIET = '1'; // the config is loaded again in each worker: say it once
  console.log('e2e: no Electron binary here (npx install-electron fetches it); skipping the _electron variant, running the harness variant.');
}

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  // Two cores: one Chromium at a time keeps timings honest and the flood spec fair.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 5_000 },
  use: { actionTimeout: 10_000 },
  reporter: [['list']],
  projects: [{ name: 'harness' }, ...(withElectron ? [{ name: 'electron' }] : [])],
});
