// One server entry's problem stays that entry's problem: unknown keys are kept
// and ignored, an invalid entry is kept in the file as it was and reported,
// and the other servers load.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SettingsStore } from '../../app/settings-store';
import type { SavedServer } from '../../app/contract';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pier-settings-entries-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const entry = (id: string, over: Record<string, unknown> = {}) => ({ id, name: id, root: `/srv/${id}`, running: true, ...over });

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));

test('unknown keys anywhere are ignored on load and kept on disk across a save', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await writeJson(file, {
    version: 1,
    theme: 'dark',
    servers: [
      entry('a1', {
        color: 'teal',
        auth: { username: 'u', password: 'p', realm: 'Staging' },
        headers: [{ name: 'X-A', value: '1', note: 'for the CDN' }],
      }),
      entry('b2'),
    ],
  });
  const store = new SettingsStore(file);
  const loaded = await store.load();
  assert.equal(loaded.status, 'ok');
  const [a1, b2] = loaded.settings.servers;
  assert.ok(a1 && b2);
  assert.deepEqual(a1.auth, { username: 'u', password: 'p' }, 'ignored: the engine sees only what it knows');
  assert.deepEqual(a1.headers, [{ name: 'X-A', value: '1' }]);
  assert.ok(!('color' in a1));

  // The app changes a known option and saves: the unknown keys are still there.
  const renamed: SavedServer = { ...a1, name: 'renamed' };
  assert.ok((await store.save({ version: 1, servers: [renamed, b2] })).ok);
  const onDisk = await readJson(file);
  assert.equal(onDisk.theme, 'dark');
  assert.equal(onDisk.servers[0].name, 'renamed');
  assert.equal(onDisk.servers[0].color, 'teal');
  assert.deepEqual(onDisk.servers[0].auth, { username: 'u', password: 'p', realm: 'Staging' });
  assert.deepEqual(onDisk.servers[0].headers, [{ name: 'X-A', value: '1', note: 'for the CDN' }]);
  assert.ok(!('color' in onDisk.servers[1]));

  // And they survive another round trip through a fresh store.
  const again = new SettingsStore(file);
  assert.equal((await again.load()).status, 'ok');
  assert.ok((await again.save({ version: 1, servers: [renamed, b2] })).ok);
  assert.equal((await readJson(file)).servers[0].color, 'teal');
  assert.equal((await readJson(file)).theme, 'dark');
});

test('an invalid entry is kept in the file as it was, reported by name, and the others load', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const bad = entry('b2', { name: 'docs', port: 70000, futureOption: { deep: [1, 2] } });
  await writeJson(file, { version: 1, servers: [entry('a1'), bad, entry('c3')] });
  const before = await fs.readFile(file, 'utf8');
  const store = new SettingsStore(file);

  const loaded = await store.load();
  assert.equal(loaded.status, 'partial');
  assert.ok(loaded.status === 'partial');
  assert.deepEqual(
    loaded.settings.servers.map((s) => s.id),
    ['a1', 'c3'],
  );
  assert.match(loaded.message, /"docs"/);
  assert.match(loaded.message, /servers\.1\.port: The port must be a number from 1 to 65535/);
  assert.ok(loaded.message.includes(file), loaded.message);
  assert.equal(await fs.readFile(file, 'utf8'), before, 'loading changes nothing on disk');
  assert.deepEqual(await fs.readdir(dir), ['settings.json'], 'not treated as a corrupt file');

  // Saving what the app has (the valid servers, one removed) keeps the invalid entry byte for byte.
  assert.ok((await store.save({ version: 1, servers: [loaded.settings.servers[0]!] })).ok);
  const onDisk = await readJson(file);
  assert.deepEqual(
    onDisk.servers.map((s: { id: string }) => s.id),
    ['a1', 'b2'],
  );
  assert.deepEqual(onDisk.servers[1], bad);

  // Fixed by hand, it loads next time.
  onDisk.servers[1] = { ...bad, port: 7000 };
  await writeJson(file, onDisk);
  const fixed = await new SettingsStore(file).load();
  assert.equal(fixed.status, 'ok');
  assert.equal(fixed.settings.servers[1]?.port, 7000);
});

test('entries that are not servers at all, and duplicate ids, are kept and named too', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await writeJson(file, { version: 1, servers: [entry('a1', { name: 'first' }), 42, entry('a1', { name: 'second' }), { name: '' }] });
  const store = new SettingsStore(file);
  const loaded = await store.load();
  assert.ok(loaded.status === 'partial');
  assert.deepEqual(
    loaded.settings.servers.map((s) => s.name),
    ['first'],
  );
  assert.match(loaded.message, /3 saved servers/);
  assert.match(loaded.message, /server 2 \(servers\.1: /);
  assert.match(loaded.message, /"second" \(.*same id as another server/);
  assert.match(loaded.message, /server 4 \(/);

  assert.ok((await store.save(loaded.settings)).ok);
  assert.deepEqual((await readJson(file)).servers.slice(1), [42, entry('a1', { name: 'second' }), { name: '' }]);
});

test('a file whose outer shape is wrong is still a corrupt file, moved aside', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  for (const [text, why] of [
    ['{"version": 1, "servers": {}}', /servers: /],
    ['[1, 2]', /version|settings/],
    ['{"version": 1}', /servers: /],
  ] as const) {
    await fs.writeFile(file, text);
    const loaded = await new SettingsStore(file).load();
    assert.ok(loaded.status === 'corrupt', text);
    assert.match(loaded.message, why);
    assert.equal(await fs.readFile(loaded.backupPath, 'utf8'), text);
  }
});
