import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';

import type { ServerState } from '../../app/contract';
import { createTray, type TrayElectron } from '../../main/tray';
import type { TrayActions } from '../../main/tray-menu';
import { hideOnClose } from '../../main/window';

type Item = Electron.MenuItemConstructorOptions;

/** Electron's Tray and Menu as far as main/tray.ts uses them: what was set, in order. */
function standIn() {
  const menus: Item[][] = [];
  const tooltips: string[] = [];
  let destroyed = false;
  class FakeTray extends EventEmitter {
    setContextMenu(menu: Item[]) {
      menus.push(menu);
    }
    setToolTip(text: string) {
      tooltips.push(text);
    }
    isDestroyed() {
      return destroyed;
    }
    destroy() {
      destroyed = true;
    }
  }
  const electron = {
    Tray: FakeTray,
    // The "menu" is its template: enough to see what the user would see.
    Menu: { buildFromTemplate: (template: Item[]) => template },
    image: {},
  } as unknown as TrayElectron;
  return { electron, menus, tooltips, isDestroyed: () => destroyed };
}

const actions: TrayActions = { start() {}, stop() {}, openInBrowser() {}, copyUrl() {}, showWindow() {}, quit() {} };
const server = (id: string, status: ServerState['status']) =>
  ({ id, status, config: { name: id }, url: status === 'running' ? 'http://127.0.0.1:8080/' : null, error: null }) as unknown as ServerState;

test('the tray menu is rebuilt once for a burst of changes, with the last state', async () => {
  const { electron, menus, tooltips, isDestroyed } = standIn();
  const tray = createTray(electron, actions, []);
  assert.equal(menus.length, 1, 'a menu from the start: Linux shows no icon without one');
  assert.equal(tooltips.at(-1), 'Pier — no servers running');

  tray.update([server('a', 'starting')]);
  tray.update([server('a', 'running')]);
  tray.update([server('a', 'running'), server('b', 'running')]);
  assert.equal(menus.length, 1, 'not yet');
  await sleep(400);
  assert.equal(menus.length, 2, 'one rebuild for three changes');
  assert.deepEqual(menus.at(-1)?.slice(0, 2).map((item) => item.label), ['a — Running', 'b — Running']);
  assert.equal(tooltips.at(-1), 'Pier — 2 servers running');

  tray.update([]);
  tray.destroy();
  await sleep(400);
  assert.equal(menus.length, 2, 'nothing after destroy');
  assert.equal(isDestroyed(), true);
});

test('closing the window hides it while "keep running" is on, and closes it otherwise', () => {
  const win = Object.assign(new EventEmitter(), { hidden: 0, hide() {
    this.hidden++;
  } });
  let keep = true;
  let explained = 0;
  hideOnClose(win, () => keep, () => explained++);

  const close = () => {
    let prevented = false;
    win.emit('close', { preventDefault: () => (prevented = true) });
    return prevented;
  };
  assert.equal(close(), true, 'the close is held back');
  assert.equal(win.hidden, 1);
  assert.equal(explained, 1);
  keep = false; // the setting off, or Pier quitting
  assert.equal(close(), false, 'the window closes');
  assert.equal(win.hidden, 1);
});
