/**
 * Pier's Electron main process: the only module that takes Electron's objects
 * and hands them to the setup functions, in order.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron';

import { events, type MenuCommand, type ServerState } from '../app/contract';
import { fromUtilityProcess } from '../app/engine-channel';
import { autostartEnabled, setAutostart } from './autostart';
import { createController, type Controller } from './controller';
import { setupIpc } from './ipc';
import { folderFromArgv } from './launch-args';
import { menuTemplate } from './menu';
import type { LoginItem } from './preferences';
import type { StoredPreferences } from './preferences-store';
import { createTray, type PierTray } from './tray';
import { guardContents, sameDocument } from './security';
import { hideOnClose, windowOptions } from './window';

// dist/main/index.cjs → dist/renderer/index.html and dist/main/preload.cjs
const pageFile = path.join(__dirname, '..', 'renderer', 'index.html');
const pageUrl = pathToFileURL(pageFile).href;
const preloadFile = path.join(__dirname, 'preload.cjs');
// The engine host: Pier's servers run there, never in this process.
const engineHostFile = path.join(__dirname, 'engine-host.cjs');
const trayIconFile = path.join(__dirname, 'tray-icon.png');
const isAppUrl = (url: string) => sameDocument(pageUrl, url);

let window: BrowserWindow | null = null;
let controller: Controller | null = null;
let tray: PierTray | null = null;
/** The servers as last pushed to the window: what the tray lists. */
let servers: readonly ServerState[] = [];
/** Set once quitting begins: from then on, closing the window closes it. */
let quitting = false;
/** Folders asked for before the controller was ready (macOS open-file, argv). */
const pendingFolders: string[] = [];

function serve(folder: string): void {
  if (controller) void controller.serveFolder(folder);
  else pendingFolders.push(folder);
  showWindow();
}

function showWindow(): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

async function pickFolder(): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { title: 'Serve a folder', properties: ['openDirectory', 'createDirectory'] };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function pickSavePath(suggestedName: string): Promise<string | null> {
  const options: Electron.SaveDialogOptions = { title: 'Save the exported config', defaultPath: suggestedName, properties: ['createDirectory', 'showOverwriteConfirmation'] };
  const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}

function createWindow(hidden = false): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadFile, nativeTheme.shouldUseDarkColors));
  win.once('ready-to-show', () => {
    if (!hidden) win.show();
  });
  // Keep running in the tray: hide instead of closing, so the servers (and the window's state) stay.
  hideOnClose(win, () => !quitting && Boolean(controller?.preferences.current().keepRunningInTray), explainBackgroundOnce);
  win.on('closed', () => {
    if (window === win) window = null;
  });
  void win.loadFile(pageFile);
  return win;
}

function setupSecurity(): void {
  app.on('web-contents-created', (_event, contents) => guardContents(contents, isAppUrl));
  // Pier's page needs no camera, notifications, or anything else a site may ask for.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function sendCommand(command: MenuCommand): void {
  showWindow();
  if (window && !window.isDestroyed()) window.webContents.send(events.onCommand, command);
}

function setupMenu(): void {
  const serveFromMenu = async () => {
    const folder = await pickFolder();
    if (folder) serve(folder);
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(process.platform, { serveFolder: () => void serveFromMenu(), command: sendCommand }, !app.isPackaged),
    ),
  );
}

/** The first time closing the window leaves Pier running, say so once; never again after that. */
function explainBackgroundOnce(): void {
  if (!controller || controller.preferences.current().backgroundExplained) return;
  const title = 'Pier is still running';
  const body = 'Your servers keep running in the tray. To stop them, choose Quit Pier from the tray icon’s menu.';
  if (Notification.isSupported()) new Notification({ title, body, icon: trayIconFile }).show();
  else void dialog.showMessageBox({ type: 'info', title, message: title, detail: body, buttons: ['OK'] });
  void controller.preferences.markBackgroundExplained();
}

/** The tray icon is there while "keep running" is on: it is then the way back to the window and the way to quit. */
function applyTray(prefs: StoredPreferences): void {
  if (prefs.keepRunningInTray && !tray && controller) {
    const handlers = controller.handlers;
    tray = createTray(
      { Tray, Menu, image: nativeImage.createFromPath(trayIconFile) },
      {
        start: (id) => void handlers.startServer(id),
        stop: (id) => void handlers.stopServer(id),
        openInBrowser: (id) => void handlers.openUrl(id, 'local'),
        copyUrl: (id) => void handlers.copyUrl(id, 'local'),
        showWindow,
        quit: () => app.quit(),
      },
      servers,
    );
  } else if (!prefs.keepRunningInTray && tray) {
    tray.destroy();
    tray = null;
    // With the tray gone, a hidden window would leave no way back.
    if (window && !window.isVisible()) showWindow();
  }
}

/** Marks a launch at login (Linux and Windows; macOS says so itself). */
const AT_LOGIN = '--at-login';

/**
 * How Pier is started at login: the packaged app (the AppImage itself, not
 * its temporary mount), or Electron with this app; marked, so that Pier
 * keeping its servers in the tray can start there without a window.
 */
function launchCommand(): string[] {
  const executable = app.isPackaged ? [process.env.APPIMAGE ?? process.execPath] : [process.execPath, app.getAppPath()];
  return [...executable, AT_LOGIN];
}

function openedAtLogin(): boolean {
  return process.argv.includes(AT_LOGIN) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
}

/** Start at login: Electron's login items on macOS and Windows, an XDG autostart entry on Linux. */
function loginItem(): LoginItem {
  if (process.platform === 'linux') {
    return { enabled: () => autostartEnabled(), set: (on) => setAutostart(on, launchCommand()) };
  }
  // Windows registers a command line: unpackaged, that must name the app as well as Electron (ignored on macOS).
  // Electron joins the args as they are, so a path with a space is quoted here; get must be asked with the same.
  const [file, ...args] = launchCommand();
  const target = { path: file, args: args.map((arg) => `"${arg}"`) };
  return {
    enabled: async () => app.getLoginItemSettings(target).openAtLogin,
    set: async (on) => app.setLoginItemSettings({ openAtLogin: on, ...target }),
  };
}

function setupLifecycle(): void {
  app.on('before-quit', (event) => {
    if (quitting || !controller) return;
    // Save first (with what was running), stop every server, end the engine, then really quit.
    event.preventDefault();
    quitting = true;
    void controller.shutdown().finally(() => app.quit());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!window) window = createWindow();
    else showWindow();
  });
  app.on('second-instance', (_event, argv, cwd) => {
    const folder = folderFromArgv(argv, cwd, app.isPackaged ? null : app.getAppPath());
    if (folder) serve(folder);
    else showWindow();
  });
  // macOS: a folder dropped on the Dock icon, or `open -a Pier ~/site`.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    serve(file);
  });
}

async function main(): Promise<void> {
  // A separate settings folder, for a second profile or for the e2e suite; must be set before ready.
  if (process.env.PIER_USER_DATA_DIR) app.setPath('userData', process.env.PIER_USER_DATA_DIR);
  if (!app.requestSingleInstanceLock()) {
    // The running Pier gets our argv through 'second-instance'.
    app.quit();
    return;
  }
  setupLifecycle();
  await app.whenReady();
  setupSecurity();
  // The engine and IPC first, so the page finds every handler from its first call.
  controller = await createController({
    userDataDir: app.getPath('userData'),
    forkEngine: () =>
      fromUtilityProcess(utilityProcess.fork(engineHostFile, [], { serviceName: 'Pier engine', stdio: 'inherit' })),
    pickFolder,
    pickSavePath,
    openExternal: (url) => shell.openExternal(url),
    writeClipboard: (text) => clipboard.writeText(text),
    showFolder: async (folder) => {
      const error = await shell.openPath(folder);
      if (error) throw new Error(error);
    },
    send: (channel, payload) => {
      if (channel === events.onServers) {
        servers = payload as ServerState[];
        tray?.update(servers);
      }
      if (window && !window.isDestroyed()) window.webContents.send(channel, payload);
    },
    loginItem: loginItem(),
    onPreferences: applyTray,
  });
  setupIpc(ipcMain, { contents: () => window?.webContents ?? null, isAppUrl }, controller.handlers);
  setupMenu();
  const prefs = controller.preferences.current();
  // Started at login with the servers kept in the tray: they start, the window waits for the tray icon.
  window = createWindow(prefs.keepRunningInTray && openedAtLogin());
  servers = await controller.handlers.listServers();
  applyTray(prefs);
  // An AppImage moved since the entry was written would not start: write it again with where Pier is now.
  if (process.platform === 'linux' && (await autostartEnabled())) {
    await setAutostart(true, launchCommand()).catch((error: unknown) => console.error('Could not refresh the autostart entry', error));
  }

  const fromArgv = folderFromArgv(process.argv, process.cwd(), app.isPackaged ? null : app.getAppPath());
  if (fromArgv) pendingFolders.push(fromArgv);
  for (const folder of pendingFolders.splice(0)) await controller.serveFolder(folder);
}

main().catch((error: unknown) => {
  dialog.showErrorBox('Pier could not start', error instanceof Error ? (error.stack ?? error.message) : String(error));
  app.exit(1);
});
