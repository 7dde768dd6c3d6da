import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SettingsStore } from '../../app/settings-store';
import type { SavedServer, SettingsFile } from '../../app/contract';

const server = (over: Partial<SavedServer> = {}): SavedServer => ({
  id: 'a1',
  name: 'site',
  root: '/tmp/site',
  port: 'auto',
  lan: false,
  listing: true,
  spa: false,
  cleanUrls: false,
  cors: false,
  compress: true,
  caching: 'revalidate',
  headers: [],
  presets: [],
  liveReload: false,
  proxies: [],
  https: false,
  auth: null,
  running: true,
  lastPort: null,
  ...over,
});

const settings = (...servers: SavedServer[]): SettingsFile => ({ version: 1, servers });

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pier-settings-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const isCorruptBackup = (name: string) => /^settings\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z(-\d+)?\.json$/.test(name);

test('a missing file loads as empty settings', async (t) => {
  const dir = await tempDir(t);
  const result = await new SettingsStore(path.join(dir, 'settings.json')).load();
  assert.deepEqual(result, { status: 'missing', settings: { version: 1, servers: [] } });
  assert.deepEqual(await fs.readdir(dir), [], 'loading creates nothing');
});

test('what is saved loads back, pretty-printed with a trailing newline', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'nested', 'deeper', 'settings.json');
  const store = new SettingsStore(file);
  const value = settings(
    server(),
    server({ id: 'b2', name: 'docs', port: 8081, lan: true, headers: [{ name: 'X-A', value: '1' }], auth: { username: 'u', password: 'p' }, running: false }),
  );
  assert.deepEqual(await store.save(value), { ok: true, value: undefined });
  const text = await fs.readFile(file, 'utf8');
  assert.deepEqual(JSON.parse(text), value);
  assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  assert.deepEqual(await new SettingsStore(file).load(), { status: 'ok', settings: value });
});

test('zod defaults are applied on load', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.writeFile(file, JSON.stringify({ version: 1, servers: [{ id: 'a1', name: 'site', root: '/tmp/site' }] }));
  const result = await new SettingsStore(file).load();
  assert.equal(result.status, 'ok');
  const [loaded] = result.settings.servers;
  assert.ok(loaded);
  assert.equal(loaded.listing, true);
  assert.equal(loaded.port, 'auto');
  assert.equal(loaded.caching, 'revalidate');
  assert.equal(loaded.running, false);
  assert.deepEqual(loaded.headers, []);
});

test('duplicate server ids: the first is loaded, the file is not treated as corrupt', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.writeFile(file, JSON.stringify(settings(server({ name: 'first' }), server({ id: 'b2' }), server({ name: 'second' }))));
  const result = await new SettingsStore(file).load();
  // The second is kept in the file and reported (settings-store-entries.test.ts).
  assert.equal(result.status, 'partial');
  assert.deepEqual(
    result.settings.servers.map((s) => [s.id, s.name]),
    [['a1', 'first'], ['b2', 'site']],
  );
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
});

test('a file that is not JSON is moved aside byte for byte, and saving works again', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const original = Buffer.from('{\n  "version": 1,\n  "servers": [ } \u00e9\n');
  await fs.writeFile(file, original);
  const store = new SettingsStore(file);

  const result = await store.load();
  assert.equal(result.status, 'corrupt');
  assert.ok(result.status === 'corrupt');
  assert.deepEqual(result.settings, { version: 1, servers: [] });
  assert.equal(path.dirname(result.backupPath), dir);
  assert.ok(isCorruptBackup(path.basename(result.backupPath)), result.backupPath);
  assert.deepEqual(await fs.readFile(result.backupPath), original);
  await assert.rejects(fs.stat(file), { code: 'ENOENT' });
  assert.match(result.message, /could not be read \(line 3: Unexpected token '\}'\)/);
  assert.ok(result.message.includes(`It was kept as ${result.backupPath}`), result.message);

  assert.equal((await store.save(settings(server()))).ok, true);
  assert.deepEqual(await fs.readFile(result.backupPath), original, 'a later save leaves the backup alone');
  assert.equal((await store.load()).status, 'ok');
});

test('an empty file is moved aside too', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.writeFile(file, '');
  const result = await new SettingsStore(file).load();
  assert.ok(result.status === 'corrupt');
  assert.match(result.message, /empty/);
  assert.deepEqual(await fs.readFile(result.backupPath, 'utf8'), '');
});

test('a file that fails the schema is moved aside, naming the bad field', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  // One bad server is not a bad file (settings-store-entries.test.ts); a bad outer shape is.
  const original = JSON.stringify({ version: 1, servers: 'none' });
  await fs.writeFile(file, original);
  const result = await new SettingsStore(file).load();
  assert.ok(result.status === 'corrupt');
  assert.match(result.message, /servers: expected a list of servers, found a string/);
  assert.equal(await fs.readFile(result.backupPath, 'utf8'), original);
  await assert.rejects(fs.stat(file), { code: 'ENOENT' });
});

test('a file with an unknown version is moved aside', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.writeFile(file, JSON.stringify({ version: 2, servers: [] }));
  const result = await new SettingsStore(file).load();
  assert.ok(result.status === 'corrupt');
  assert.match(result.message, /version 2/);
  await assert.rejects(fs.stat(file), { code: 'ENOENT' });
});

test('two corrupt loads in the same millisecond keep both backups', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-11-26T01:02:03.456Z') });
  const store = new SettingsStore(file);

  await fs.writeFile(file, 'first {');
  const one = await store.load();
  await fs.writeFile(file, 'second {');
  const two = await store.load();

  assert.ok(one.status === 'corrupt' && two.status === 'corrupt');
  assert.equal(path.basename(one.backupPath), 'settings.corrupt-2026-11-26T01-02-03-456Z.json');
  assert.notEqual(one.backupPath, two.backupPath);
  assert.equal(await fs.readFile(one.backupPath, 'utf8'), 'first {');
  assert.equal(await fs.readFile(two.backupPath, 'utf8'), 'second {');
  assert.equal((await fs.readdir(dir)).length, 2);
});

test('a save leaves no temp files behind', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const store = new SettingsStore(file);
  await store.save(settings(server()));
  await store.save(settings(server({ name: 'renamed' })));
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
});

test('a save the file system refuses returns SETTINGS_UNWRITABLE', async (t) => {
  const dir = await tempDir(t);
  // The parent "folder" is a regular file: fails for root too.
  await fs.writeFile(path.join(dir, 'blocker'), 'not a folder');
  const file = path.join(dir, 'blocker', 'settings.json');
  const result = await new SettingsStore(file).save(settings(server()));
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.code, 'SETTINGS_UNWRITABLE');
  assert.ok(result.message.startsWith(`Could not save Pier's settings to ${file}: `), result.message);
  assert.equal(await fs.readFile(path.join(dir, 'blocker'), 'utf8'), 'not a folder');
});

test('a save that fails at the rename keeps the earlier file and removes its temp file', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const store = new SettingsStore(file);
  await store.save(settings(server()));
  const before = await fs.readFile(file, 'utf8');

  t.mock.method(fs, 'rename', async () => {
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  });
  const result = await store.save(settings(server({ name: 'lost' })));
  t.mock.restoreAll();

  assert.ok(!result.ok);
  assert.equal(result.code, 'SETTINGS_UNWRITABLE');
  assert.equal(result.message, `Could not save Pier's settings to ${file}: the disk is full.`);
  assert.equal(await fs.readFile(file, 'utf8'), before);
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
});

test('20 concurrent saves land in call order: the last one wins', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const store = new SettingsStore(file);
  // Earlier saves are bigger, so without ordering they would tend to land last.
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      store.save(settings(...Array.from({ length: 20 - i }, (_, j) => server({ id: `s${j}`, name: `site ${i}` })))),
    ),
  );
  assert.ok(results.every((r) => r.ok));
  const loaded = await store.load();
  assert.equal(loaded.settings.servers[0]?.name, 'site 19');
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
});

test('a slow older save still lands before a newer one', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const store = new SettingsStore(file);
  const open = fs.open;
  let calls = 0;
  // Hold up the first save's temp file so an unordered newer save would overtake it.
  t.mock.method(fs, 'open', async (...args: Parameters<typeof fs.open>) => {
    if (String(args[0]).endsWith('.tmp') && calls++ === 0) await new Promise((r) => setTimeout(r, 50));
    return open(...args);
  });
  await Promise.all([store.save(settings(server({ name: 'older' }))), store.save(settings(server({ name: 'newer' })))]);
  t.mock.restoreAll();
  assert.equal((await store.load()).settings.servers[0]?.name, 'newer');
});

test('a save snapshots its argument: mutating it afterwards changes nothing', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const store = new SettingsStore(file);
  const value = settings(server());
  const saving = store.save(value);
  value.servers[0]!.name = 'mutated';
  await saving;
  assert.equal((await store.load()).settings.servers[0]?.name, 'site');
});

test('saving an invalid value is a bug: it throws and writes nothing', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const store = new SettingsStore(file);
  await assert.rejects(store.save(settings(server({ port: 70000 }))), /servers\.0\.port/);
  await assert.rejects(store.save(settings(server(), server())), /duplicate server id a1/);
  assert.deepEqual(await fs.readdir(dir), []);
  // The queue survives a rejected call.
  assert.equal((await store.save(settings(server()))).ok, true);
});

test('a settings path that cannot be read is reported, and saving then refuses', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.mkdir(file);
  await fs.writeFile(path.join(file, 'keep.txt'), 'precious');
  const store = new SettingsStore(file);

  const result = await store.load();
  assert.ok(result.status === 'unreadable');
  assert.deepEqual(result.settings, { version: 1, servers: [] });
  assert.ok(result.message.includes(file), result.message);
  assert.match(result.message, /it is a folder, not a file/);

  const saved = await store.save(settings(server()));
  assert.ok(!saved.ok);
  assert.equal(saved.code, 'SETTINGS_UNWRITABLE');
  assert.equal(await fs.readFile(path.join(file, 'keep.txt'), 'utf8'), 'precious');
  assert.deepEqual(await fs.readdir(dir), ['settings.json']);
});

test('a corrupt file that cannot be moved aside stays put, and saving refuses', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.writeFile(file, 'not json');
  const store = new SettingsStore(file);

  t.mock.method(fs, 'rename', async () => {
    throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  });
  const result = await store.load();
  t.mock.restoreAll();
  // Now a write would succeed: the store itself must refuse it.
  const saved = await store.save(settings(server()));

  assert.ok(result.status === 'unreadable');
  assert.match(result.message, /could not be kept aside as a backup \(permission denied\)/);
  assert.ok(!saved.ok);
  assert.equal(saved.code, 'SETTINGS_UNWRITABLE');
  assert.equal(await fs.readFile(file, 'utf8'), 'not json');
  assert.deepEqual(await fs.readdir(dir), ['settings.json'], 'no placeholder backup left behind');
});

const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;

test('the settings file (it holds passwords) is private: 0600', { skip: process.platform === 'win32' }, async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  const store = new SettingsStore(file);
  // The temp file must be private from its creation, before a password is written into it.
  const open = fs.open;
  const modesAtOpen: number[] = [];
  t.mock.method(fs, 'open', async (...args: Parameters<typeof fs.open>) => {
    const handle = await open(...args);
    if (String(args[0]).endsWith('.tmp')) modesAtOpen.push(await modeOf(String(args[0])));
    return handle;
  });
  await store.save(settings(server({ auth: { username: 'u', password: 'secret' } })));
  t.mock.restoreAll();
  assert.deepEqual(modesAtOpen, [0o600]);
  assert.equal(await modeOf(file), 0o600);
});

test('a settings file left world-readable (by an older Pier) is made private at the next save', { skip: process.platform === 'win32' }, async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.writeFile(file, JSON.stringify(settings(server())), { mode: 0o644 });
  await fs.chmod(file, 0o644);
  const store = new SettingsStore(file);
  assert.equal((await store.load()).status, 'ok');
  assert.ok((await store.save(settings(server({ name: 'again' })))).ok);
  assert.equal(await modeOf(file), 0o600);
});

test('a corrupt file kept aside is private too', { skip: process.platform === 'win32' }, async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'settings.json');
  await fs.writeFile(file, '{"password": "secret", ', { mode: 0o644 });
  await fs.chmod(file, 0o644);
  const result = await new SettingsStore(file).load();
  assert.ok(result.status === 'corrupt');
  assert.equal(await modeOf(result.backupPath), 0o600);
});
