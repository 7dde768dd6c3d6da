import type { MenuItemConstructorOptions } from 'electron';

import type { ServerId, ServerState } from '../app/contract';

/** What the tray menu's items do; main wires them to the controller and the window. */
export interface TrayActions {
  start(id: ServerId): void;
  stop(id: ServerId): void;
  openInBrowser(id: ServerId): void;
  copyUrl(id: ServerId): void;
  showWindow(): void;
  quit(): void;
}

const STATE: Record<ServerState['status'], string> = {
  running: 'Running',
  starting: 'Starting…',
  stopped: 'Stopped',
  error: 'Error',
};

// Windows and Linux read "&" in a label as a mnemonic marker: "R&D" must stay "R&D".
const literal = (text: string) => text.replace(/&/g, '&&');

const isUp = (server: ServerState) => server.status === 'running' || server.status === 'starting';

/** What the tray says about a server on its own line: its URL, its error, or how to get a URL. */
function detail(server: ServerState): string {
  if (server.status === 'running' && server.url) return server.url;
  if (server.status === 'error' && server.error) return server.error.message;
  if (server.status === 'starting') return 'Starting…';
  return 'Not running';
}

/**
 * The tray icon's menu: one submenu per server, named with its state, holding
 * its URL (or error) and what can be done with it; then Show Pier and Quit
 * Pier. A pure function of the servers, so it is tested without Electron and
 * rebuilt whole when they change (Linux shows changes only on a new menu).
 */
export function trayMenuTemplate(servers: readonly ServerState[], actions: TrayActions): MenuItemConstructorOptions[] {
  const serverItems: MenuItemConstructorOptions[] = servers.map((server) => {
    const running = server.status === 'running' && server.url !== null;
    return {
      id: `server-${server.id}`,
      label: literal(`${server.config.name} — ${STATE[server.status]}`),
      submenu: [
        { label: literal(detail(server)), enabled: false },
        { type: 'separator' },
        isUp(server)
          ? { id: `stop-${server.id}`, label: 'Stop', click: () => actions.stop(server.id) }
          : { id: `start-${server.id}`, label: 'Start', click: () => actions.start(server.id) },
        { id: `open-${server.id}`, label: 'Open in Browser', enabled: running, click: () => actions.openInBrowser(server.id) },
        { id: `copy-${server.id}`, label: 'Copy URL', enabled: running, click: () => actions.copyUrl(server.id) },
      ],
    };
  });
  return [
    ...(serverItems.length ? serverItems : [{ label: 'No servers yet', enabled: false }]),
    { type: 'separator' },
    { id: 'show', label: 'Show Pier', click: () => actions.showWindow() },
    // Quitting stops every server, as quitting from the window does; the tooltip of a menu item isn't seen, the label says it.
    { id: 'quit', label: 'Quit Pier (stops all servers)', click: () => actions.quit() },
  ];
}

/** The icon's tooltip: how many servers run, so a glance at the tray answers "is anything still serving?". */
export function trayTooltip(servers: readonly ServerState[]): string {
  const running = servers.filter((server) => server.status === 'running').length;
  if (running === 0) return 'Pier — no servers running';
  return `Pier — ${running} ${running === 1 ? 'server' : 'servers'} running`;
}
