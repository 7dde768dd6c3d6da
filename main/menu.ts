import type { MenuItemConstructorOptions } from 'electron';

import type { MenuCommand } from '../app/contract';

export interface MenuActions {
  serveFolder(): void;
  /** Hand a command to the window, which carries it out on the selected server. */
  command(command: MenuCommand): void;
}

/** A menu item that sends the window a command: its id (for tests and `getMenuItemById`), label and shortcut. */
interface CommandItem {
  id: string;
  label: string;
  accelerator: string;
  command: MenuCommand;
}

/*
 * Shortcuts, chosen not to clash with the Edit and View roles or with what
 * people already press:
 * - Start/Stop is CmdOrCtrl+Shift+S, not CmdOrCtrl+R: that is Reload in the
 *   development build (and in every browser), and CmdOrCtrl+. is "cancel" on
 *   macOS and the emoji picker on Windows and GNOME.
 * - Open in Browser is CmdOrCtrl+Enter ("go"); CmdOrCtrl+B is Bold wherever
 *   there is text.
 * - Copy URL is CmdOrCtrl+Shift+C, beside Copy's CmdOrCtrl+C (which stays
 *   the Edit role's, for selected text).
 * - Next/previous server are CmdOrCtrl+] and CmdOrCtrl+[, as in Safari,
 *   Xcode and Slack; CmdOrCtrl+1…9 pick a server by position, as tabs do.
 */
export const findItem: CommandItem = { id: 'find', label: 'Find in Log', accelerator: 'CmdOrCtrl+F', command: { type: 'find' } };
export const preferencesItem: CommandItem = {
  id: 'preferences',
  label: 'Preferences…',
  accelerator: 'CmdOrCtrl+,',
  command: { type: 'preferences' },
};
export const serverItems: CommandItem[] = [
  { id: 'start-stop', label: 'Start/Stop Server', accelerator: 'CmdOrCtrl+Shift+S', command: { type: 'start-stop' } },
  { id: 'open-in-browser', label: 'Open in Browser', accelerator: 'CmdOrCtrl+Enter', command: { type: 'open-in-browser' } },
  { id: 'copy-url', label: 'Copy URL', accelerator: 'CmdOrCtrl+Shift+C', command: { type: 'copy-url' } },
];
export const goItems: CommandItem[] = [
  { id: 'next-server', label: 'Next Server', accelerator: 'CmdOrCtrl+]', command: { type: 'next-server' } },
  { id: 'previous-server', label: 'Previous Server', accelerator: 'CmdOrCtrl+[', command: { type: 'previous-server' } },
  ...Array.from({ length: 9 }, (_, index) => ({
    id: `server-${index + 1}`,
    label: `Server ${index + 1}`,
    accelerator: `CmdOrCtrl+${index + 1}`,
    command: { type: 'select-server', index } as const,
  })),
];
/** Every item that sends a command, in menu order. */
export const commandItems: readonly CommandItem[] = [findItem, preferencesItem, ...serverItems, ...goItems];

/** The application menu with each platform's usual roles and shortcuts, and Pier's own commands. */
export function menuTemplate(platform: NodeJS.Platform, actions: MenuActions, devTools: boolean): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const item = ({ id, label, accelerator, command }: CommandItem): MenuItemConstructorOptions => ({
    id,
    label,
    accelerator,
    click: () => actions.command(command),
  });
  // macOS keeps Preferences in the app menu; elsewhere it goes in File, above Quit.
  const appMenu: MenuItemConstructorOptions = {
    role: 'appMenu',
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      item(preferencesItem),
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Serve a Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.serveFolder() },
      { type: 'separator' },
      ...(mac ? [] : [item(preferencesItem), { type: 'separator' } as const]),
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  // The Edit role's items, spelled out so Find can join them.
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? ([{ role: 'pasteAndMatchStyle' }] as const) : []),
      { role: 'delete' },
      { role: 'selectAll' },
      { type: 'separator' },
      item(findItem),
    ],
  };
  const server: MenuItemConstructorOptions = {
    label: '&Server',
    submenu: [...serverItems.map(item), { type: 'separator' }, ...goItems.slice(0, 2).map(item), { type: 'separator' }, ...goItems.slice(2).map(item)],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(devTools ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [...(mac ? [appMenu] : []), file, edit, server, view, { role: 'windowMenu', label: '&Window' }];
}

/** The item with this id anywhere in a template (what `Menu.getMenuItemById` finds in a built menu). */
export function findMenuItem(template: readonly MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | null {
  for (const entry of template) {
    if (entry.id === id) return entry;
    if (Array.isArray(entry.submenu)) {
      const found = findMenuItem(entry.submenu, id);
      if (found) return found;
    }
  }
  return null;
}
