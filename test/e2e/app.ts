/**
 * The e2e fixture: launches Pier with the real renderer (dist/renderer), the
 * real preload (main/preload.ts), the real main-process controller and IPC
 * handlers, and the real engine host in its own process. Two variants:
 *  - harness: Debian's Chromium shows the page; only Electron's transport
 *    (contextBridge, ipcRenderer, ipcMain, webContents.send) and native
 *    dialogs are stood in for (see electron-transport.ts). The engine host
 *    (dist/main/engine-host.cjs, built by `npm run build`) runs as a Node
 *    child process, as it runs as a utility process in the app.
 *  - electron: the real app through Playwright's _electron, where the
 *    Electron binary is installed (the `electron` Playwright project).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, realpath } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { test, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { chromium, _electron } from 'playwright-core';
import serveHandler from 'serve-handler';

import { events } from '../../app/contract';
import { fromChildProcess } from '../../app/engine-channel';
import { createController, type Desktop } from '../../main/controller';
import { setupIpc, type IpcMainLike } from '../../main/ipc';
import { findMenuItem, menuTemplate } from '../../main/menu';
import { sameDocument } from '../../main/security';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RENDERER = path.join(ROOT, 'dist', 'renderer');
const ENGINE_HOST = path.join(ROOT, 'dist', 'main', 'engine-host.cjs');
export interface LaunchOptions {
  /** Relaunch with the settings of an earlier launch. */
  userDataDir?: string;
  colorScheme?: 'light' | 'dark';
  /** LAN addresses the engine reports (the harness variant only); never connected to. */
  lanAddresses?: string[];
  /** LAN addresses by adapter name, e.g. { en0: ['192.168.1.20'] } (the harness variant only); never connected to. */
  lanInterfaces?: Record<string, string[]>;
}

export interface PierApp {
  /** The app's window. */
  page: Page;
  /** Pier's settings folder (Electron's userData). */
  userDataDir: string;
  /**
   * The home folder the engine sees (HOME, XDG_*): a temp folder, so trusting
   * Pier's certificate authority changes ~/.pki here, never the real user's.
   */
  home: string;
  /** What the next native folder dialog returns (null: the user cancels). */
  pickFolder(folder: string | null): Promise<void>;
  /** What the next native save dialog returns (null: the user cancels); the file name it was offered is kept for `suggestedSaveName`. */
  pickSavePath(file: string | null): Promise<void>;
  /** The file name the last save dialog suggested (the harness variant only; '' in Electron). */
  suggestedSaveName(): Promise<string>;
  /** Drop a folder onto the window, as from a file manager. */
  dropFolder(folder: string): Promise<void>;
  /** URLs handed to the system browser, and the clipboard's text. */
  opened(): Promise<string[]>;
  clipboard(): Promise<string>;
  /** The process id of the engine host, where the servers run (a new one after a restart). */
  enginePid(): number;
  /**
   * Choose an item of the application menu by its id (e.g. 'find', 'copy-url', 'server-2'), as its
   * shortcut does. The harness builds main's own menu template and clicks the item there; its
   * command reaches the window the way main sends it.
   */
  menu(id: string): Promise<void>;
  /** Close the window as its title bar's close button does (the electron variant only: the harness has no native window). */
  closeWindow(): Promise<void>;
  /** Whether Pier's window is on screen (the electron variant only). */
  windowShown(): Promise<boolean>;
  /** Quit as a user would: servers saved, then stopped, the engine process ended. */
  close(): Promise<void>;
}

/** Launch Pier. In the `electron` Playwright project this is the real Electron app. */
export async function launchApp(options: LaunchOptions = {}): Promise<PierApp> {
  const userDataDir = options.userDataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-userdata-')));
  const variant = test.info().project.name === 'electron' ? 'electron' : 'harness';
  const home = await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-home-'));
  return variant === 'electron' ? launchElectron(userDataDir, home, options) : launchHarness(userDataDir, home, options);
}

/** The environment of a process that must not see the real user's home (certificate stores live there). */
function withHome(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
}

let preloadBundle: Promise<string> | null = null;
/** The real preload, with `electron` resolved to the transport stand-in. */
function harnessPreload(): Promise<string> {
  preloadBundle ??= build({
    entryPoints: [path.join(ROOT, 'main', 'preload.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    alias: { electron: path.join(ROOT, 'test', 'e2e', 'electron-transport.ts') },
    logLevel: 'warning',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return preloadBundle;
}

async function serveRenderer(): Promise<http.Server> {
  const server = http.createServer((req, res) => void serveHandler(req, res, { public: RENDERER, etag: false, cleanUrls: false }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function launchHarness(userDataDir: string, home: string, options: LaunchOptions): Promise<PierApp> {
  const page$ = await serveRenderer();
  const pageUrl = `http://127.0.0.1:${(page$.address() as AddressInfo).port}/index.html`;
  const profile = await mkdtemp(path.join(os.tmpdir(), 'pier-e2e-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1200, height: 760 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // The window's own errors belong in the test output (CSP violations, React warnings, crashes).
  page.on('pageerror', (error) => console.error(`[window] ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`[window ${message.type()}] ${message.text()}`);
  });

  let nextFolder: string | null = null;
  let nextSavePath: string | null = null;
  let lastSuggestedName = '';
  const opened: string[] = [];
  let clipboard = '';
  const engines: ChildProcess[] = [];
  const desktop: Desktop = {
    userDataDir,
    // The same engine host the app starts with utilityProcess.fork, here as a Node child process.
    forkEngine: () => {
      const child = fork(ENGINE_HOST, [], { serialization: 'advanced', stdio: 'inherit', execArgv: [], env: withHome(home) });
      engines.push(child);
      return fromChildProcess(child);
    },
    pickFolder: async () => nextFolder,
    pickSavePath: async (suggestedName) => {
      lastSuggestedName = suggestedName;
      return nextSavePath;
    },
    openExternal: async (url) => void opened.push(url),
    writeClipboard: (text) => void (clipboard = text),
    showFolder: async () => undefined,
    // webContents.send: deliver to the page's listeners; a closed page just drops it.
    send: (channel, payload) =>
      void page.evaluate(([c, p]) => window.__pierTransport?.emit(c, p), [channel, payload] as const).catch(() => undefined),
    lanAddresses: options.lanAddresses,
    lanInterfaces: options.lanInterfaces,
  };
  const controller = await createController(desktop);

  // ipcMain, as far as setupIpc uses it; invoked through the page binding below.
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener as never),
    removeHandler: (channel) => void handlers.delete(channel),
  } as IpcMainLike;
  const mainFrame = {
    get url() {
      return page.mainFrame().url();
    },
  };
  const contents = { mainFrame } as unknown as Electron.WebContents;
  setupIpc(ipcMain, { contents: () => contents, isAppUrl: (url) => sameDocument(pageUrl, url) }, controller.handlers);

  await context.exposeBinding('__pierInvoke', async (source, channel: string, args: unknown[]) => {
    const handler = handlers.get(channel);
    // The frame that called: the app's main frame, or something else that must be refused.
    const senderFrame = source.frame === page.mainFrame() ? mainFrame : { url: source.frame.url() };
    try {
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return { ok: true, value: await handler({ sender: contents, senderFrame }, ...args) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  });
  await page.addInitScript({ content: await harnessPreload() });
  await page.goto(pageUrl);

  let closed = false;
  return {
    page,
    userDataDir,
    home,
    pickFolder: async (folder) => void (nextFolder = folder),
    pickSavePath: async (file) => void (nextSavePath = file),
    suggestedSaveName: async () => lastSuggestedName,
    dropFolder: (folder) => dropOnto(page, folder),
    opened: async () => [...opened],
    clipboard: async () => clipboard,
    enginePid() {
      const pid = controller.enginePid();
      if (pid === undefined) throw new Error('No engine process is running.');
      return pid;
    },
    async menu(id) {
      const template = menuTemplate(process.platform, { serveFolder: () => undefined, command: (command) => desktop.send(events.onCommand, command) }, false);
      const item = findMenuItem(template, id);
      if (!item?.click) throw new Error(`The menu has no item '${id}'.`);
      item.click(undefined as never, undefined, undefined as never);
    },
    closeWindow: () => Promise.reject(new Error('The harness has no native window to close; use the electron variant.')),
    windowShown: () => Promise.reject(new Error('The harness has no native window; use the electron variant.')),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await controller.shutdown();
      } finally {
        // No orphans, whatever happened to the shutdown.
        for (const child of engines) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await context.close();
        await new Promise((resolve) => page$.close(resolve));
      }
    },
  };
}

/** A drop event carrying a File, as a file manager would send; the transport maps its name to the path. */
async function dropOnto(page: Page, folder: string): Promise<void> {
  const name = path.basename(folder);
  const real = await realpath(folder);
  await page.evaluate(
    ([fileName, fullPath]) => {
      window.__pierDropPaths = { ...window.__pierDropPaths, [fileName]: fullPath };
      const data = new DataTransfer();
      data.items.add(new File([], fileName));
      const target = document.body;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    },
    [name, real] as const,
  );
}

async function launchElectron(userDataDir: string, home: string, options: LaunchOptions): Promise<PierApp> {
  const electronApp = await _electron.launch({
    args: [ROOT],
    cwd: ROOT,
    env: { ...withHome(home), PIER_USER_DATA_DIR: userDataDir } as Record<string, string>,
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await electronApp.firstWindow();
  await page.setViewportSize({ width: 1200, height: 760 });
  let closed = false;
  return {
    page,
    userDataDir,
    home,
    async pickFolder(folder) {
      await electronApp.evaluate(({ dialog }, picked) => {
        dialog.showOpenDialog = (async () => ({ canceled: picked === null, filePaths: picked ? [picked] : [] })) as never;
      }, folder);
    },
    async pickSavePath(file) {
      await electronApp.evaluate(({ dialog }, picked) => {
        dialog.showSaveDialog = (async () => ({ canceled: picked === null, filePath: picked ?? '' })) as never;
      }, file);
    },
    suggestedSaveName: async () => '',
    async dropFolder(folder) {
      // A synthetic drop has no real file path in Electron; serving through argv is the same code path.
      await electronApp.evaluate(({ app }, f) => app.emit('second-instance', {}, ['electron', f], process.cwd()), folder);
    },
    opened: async () => [],
    clipboard: async () => electronApp.evaluate(({ clipboard }) => clipboard.readText()),
    enginePid: () => utilityChildOf(electronApp.process().pid),
    async menu(id) {
      const found = await electronApp.evaluate(({ Menu }, itemId) => {
        const item = Menu.getApplicationMenu()?.getMenuItemById(itemId);
        item?.click();
        return Boolean(item);
      }, id);
      if (!found) throw new Error(`The menu has no item '${id}'.`);
    },
    async closeWindow() {
      await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
    },
    windowShown: () => electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().some((win) => win.isVisible())),
    async close() {
      if (closed) return;
      closed = true;
      await electronApp.close();
    },
  };
}

/**
 * The engine's utility process under Electron's main process (Linux: read
 * from /proc). Electron starts utility processes with --type=utility; the
 * engine is the one running Node (node.mojom.NodeService).
 */
function utilityChildOf(mainPid: number | undefined): number {
  const parentOf = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1];
  const descends = (pid: string) => {
    for (let p: string | undefined = pid, hops = 0; p && p !== '1' && hops < 8; p = parentOf(p), hops++) {
      if (p === String(mainPid)) return true;
    }
    return false;
  };
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('--type=utility') && cmdline.includes('NodeService') && descends(pid)) return Number(pid);
    } catch {
      // The process ended while we looked; it was not the engine we want.
    }
  }
  throw new Error('No engine utility process found under the Electron app.');
}
