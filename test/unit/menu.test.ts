import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { MenuCommand } from '../../app/contract';
import { commandItems, findMenuItem, menuTemplate } from '../../main/menu';

type Item = Electron.MenuItemConstructorOptions;

function allItems(template: readonly Item[]): Item[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? allItems(item.submenu) : [])]);
}

for (const platform of ['darwin', 'linux', 'win32'] as const) {
  test(`every keyboard command is in the ${platform} menu with its label and shortcut, and sends its command`, () => {
    const sent: MenuCommand[] = [];
    const template = menuTemplate(platform, { serveFolder: () => undefined, command: (c) => sent.push(c) }, true);
    const expected: Array<[string, string, string, MenuCommand]> = [
      ['find', 'Find in Log', 'CmdOrCtrl+F', { type: 'find' }],
      ['preferences', 'Preferences…', 'CmdOrCtrl+,', { type: 'preferences' }],
      ['start-stop', 'Start/Stop Server', 'CmdOrCtrl+Shift+S', { type: 'start-stop' }],
      ['open-in-browser', 'Open in Browser', 'CmdOrCtrl+Enter', { type: 'open-in-browser' }],
      ['copy-url', 'Copy URL', 'CmdOrCtrl+Shift+C', { type: 'copy-url' }],
      ['next-server', 'Next Server', 'CmdOrCtrl+]', { type: 'next-server' }],
      ['previous-server', 'Previous Server', 'CmdOrCtrl+[', { type: 'previous-server' }],
      ...Array.from({ length: 9 }, (_, i): [string, string, string, MenuCommand] => [`server-${i + 1}`, `Server ${i + 1}`, `CmdOrCtrl+${i + 1}`, { type: 'select-server', index: i }]),
    ];
    assert.equal(commandItems.length, expected.length, 'no command without a test here');
    for (const [id, label, accelerator, command] of expected) {
      const item = findMenuItem(template, id);
      assert.ok(item, `${id} is in the menu`);
      assert.equal(item.label, label);
      assert.equal(item.accelerator, accelerator);
      item.click?.(undefined as never, undefined, undefined as never);
      assert.deepEqual(sent.pop(), command, `${id} sends its command`);
    }
  });

  test(`no two items of the ${platform} menu share a shortcut, and Pier's don't take a role's`, () => {
    const template = menuTemplate(platform, { serveFolder: () => undefined, command: () => undefined }, true);
    const accelerators = allItems(template).flatMap((item) => (item.accelerator ? [String(item.accelerator)] : []));
    assert.equal(new Set(accelerators).size, accelerators.length, accelerators.join(' '));
    // What the roles bind by default: Reload, Copy, Paste, Select All, Undo, Redo, zoom, close, quit.
    const taken = ['CmdOrCtrl+R', 'CmdOrCtrl+C', 'CmdOrCtrl+V', 'CmdOrCtrl+X', 'CmdOrCtrl+A', 'CmdOrCtrl+Z', 'CmdOrCtrl+Shift+Z', 'CmdOrCtrl+0', 'CmdOrCtrl+Plus', 'CmdOrCtrl+-', 'CmdOrCtrl+W', 'CmdOrCtrl+Q', 'CmdOrCtrl+M', 'CmdOrCtrl+H'];
    for (const accelerator of accelerators) assert.ok(!taken.includes(accelerator), `${accelerator} is a role's`);
  });
}

test('Preferences is in the app menu on macOS and in File elsewhere', () => {
  const mac = menuTemplate('darwin', { serveFolder: () => undefined, command: () => undefined }, false);
  assert.ok(findMenuItem((mac[0]?.submenu ?? []) as Item[], 'preferences'));
  const linux = menuTemplate('linux', { serveFolder: () => undefined, command: () => undefined }, false);
  assert.ok(findMenuItem((linux.find((m) => m.label === '&File')?.submenu ?? []) as Item[], 'preferences'));
});
