import type { Menu as MenuType, NativeImage, Tray as TrayType } from 'electron';

import type { ServerState } from '../app/contract';
import { trayMenuTemplate, trayTooltip, type TrayActions } from './tray-menu';

/** The Electron parts the tray needs, handed in by index.ts (the one module that imports electron's values). */
export interface TrayElectron {
  Tray: new (image: NativeImage) => TrayType;
  Menu: Pick<typeof MenuType, 'buildFromTemplate'>;
  image: NativeImage;
}

export interface PierTray {
  /** The servers changed: the menu is rebuilt once for a burst of changes. */
  update(servers: readonly ServerState[]): void;
  destroy(): void;
}

// A server starting shows "Starting…" then "Running" within milliseconds: one rebuild for both.
const COALESCE_MS = 150;

/**
 * The tray icon with its menu of servers. Shown while "Keep servers running
 * when the window is closed" is on; it is the way back to the window and the
 * way to quit.
 */
export function createTray(electron: TrayElectron, actions: TrayActions, servers: readonly ServerState[]): PierTray {
  const tray = new electron.Tray(electron.image);
  let latest = servers;
  let timer: NodeJS.Timeout | null = null;

  const render = () => {
    timer = null;
    if (tray.isDestroyed()) return;
    // Linux shows a changed menu only when it is set again, so it is built whole each time.
    tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(latest, actions)));
    tray.setToolTip(trayTooltip(latest));
  };
  render();
  // Windows and macOS: a click on the icon itself brings the window back (Linux app indicators have only the menu).
  tray.on('click', () => actions.showWindow());

  return {
    update(next) {
      latest = next;
      timer ??= setTimeout(render, COALESCE_MS);
    },
    destroy() {
      if (timer) clearTimeout(timer);
      timer = null;
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
