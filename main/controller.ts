import path from 'node:path';

import QRCode from 'qrcode';

import {
  events,
  fail,
  ok,
  type Notice,
  type PierApi,
  type RequestName,
  type Result,
  type ServerId,
  type ServerState,
  type UrlChoice,
} from '../app/contract';
import { findFreePort, isPortFree } from '../app/ports';
import { ServerManager } from '../app/server-manager';
import { SettingsStore } from '../app/settings-store';
import { TlsStore } from '../app/tls';
import { LogRelay } from './log-relay';
import { oncePerTurn } from './once-per-turn';
import { autoSave, restoreServers } from './persistence';

/** What the controller needs from the desktop; Electron in the app, stand-ins in tests. */
export interface Desktop {
  /** Where settings and certificates live (Electron's userData). */
  userDataDir: string;
  pickFolder(): Promise<string | null>;
  openExternal(url: string): Promise<void>;
  writeClipboard(text: string): void;
  showFolder(folder: string): Promise<void>;
  /** Push to the window; a no-op while there is none. */
  send(channel: string, payload: unknown): void;
  /** Test seams. */
  lanAddresses?: () => string[];
}

/** One handler per request of the contract; a missing one is a compile error. */
export type Handlers = {
  [K in RequestName]: PierApi[K];
};

export interface Controller {
  handlers: Handlers;
  manager: ServerManager;
  /** Serve a folder given at launch or by a second launch: reuse its server if there is one. */
  serveFolder(folder: string): Promise<void>;
  /** Save, then stop every server: what quitting does. */
  shutdown(): Promise<void>;
}

/**
 * The desktop app's logic around the engine: restores servers, keeps settings
 * saved, relays state and request logs to the window, and answers every
 * request of the UI. Knows nothing of Electron: the `Desktop` is injected.
 */
export async function createController(desktop: Desktop): Promise<Controller> {
  const manager = new ServerManager({
    tls: new TlsStore(path.join(desktop.userDataDir, 'tls')),
    lanAddresses: desktop.lanAddresses,
  });
  const store = new SettingsStore(path.join(desktop.userDataDir, 'settings.json'));
  const notices: Notice[] = [];
  let noticeSeq = 0;

  const notify = (level: Notice['level'], message: string) => {
    const notice = { id: `n${++noticeSeq}`, level, message };
    notices.push(notice);
    desktop.send(events.onNotice, notice);
  };

  // Snapshots go out at most once per turn, however many servers changed.
  const pushServers = oncePerTurn(() => desktop.send(events.onServers, manager.list()));
  const relay = new LogRelay((batches) => {
    desktop.send(events.onLog, batches);
    pushServers(); // request counters moved
  });
  manager.on('state', pushServers);
  manager.on('removed', (id) => {
    relay.drop(id);
    pushServers();
  });
  manager.on('log', (id, entries) => relay.push(id, entries));
  manager.on('requestError', (id, error) => console.error(`[pier] server ${id}: error while answering a request`, error));

  const saver = autoSave(manager, store, (message) => notify('error', message));
  const restoreProblem = await restoreServers(manager, store);
  if (restoreProblem) notify('warning', restoreProblem);

  const stateOf = (id: ServerId): Result<ServerState> => {
    const found = manager.find(id);
    return found.ok ? ok(found.value.state()) : found;
  };

  /** The URL main hands out: only ever one the server itself reported. */
  const urlOf = (id: ServerId, which: UrlChoice): Result<string> => {
    const state = stateOf(id);
    if (!state.ok) return state;
    const { url, lanUrls, status } = state.value;
    if (status !== 'running' || !url) return fail('NOT_RUNNING', 'Start the server first.');
    const chosen = which === 'local' ? url : lanUrls[which];
    return chosen ? ok(chosen) : fail('NOT_RUNNING', 'That LAN address is no longer available.');
  };

  const handlers = {
    listServers: async () => manager.list(),
    pickFolder: () => desktop.pickFolder(),
    // A server that was added but could not start (a taken port) still comes
    // back as ok: it exists, and its state carries the error and the fix.
    createServer: async (input) => {
      const created = await manager.create(input);
      if (!created.ok) return created;
      await manager.start(created.value.id);
      return stateOf(created.value.id);
    },
    updateServer: (id, patch) => manager.update(id, patch),
    removeServer: (id) => manager.remove(id),
    startServer: (id) => manager.start(id),
    stopServer: (id) => manager.stop(id),
    getLog: async (id) => manager.get(id)?.log.entries() ?? [],
    clearLog: async (id) => {
      const found = manager.find(id);
      if (!found.ok) return found;
      found.value.log.clear();
      relay.drop(id);
      return ok(null);
    },
    openUrl: async (id, which) => {
      const url = urlOf(id, which);
      if (!url.ok) return url;
      await desktop.openExternal(url.value);
      return ok(null);
    },
    copyUrl: async (id, which) => {
      const url = urlOf(id, which);
      if (url.ok) desktop.writeClipboard(url.value);
      return url;
    },
    qrCode: async (id, which) => {
      const url = urlOf(id, which);
      if (!url.ok) return url;
      return ok(await QRCode.toString(url.value, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }));
    },
    revealFolder: async (id) => {
      const state = stateOf(id);
      if (!state.ok) return state;
      await desktop.showFolder(state.value.config.root);
      return ok(null);
    },
    checkPort: async (port, lan, exceptId) => {
      // The server being edited may hold the port itself; that doesn't count as taken.
      if (exceptId && manager.get(exceptId)?.state().port === port) return { free: true, suggestedPort: null };
      const host = lan ? '0.0.0.0' : '127.0.0.1';
      if (await isPortFree(port, host)) return { free: true, suggestedPort: null };
      return { free: false, suggestedPort: await findFreePort(host, port + 1) };
    },
    getNotices: async () => [...notices],
    dismissNotice: async (id) => {
      const index = notices.findIndex((n) => n.id === id);
      if (index !== -1) notices.splice(index, 1);
      return null;
    },
  } satisfies Handlers;

  return {
    handlers,
    manager,
    async serveFolder(folder) {
      const root = path.resolve(folder);
      const existing = manager.list().find((s) => s.config.root === root);
      if (existing) {
        if (existing.status !== 'running') await manager.start(existing.id);
        desktop.send(events.onSelectServer, existing.id);
        return;
      }
      const created = await manager.create({ root });
      if (!created.ok) {
        notify('error', created.message);
        return;
      }
      desktop.send(events.onSelectServer, created.value.id);
      await manager.start(created.value.id);
    },
    async shutdown() {
      relay.dispose();
      await saver.flush();
      saver.freeze();
      await manager.stopAll();
    },
  };
}
