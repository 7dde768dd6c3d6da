import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';

import { ServerManager } from '../../app/server-manager';
import { SettingsStore } from '../../app/settings-store';
import { restoreServers } from '../../main/persistence';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pier-restore-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

test('restoring isolates each saved server: the bad ones show why, the others start', { skip: process.platform === 'win32' }, async (t) => {
  const dir = await tempDir(t);
  const site = path.join(dir, 'site');
  await fs.mkdir(site);
  await fs.writeFile(path.join(site, 'index.html'), 'hello');
  // A folder path that loops through symlinks: stat() fails with ELOOP.
  await fs.symlink(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
  await fs.symlink(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));

  const file = path.join(dir, 'settings.json');
  const saved = (id: string, root: string, over: Record<string, unknown> = {}) => ({ id, name: id, root, running: true, ...over });
  const invalid = saved('docs', site, { port: 70000 });
  await fs.writeFile(
    file,
    JSON.stringify({
      version: 1,
      servers: [saved('loop', path.join(dir, 'loop-a')), saved('throws', site, { lan: true }), saved('good', site), invalid],
    }),
  );

  // A LAN server reads the machine's addresses as it starts: make that throw, as a bug would.
  const manager = new ServerManager({
    lanAddresses: () => {
      throw new Error('interfaces unavailable');
    },
  });
  t.after(() => manager.stopAll());
  const store = new SettingsStore(file);

  const message = await restoreServers(manager, store);
  assert.match(message ?? '', /"docs" \(servers\.3\.port: The port must be a number from 1 to 65535\)/);

  const byId = new Map(manager.list().map((s) => [s.id, s]));
  assert.deepEqual([...byId.keys()], ['loop', 'throws', 'good']);
  assert.equal(byId.get('loop')?.status, 'error');
  assert.match(byId.get('loop')?.error?.message ?? '', /loops through symbolic links/);
  assert.equal(byId.get('throws')?.status, 'error');
  assert.match(byId.get('throws')?.error?.message ?? '', /interfaces unavailable/);
  const good = byId.get('good');
  assert.equal(good?.status, 'running');
  assert.equal(await (await fetch(good?.url ?? '')).text(), 'hello');

  // Saving what the app has keeps the invalid entry, and every bad server is still wanted running.
  assert.ok((await store.save(manager.toSettings())).ok);
  const onDisk = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.deepEqual(onDisk.servers.at(-1), invalid);
  assert.deepEqual(
    onDisk.servers.map((s: { running: boolean }) => s.running),
    [true, true, true, true],
  );
});
