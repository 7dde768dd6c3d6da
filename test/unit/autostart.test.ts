import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { autostartEnabled, autostartFile, desktopEntry, execValue, setAutostart } from '../../main/autostart';

test('the entry goes under $XDG_CONFIG_HOME/autostart, or ~/.config when it is unset or relative', () => {
  assert.equal(autostartFile({ XDG_CONFIG_HOME: '/tmp/cfg' }, '/home/ann'), '/tmp/cfg/autostart/pier.desktop');
  assert.equal(autostartFile({}, '/home/ann'), '/home/ann/.config/autostart/pier.desktop');
  assert.equal(autostartFile({ XDG_CONFIG_HOME: '' }, '/home/ann'), '/home/ann/.config/autostart/pier.desktop');
  // The spec: a relative path in XDG_CONFIG_HOME is invalid and ignored.
  assert.equal(autostartFile({ XDG_CONFIG_HOME: 'cfg' }, '/home/ann'), '/home/ann/.config/autostart/pier.desktop');
});

test('Exec quotes arguments as the Desktop Entry spec asks', () => {
  assert.equal(execValue(['/opt/Pier/pier']), '/opt/Pier/pier');
  // A space: quoted. Inside quotes ", `, $ and \ get a backslash; the value's own escaping then doubles every backslash.
  assert.equal(execValue(['/opt/My Apps/pier']), '"/opt/My Apps/pier"');
  assert.equal(execValue(['/opt/a "b"/pier']), '"/opt/a \\\\"b\\\\"/pier"');
  assert.equal(execValue(['/opt/$HOME/pier']), '"/opt/\\\\$HOME/pier"');
  assert.equal(execValue(['/opt/back\\slash/pier']), '"/opt/back\\\\\\\\slash/pier"');
  // A % would start a field code (%f, %u): doubled.
  assert.equal(execValue(['/opt/100%/pier']), '/opt/100%%/pier');
  // Unpackaged: Electron, then the app folder.
  assert.equal(execValue(['/usr/lib/electron/electron', '/home/ann/pier app']), '/usr/lib/electron/electron "/home/ann/pier app"');
  assert.equal(execValue(['/a/pier', '']), '/a/pier ""');
});

test('the entry is a complete, enabled Desktop Entry', () => {
  const entry = desktopEntry(['/opt/My Apps/pier']);
  const lines = entry.trimEnd().split('\n');
  assert.equal(lines[0], '[Desktop Entry]');
  for (const line of ['Type=Application', 'Name=Pier', 'Exec="/opt/My Apps/pier"', 'X-GNOME-Autostart-enabled=true']) {
    assert.ok(lines.includes(line), `has ${line}`);
  }
  assert.ok(lines.slice(1).every((line) => /^[A-Za-z0-9-]+=/.test(line)), 'every line is a key=value');
});

test('turning it on writes the entry, off removes it; desktop settings that turn it off are respected', async () => {
  const config = await mkdtemp(path.join(os.tmpdir(), 'pier-autostart-'));
  try {
    const file = autostartFile({ XDG_CONFIG_HOME: config });
    assert.equal(await autostartEnabled(file), false, 'off before anything is written');

    await setAutostart(true, ['/opt/My Apps/pier'], file);
    assert.equal(await readFile(file, 'utf8'), desktopEntry(['/opt/My Apps/pier']));
    assert.equal((await stat(file)).mode & 0o777, 0o644);
    assert.equal(await autostartEnabled(file), true);
    // Atomic: no temp file left beside it.
    assert.deepEqual(await readdir(path.dirname(file)), ['pier.desktop']);

    // GNOME Tweaks and KDE turn an entry off in place rather than removing it.
    await writeFile(file, desktopEntry(['/opt/pier']).replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    assert.equal(await autostartEnabled(file), false);
    await writeFile(file, `${desktopEntry(['/opt/pier'])}Hidden=true\n`);
    assert.equal(await autostartEnabled(file), false);
    // Turning it on again replaces such an entry with an enabled one.
    await setAutostart(true, ['/opt/pier'], file);
    assert.equal(await autostartEnabled(file), true);

    await setAutostart(false, ['/opt/pier'], file);
    assert.deepEqual(await readdir(path.dirname(file)), []);
    assert.equal(await autostartEnabled(file), false);
    await setAutostart(false, ['/opt/pier'], file); // already off: no error
  } finally {
    await rm(config, { recursive: true, force: true });
  }
});

test('a file system error comes back to the caller', async () => {
  const config = await mkdtemp(path.join(os.tmpdir(), 'pier-autostart-'));
  try {
    // "autostart" is a file, so the folder can't be made.
    await mkdir(config, { recursive: true });
    await writeFile(path.join(config, 'autostart'), 'not a folder');
    await assert.rejects(setAutostart(true, ['/opt/pier'], autostartFile({ XDG_CONFIG_HOME: config })), /EEXIST|ENOTDIR/);
  } finally {
    await rm(config, { recursive: true, force: true });
  }
});
