/**
 * `pier` anywhere, as the README sets it up: `npm install -g .` from the
 * clone (what `npm link` does too: a link to this folder, no download), here
 * into a temporary prefix instead of the user's global one. Then `pier` by
 * name, from another folder, and `npm uninstall -g pier` takes it away again.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { canBind, freePort, get, PROJECT, tempDir } from '../helpers/cli';

const run = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(path.join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version;

/** npm with only what it needs from our environment: no npm_config_* from an `npm test` around us. */
function npmEnv(prefix: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_TEST_CONTEXT'));
  // `#!/usr/bin/env node` finds the Node that runs this test first; the prefix's bin/ is where `pier` goes.
  return { ...env, ...extra, PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), process.env.PATH].join(path.delimiter) };
}

/** `--offline`: linking a local folder needs nothing from the registry, and the test must not wait on it. */
const NPM_FLAGS = ['--offline', '--no-audit', '--no-fund', '--loglevel=error'];

test('`npm install -g .` from the clone gives a `pier` that runs from anywhere, and `npm uninstall -g pier` removes it', async (t) => {
  const prefix = await tempDir(t, 'pier-global-prefix-');
  const elsewhere = await tempDir(t, 'pier-global-site-');
  await writeFile(path.join(elsewhere, 'index.html'), '<h1>served by a global pier</h1>\n');
  const configHome = await tempDir(t, 'pier-global-config-');
  const env = npmEnv(prefix, { XDG_CONFIG_HOME: configHome });

  await run('npm', ['install', '-g', '--prefix', prefix, ...NPM_FLAGS, PROJECT], { cwd: elsewhere, env, timeout: 120_000 });
  const bin = path.join(prefix, 'bin', 'pier');
  t.after(() => run('npm', ['uninstall', '-g', '--prefix', prefix, ...NPM_FLAGS, 'pier'], { cwd: elsewhere, env, timeout: 60_000 }).catch(() => undefined));

  const version = await run('pier', ['--version'], { cwd: elsewhere, env, timeout: 20_000 });
  assert.equal(version.stdout, `${VERSION}\n`);

  // `pier serve` with no folder serves the one it is run in.
  const pier = spawn('pier', ['serve', '--json', '--port', String(await freePort())], { cwd: elsewhere, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => pier.once('close', (code) => resolve(code)));
  t.after(() => pier.kill('SIGKILL'));
  let stderr = '';
  pier.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`pier did not start within 10 s:\n${out}\n${stderr}`)), 10_000);
    pier.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(out.slice(0, out.indexOf('\n')));
    });
    pier.once('close', () => reject(new Error(`pier exited before listening:\n${stderr}`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  const page = await get(url);
  assert.equal(page.status, 200);
  assert.equal(page.body, '<h1>served by a global pier</h1>\n');

  pier.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.ok(await canBind(Number(new URL(url).port)), 'the port is free again');

  await run('npm', ['uninstall', '-g', '--prefix', prefix, ...NPM_FLAGS, 'pier'], { cwd: elsewhere, env, timeout: 60_000 });
  assert.equal(existsSync(bin), false, 'npm uninstall -g pier removed the command');
});
