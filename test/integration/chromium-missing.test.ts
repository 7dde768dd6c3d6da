/**
 * Without Chromium the browser tests fail once, up front, saying how to
 * install it, instead of every test failing with the same launch error.
 * PIER_CHROMIUM points them at a binary that isn't there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

import { chromiumMissing } from '../helpers/chromium';
import { PROJECT } from '../helpers/cli';

const MISSING = path.join(PROJECT, 'no-such-folder', 'chromium');
const MESSAGE = `Chromium not found at ${MISSING}: install it with \`sudo apt-get install chromium\` (Debian/Ubuntu).`;

function withMissingChromium(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PIER_CHROMIUM: MISSING };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

test('a Chromium that is there passes the check; a missing one gets the install hint', () => {
  assert.equal(chromiumMissing(process.execPath), null);
  assert.ok(chromiumMissing(MISSING)?.startsWith(MESSAGE));
});

test('the e2e suite stops once, before any spec, with the install hint', () => {
  // Playwright's own CLI, not through npx: on a timeout the kill reaches it.
  const cli = path.join(PROJECT, 'node_modules', '@playwright', 'test', 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'test'], { cwd: PROJECT, env: withMissingChromium(), encoding: 'utf8', timeout: 60_000 });
  const output = run.stdout + run.stderr;
  assert.equal(run.status, 1, output);
  assert.equal(occurrences(output, MESSAGE), 1, output);
  assert.doesNotMatch(output, /Running \d+ tests?|passed|✘/, 'no spec ran');
});

test('a node:test suite that launches Chromium gets the same hint', () => {
  const script = `const { launchChromium } = await import('./test/helpers/chromium.ts');
await launchChromium().then(() => process.exit(0), (error) => { console.error(error.message); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT, env: withMissingChromium(), encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 1, run.stderr);
  assert.ok(run.stderr.startsWith(MESSAGE), run.stderr);
});
