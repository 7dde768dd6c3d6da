import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';

import { checkFolder } from '../../app/folder';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pier-folder-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

test('a readable folder comes back as its absolute path', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await checkFolder(path.relative(process.cwd(), dir)), { ok: true, value: dir });
});

test('a folder path that loops through symlinks is a value naming the loop, not a throw', { skip: process.platform === 'win32' }, async (t) => {
  const dir = await tempDir(t);
  await fs.symlink(path.join(dir, 'b'), path.join(dir, 'a'));
  await fs.symlink(path.join(dir, 'a'), path.join(dir, 'b'));
  const result = await checkFolder(path.join(dir, 'a'));
  assert.ok(!result.ok);
  assert.equal(result.code, 'FOLDER_UNREADABLE');
  assert.ok(result.message.includes(path.join(dir, 'a')), result.message);
  assert.match(result.message, /loops through symbolic links/);
});

test('a folder name longer than the system allows is a value', async (t) => {
  const dir = await tempDir(t);
  const result = await checkFolder(path.join(dir, 'x'.repeat(300)));
  assert.ok(!result.ok);
  assert.equal(result.code, 'FOLDER_UNREADABLE');
  assert.match(result.message, /is too long for this system/);
});

test('a disk error while looking at the folder is a value that says so', async (t) => {
  const dir = await tempDir(t);
  t.mock.method(fs, 'stat', async () => {
    throw errno('EIO');
  });
  const result = await checkFolder(dir);
  assert.ok(!result.ok);
  assert.equal(result.code, 'FOLDER_UNREADABLE');
  assert.ok(result.message.includes(dir), result.message);
  assert.match(result.message, /disk reported an error/);
});

test('a disk error while listing the folder says so too, not "permissions"', async (t) => {
  const dir = await tempDir(t);
  t.mock.method(fs, 'readdir', async () => {
    throw errno('EIO');
  });
  const result = await checkFolder(dir);
  assert.ok(!result.ok);
  assert.match(result.message, /disk reported an error/);
});

test('any other error is a value carrying its code', async (t) => {
  const dir = await tempDir(t);
  t.mock.method(fs, 'stat', async () => {
    throw errno('ESTALE');
  });
  const result = await checkFolder(dir);
  assert.ok(!result.ok);
  assert.equal(result.code, 'FOLDER_UNREADABLE');
  assert.match(result.message, /ESTALE/);
  assert.ok(result.message.includes(dir), result.message);
});

test('a path Node refuses outright (a NUL byte) is a value as well', async () => {
  const result = await checkFolder('/tmp/bad\0name');
  assert.ok(!result.ok);
  assert.equal(result.code, 'FOLDER_UNREADABLE');
  assert.match(result.message, /ERR_INVALID_ARG_VALUE/);
});
