/**
 * Pier's Electron main process: the only module that takes Electron's objects
 * and hands them to the setup functions, in order.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeTheme, session, shell, utilityProcess } from 'electron';

import { fromUtilityProcess } from '../app/engine-channel';
import { createController, type Controller } from './controller';
import { setupIpc } from './ipc';
import { folderFromArgv } from './launch-args';
import { menuTemplate } from './menu';
import { guardContents, sameDocument } from './security';
import { windowOptions } from './window';

// dist/main/index.cjs → dist/renderer/index.html and dist/main/preload.cjs
const pageFile = path.join(__dirname, '..', 'renderer', 'index.html');
const pageUrl = pathToFileURL(pageFile).href;
const preloadFile = path.join(__dirname, 'preload.cjs');
// The engine host: Pier's servers run there, never in this process.
const engineHostFile = path.join(__dirname, 'engine-host.cjs');
const isAppUrl = (url: string) => sameDocument(pageUrl, url);

let window: BrowserWindow | null = null;
let controller: Controller | null = null;
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

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadFile, nativeTheme.shouldUseDarkColors));
  win.once('ready-to-show', () => win.show());
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

function setupMenu(): void {
  const serveFromMenu = async () => {
    const folder = await pickFolder();
    if (folder) serve(folder);
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate(process.platform, { serveFolder: () => void serveFromMenu() }, !app.isPackaged)),
  );
}

function setupLifecycle(): void {
  let quitting = false;
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
      if (window && !window.isDestroyed()) window.webContents.send(channel, payload);
    },
  });
  setupIpc(ipcMain, { contents: () => window?.webContents ?? null, isAppUrl }, controller.handlers);
  setupMenu();
  window = createWindow();

  const fromArgv = folderFromArgv(process.argv, process.cwd(), app.isPackaged ? null : app.getAppPath());
  if (fromArgv) pendingFolders.push(fromArgv);
  for (const folder of pendingFolders.splice(0)) await controller.serveFolder(folder);
}

main().catch((error: unknown) => {
  dialog.showErrorBox('Pier could not start', error instanceof Error ? (error.stack ?? error.message) : String(error));
  app.exit(1);
});
