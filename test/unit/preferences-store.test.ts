import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { createPreferences } from '../../main/preferences';
import { PreferencesStore } from '../../main/preferences-store';

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pier-prefs-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a first start has the defaults: everything off, and saving writes the file', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'preferences.json');
    const store = new PreferencesStore(file);
    assert.equal(await store.load(), null);
    assert.deepEqual(store.current(), { keepRunningInTray: false, startAtLogin: false, backgroundExplained: false });

    const saved = await store.update({ keepRunningInTray: true });
    assert.ok(saved.ok);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { keepRunningInTray: true });
    // A new store (the next launch) reads it back.
    const again = new PreferencesStore(file);
    assert.equal(await again.load(), null);
    assert.equal(again.current().keepRunningInTray, true);
    assert.equal(again.current().startAtLogin, false);
  }));

test('a bad value means the default, with a message naming it, and stays in the file until it is changed', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'preferences.json');
    await writeFile(file, JSON.stringify({ keepRunningInTray: 'yes', startAtLogin: true, fromNewerPier: { a: 1 } }));
    const store = new PreferencesStore(file);
    const message = await store.load();
    assert.match(message ?? '', /keepRunningInTray is "yes", not true or false/);
    assert.match(message ?? '', /uses the default/);
    assert.equal(store.current().keepRunningInTray, false);
    assert.equal(store.current().startAtLogin, true, 'the good value still loads');

    // Changing another preference keeps the bad value and the unknown key as they were.
    await store.update({ backgroundExplained: true });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), {
      keepRunningInTray: 'yes',
      startAtLogin: true,
      fromNewerPier: { a: 1 },
      backgroundExplained: true,
    });
    // Changing it replaces it.
    await store.update({ keepRunningInTray: true });
    assert.equal(JSON.parse(await readFile(file, 'utf8')).keepRunningInTray, true);
  }));

test('a file that is not a JSON object is kept aside as a backup and Pier uses the defaults', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'preferences.json');
    await writeFile(file, '{ "keepRunningInTray": tru');
    const store = new PreferencesStore(file);
    const message = await store.load();
    assert.match(message ?? '', /kept as .*preferences\.corrupt-.*\.json/);
    assert.deepEqual(store.current(), { keepRunningInTray: false, startAtLogin: false, backgroundExplained: false });
    const files = await readdir(dir);
    const backup = files.find((name) => name.startsWith('preferences.corrupt-'));
    assert.ok(backup, `a backup among ${files.join(', ')}`);
    assert.equal(await readFile(path.join(dir, backup), 'utf8'), '{ "keepRunningInTray": tru');
    assert.ok((await store.update({ startAtLogin: true })).ok);
  }));

test('a file that cannot be read is never written over', () =>
  withDir(async (dir) => {
    // A folder where the file should be: unreadable as a file, for root too.
    const file = path.join(dir, 'preferences.json');
    await mkdir(file);
    await writeFile(path.join(file, 'keep.txt'), 'mine');
    const store = new PreferencesStore(file);
    assert.match((await store.load()) ?? '', /could not be read \(it is a folder, not a file\)/);
    const saved = await store.update({ startAtLogin: true });
    assert.equal(saved.ok, false);
    assert.match(saved.ok ? '' : saved.message, /did not save the change/);
    assert.equal(await readFile(path.join(file, 'keep.txt'), 'utf8'), 'mine');
  }));

test('start at login is what the system says, and is written there before it is saved', () =>
  withDir(async (dir) => {
    const store = new PreferencesStore(path.join(dir, 'preferences.json'));
    await store.load();
    let system = false;
    let failNext = false;
    const changes: boolean[] = [];
    const prefs = createPreferences(
      store,
      {
        enabled: async () => system,
        set: async (on) => {
          if (failNext) throw new Error('EACCES: permission denied');
          system = on;
        },
      },
      (saved) => changes.push(saved.startAtLogin),
    );
    const on = await prefs.handlers.setPreferences({ startAtLogin: true });
    assert.deepEqual(on, { ok: true, value: { keepRunningInTray: false, startAtLogin: true } });
    assert.equal(system, true);
    assert.deepEqual(changes, [true]);
    // Turned off in the desktop's own settings: the switch shows that.
    system = false;
    assert.equal((await prefs.handlers.getPreferences()).startAtLogin, false);
    failNext = true;
    const failed = await prefs.handlers.setPreferences({ startAtLogin: true });
    assert.equal(failed.ok, false);
    assert.match(failed.ok ? '' : failed.message, /Could not turn on starting Pier at login: EACCES/);
    assert.deepEqual(changes, [true], 'nothing saved when the system refused');
  }));
