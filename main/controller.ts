import { writeFile } from 'node:fs/promises';
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
import type { EngineProcess } from '../app/engine-channel';
import { LOG_PULL_MS } from '../app/engine-protocol';
import { EngineContinuity } from './engine-continuity';
import { EngineSupervisor } from './engine-supervisor';
import { createPreferences, type LoginItem, type Preferences } from './preferences';
import { PreferencesStore, type StoredPreferences } from './preferences-store';

/** What the controller needs from the desktop; Electron in the app, stand-ins in tests. */
export interface Desktop {
  /** Where settings and certificates live (Electron's userData). */
  userDataDir: string;
  /** Start one engine host process: utilityProcess.fork in the app, child_process.fork in tests. */
  forkEngine(): EngineProcess;
  pickFolder(): Promise<string | null>;
  /** The native save dialog, suggesting a file name: the path the user chose, or null when they cancel. */
  pickSavePath(suggestedName: string): Promise<string | null>;
  openExternal(url: string): Promise<void>;
  writeClipboard(text: string): void;
  showFolder(folder: string): Promise<void>;
  /** Push to the window; a no-op while there is none. */
  send(channel: string, payload: unknown): void;
  /** Test seam: the LAN addresses servers report (never connected to). */
  lanAddresses?: string[];
  /** Test seam: LAN addresses by adapter name (never connected to); wins over `lanAddresses`. */
  lanInterfaces?: Record<string, string[]>;
  /** Start at login as the system keeps it; absent in the e2e harness, where only the saved preference exists. */
  loginItem?: LoginItem;
  /** Told after preferences were saved (the app shows or hides its tray icon). */
  onPreferences?(prefs: StoredPreferences): void;
}

/** One handler per request of the contract; a missing one is a compile error. */
export type Handlers = {
  [K in RequestName]: PierApi[K];
};

export interface Controller {
  handlers: Handlers;
  /** Serve a folder given at launch or by a second launch: reuse its server if there is one. */
  serveFolder(folder: string): Promise<void>;
  /** Save, stop every server and end the engine process: what quitting does. */
  shutdown(): Promise<void>;
  /** The engine process's id, while one runs. */
  enginePid(): number | undefined;
  /** The app-level preferences (keep running in the tray, start at login). */
  preferences: Preferences;
}

/**
 * The desktop app's logic around the engine, which runs in its own process:
 * starts it (and starts it again if it dies), forwards the UI's requests to
 * it, pulls request logs every LOG_PULL_MS and relays them, with servers
 * snapshots and notices, to the window. Keeps what needs the desktop (folder
 * picker, save dialog, browser, clipboard, file manager, QR codes) and knows nothing of
 * Electron: the `Desktop` is injected.
 */
export async function createController(desktop: Desktop): Promise<Controller> {
  const notices: Notice[] = [];
  let noticeSeq = 0;
  const notify = (level: Notice['level'], message: string) => {
    const notice = { id: `n${++noticeSeq}`, level, message };
    notices.push(notice);
    desktop.send(events.onNotice, notice);
  };

  const continuity = new EngineContinuity();
  const engine = new EngineSupervisor({
    fork: desktop.forkEngine,
    init: { userDataDir: desktop.userDataDir, lanAddresses: desktop.lanAddresses ?? null, lanInterfaces: desktop.lanInterfaces ?? null },
    onEvent: (event) => {
      if (event.type === 'servers') desktop.send(events.onServers, continuity.states(event.servers));
      else notify(event.level, event.message);
    },
    onCrash: () => continuity.restarted(),
    notify,
  });
  await engine.start();

  const preferenceStore = new PreferencesStore(path.join(desktop.userDataDir, 'preferences.json'));
  const preferencesProblem = await preferenceStore.load();
  if (preferencesProblem) notify('warning', preferencesProblem);
  const preferences = createPreferences(preferenceStore, desktop.loginItem, (prefs) => desktop.onPreferences?.(prefs));

  // Pull, not push: one message per interval however many requests arrive, and
  // a pull waits for the last one's answer, so a busy engine is never queued up.
  let pullTimer: NodeJS.Timeout | null = null;
  let pulling = true;
  const pull = async () => {
    try {
      const batches = await engine.call('pullLogs');
      if (batches.length) desktop.send(events.onLog, batches.map((batch) => continuity.batch(batch)));
    } catch {
      // The engine stopped; the next pull reaches the one started in its place (or Pier gave up, see below).
    }
    if (pulling && !engine.failed) pullTimer = setTimeout(() => void pull(), LOG_PULL_MS);
  };
  pullTimer = setTimeout(() => void pull(), LOG_PULL_MS);

  const stateOf = async (id: ServerId) => continuity.result(await engine.call('getServer', id));

  /** The URL main hands out: only ever one the server itself reported. */
  const urlOf = async (id: ServerId, which: UrlChoice): Promise<Result<string>> => {
    const state = await stateOf(id);
    if (!state.ok) return state;
    const { url, lanUrls, status } = state.value;
    if (status !== 'running' || !url) return fail('NOT_RUNNING', 'Start the server first.');
    const chosen = which === 'local' ? url : lanUrls[which];
    return chosen ? ok(chosen) : fail('NOT_RUNNING', 'That LAN address is no longer available.');
  };

  const qrSvg = (url: string) => QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });

  /** A running LAN server's certificate page: its own LAN address and port, plain HTTP, Pier's own path. Nothing else. */
  const trustPageOf = async (id: ServerId, which: number): Promise<Result<string>> => {
    const url = await urlOf(id, which);
    if (!url.ok) return url;
    return ok(`http://${new URL(url.value).host}/.pier/trust`);
  };

  /** Ask where with the save dialog, then write: the only path main writes to is the one the user picked. */
  const saveChosen = async (text: string, suggestedName: string): Promise<Result<string | null>> => {
    const file = await desktop.pickSavePath(suggestedName);
    if (!file) return ok(null);
    try {
      await writeFile(file, text);
    } catch (error) {
      return fail('SAVE_FAILED', `Could not save ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return ok(file);
  };

  const handlers = {
    listServers: async () => continuity.states(await engine.call('listServers')),
    pickFolder: () => desktop.pickFolder(),
    createServer: async (input) => continuity.result(await engine.call('createServer', input, true)),
    updateServer: async (id, patch) => continuity.result(await engine.call('updateServer', id, patch)),
    removeServer: async (id) => {
      const removed = await engine.call('removeServer', id);
      if (removed.ok) continuity.forget(id);
      return removed;
    },
    startServer: async (id) => continuity.result(await engine.call('startServer', id)),
    stopServer: async (id) => continuity.result(await engine.call('stopServer', id)),
    getLog: async (id) => continuity.entries(id, await engine.call('getLog', id)),
    clearLog: async (id) => {
      const cleared = await engine.call('clearLog', id);
      if (cleared.ok) continuity.cleared(id);
      return cleared;
    },
    getRequestDetails: async (id, seq) => {
      // The window numbers requests across engine restarts; a request from before the last one is gone with its engine.
      const engineSeq = continuity.engineSeq(id, seq);
      return engineSeq === null ? ok(null) : engine.call('getRequestDetails', id, engineSeq);
    },
    saveLog: async (id, format) => {
      // Built in the engine, which holds the headers; main only writes it where the user chose.
      const built = await engine.call('exportLog', id, format);
      return built.ok ? saveChosen(built.value.text, built.value.fileName) : built;
    },
    openUrl: async (id, which) => {
      const url = await urlOf(id, which);
      if (!url.ok) return url;
      await desktop.openExternal(url.value);
      return ok(null);
    },
    copyUrl: async (id, which) => {
      const url = await urlOf(id, which);
      if (url.ok) desktop.writeClipboard(url.value);
      return url;
    },
    qrCode: async (id, which) => {
      const url = await urlOf(id, which);
      if (!url.ok) return url;
      return ok(await qrSvg(url.value));
    },
    trustQrCode: async (id, which) => {
      const url = await trustPageOf(id, which);
      if (!url.ok) return url;
      return ok({ url: url.value, svg: await qrSvg(url.value) });
    },
    trustStatus: () => engine.call('trustStatus'),
    trust: (action) => engine.call('trust', action),
    networkAddresses: () => engine.call('lanAddresses'),
    revealFolder: async (id) => {
      const state = await stateOf(id);
      if (!state.ok) return state;
      await desktop.showFolder(state.value.config.root);
      return ok(null);
    },
    checkPort: (port, lan, exceptId) => engine.call('checkPort', port, lan, exceptId),
    exportConfig: (id, target) => engine.call('exportConfig', id, target),
    saveExport: (text, suggestedName) => saveChosen(text, suggestedName),
    copyText: async (text) => {
      desktop.writeClipboard(text);
      return null;
    },
    getNotices: async () => [...notices],
    dismissNotice: async (id) => {
      const index = notices.findIndex((n) => n.id === id);
      if (index !== -1) notices.splice(index, 1);
      return null;
    },
    ...preferences.handlers,
  } satisfies Handlers;

  return {
    handlers,
    async serveFolder(folder) {
      const root = path.resolve(folder);
      const existing = (await engine.call('listServers')).find((s: ServerState) => s.config.root === root);
      if (existing) {
        if (existing.status !== 'running') await engine.call('startServer', existing.id);
        desktop.send(events.onSelectServer, existing.id);
        return;
      }
      const created = await engine.call('createServer', { root }, false);
      if (!created.ok) {
        notify('error', created.message);
        return;
      }
      desktop.send(events.onSelectServer, created.value.id);
      await engine.call('startServer', created.value.id);
    },
    async shutdown() {
      pulling = false;
      if (pullTimer) clearTimeout(pullTimer);
      await engine.stop();
    },
    enginePid: () => engine.pid,
    preferences,
  };
}
