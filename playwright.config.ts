import { defineConfig } from '@playwright/test';

import { electronBinary } from './scripts/electron-binary.mjs';

const withElectron = electronBinary() !== null;
if (!withElectron && !process.env.PIER_E2E_QUIET) {
  process.env.PIER_E2E_QUIET = '1'; // the config is loaded again in each worker: say it once
  console.log('e2e: no Electron binary here (npx install-electron fetches it); skipping the _electron variant, running the harness variant.');
}

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // Once, before any spec: is Chromium there?
  globalSetup: './test/e2e/global-setup.ts',
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
