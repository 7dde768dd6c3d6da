import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';

import { detectBuild } from '../../app/build-detect';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pier-build-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Create empty files (and their folders) under `root`. */
async function files(root: string, ...names: string[]): Promise<void> {
  for (const name of names) {
    await fs.mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await fs.writeFile(path.join(root, name), '');
  }
}

test('a Unity WebGL build at the root needs the unity preset, brotli wasm named as evidence', async (t) => {
  const root = await tempDir(t);
  await files(root, 'index.html', 'Build/game.loader.js', 'Build/game.data.br', 'Build/game.framework.js.br', 'Build/game.wasm.br');
  assert.deepEqual(await detectBuild(root), { kind: 'unity', evidence: 'Build/game.wasm.br', presets: ['unity'] });
});

test('a Unity build one folder down is found, with gzip or plain wasm', async (t) => {
  const root = await tempDir(t);
  await files(root, 'README.md', 'WebGL/index.html', 'WebGL/Build/web.loader.js', 'WebGL/Build/web.wasm.gz');
  assert.deepEqual(await detectBuild(root), { kind: 'unity', evidence: 'WebGL/Build/web.wasm.gz', presets: ['unity'] });

  const plain = await tempDir(t);
  await files(plain, 'Build/app.loader.js', 'Build/app.wasm');
  assert.equal((await detectBuild(plain))?.evidence, 'Build/app.wasm');
});

test('a Build folder without a loader, or a loader without wasm, is not a Unity build', async (t) => {
  const noLoader = await tempDir(t);
  await files(noLoader, 'Build/game.wasm.br', 'Build/game.data');
  assert.equal(await detectBuild(noLoader), null);

  const noWasm = await tempDir(t);
  await files(noWasm, 'Build/game.loader.js', 'Build/game.data.br');
  assert.equal(await detectBuild(noWasm), null);
});

test('two levels down is too deep to look', async (t) => {
  const root = await tempDir(t);
  await files(root, 'a/b/Build/game.loader.js', 'a/b/Build/game.wasm.br');
  assert.equal(await detectBuild(root), null);
});

test('a Godot web export (a .pck beside a .wasm) needs cross-origin isolation', async (t) => {
  const root = await tempDir(t);
  await files(root, 'index.html', 'index.js', 'index.pck', 'index.wasm');
  assert.deepEqual(await detectBuild(root), { kind: 'godot', evidence: 'index.pck', presets: ['cross-origin-isolated'] });

  const pckOnly = await tempDir(t);
  await files(pckOnly, 'index.pck', 'index.html');
  assert.equal(await detectBuild(pckOnly), null);
});

test('an ordinary site, an empty folder and a missing folder are no build, without throwing', async (t) => {
  const site = await tempDir(t);
  await files(site, 'index.html', 'assets/app.js', 'assets/app.wasm');
  assert.equal(await detectBuild(site), null);
  assert.equal(await detectBuild(await tempDir(t)), null);
  assert.equal(await detectBuild(path.join(site, 'no-such-folder')), null);
  assert.equal(await detectBuild(path.join(site, 'index.html')), null);
});

test('links are never followed, so a build outside the folder is not seen', { skip: process.platform === 'win32' }, async (t) => {
  const outside = await tempDir(t);
  await files(outside, 'Build/game.loader.js', 'Build/game.wasm.br', 'game.pck', 'game.wasm');
  const root = await tempDir(t);
  await fs.symlink(path.join(outside, 'Build'), path.join(root, 'Build'));
  await fs.symlink(outside, path.join(root, 'linked'));
  await fs.symlink(path.join(outside, 'game.pck'), path.join(root, 'game.pck'));
  await fs.symlink(path.join(outside, 'game.wasm'), path.join(root, 'game.wasm'));
  assert.equal(await detectBuild(root), null);
});
