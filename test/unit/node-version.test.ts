import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { APP_NODE, nodeVersionProblem } from '../../scripts/node-version.mjs';

const REPO = path.resolve(import.meta.dirname, '..', '..');

test('Node 22.12 and newer may run the app', () => {
  for (const version of ['v22.12.0', 'v22.20.1', 'v23.0.0', 'v24.3.0', 'v100.0.0']) {
    assert.equal(nodeVersionProblem(version), null, version);
  }
});

test('an older Node is refused with the version found, the one needed, and what works on it', () => {
  for (const version of ['v20.19.0', 'v20.20.2', 'v22.11.9', 'v22.9.0', 'v18.20.8']) {
    const message = nodeVersionProblem(version);
    assert.ok(message, version);
    assert.match(message, new RegExp(`this is Node\\.js ${version.slice(1).replaceAll('.', '\\.')}\\.`));
    assert.match(message, /needs Node\.js 22\.12\.0 or newer/);
    assert.match(message, /node bin\/pier\.js serve/);
  }
});

test('versions compare as numbers, part by part', () => {
  assert.equal(nodeVersionProblem('v10.0.0', '9.9.9'), null);
  assert.ok(nodeVersionProblem('v9.10.0', '9.11.0'));
  assert.equal(nodeVersionProblem('v22.12.0-nightly', '22.12.0'), null);
});

test("the version asked for is the one Electron's package declares", () => {
  const engines = (JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'electron', 'package.json'), 'utf8')) as { engines: { node: string } }).engines;
  assert.equal(/>=\s*(\d+\.\d+\.\d+)/.exec(engines.node)?.[1], APP_NODE);
});

test('`npm start` on an older Node stops at once, before building, and says why', () => {
  // Whatever Node runs the tests: the script is told it runs on 20.19.0.
  const pretend = `data:text/javascript,Object.defineProperty(process, "version", { value: "v20.19.0" })`;
  const started = Date.now();
  const out = spawnSync(process.execPath, ['--import', pretend, path.join(REPO, 'scripts', 'start.mjs')], { cwd: REPO, encoding: 'utf8', timeout: 20_000 });
  assert.equal(out.status, 1, out.stderr);
  assert.match(out.stderr, /`npm start` needs Node\.js 22\.12\.0 or newer .*this is Node\.js 20\.19\.0\./);
  assert.doesNotMatch(out.stdout, /build/, 'nothing slow ran first');
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
});
