import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The one window's options, secure by default. A function so a unit test can
 * read exactly what the app uses.
 */
export function windowOptions(preload: string, dark: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 760,
    minWidth: 760,
    minHeight: 480,
    title: 'Pier',
    show: false,
    // Matches the page's own background, so there is no white flash in dark mode.
    backgroundColor: dark ? '#17181b' : '#f7f7f8',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** The part of a BrowserWindow that closing into the tray uses; a stand-in in unit tests. */
export interface ClosableWindow {
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  hide(): void;
}

/**
 * While `keepRunning()` says so, closing the window hides it instead: the
 * servers go on, the tray icon brings it back. `onHidden` runs after each such
 * close (the first one is explained to the user). Once Pier is quitting,
 * closing closes.
 */
export function hideOnClose(win: ClosableWindow, keepRunning: () => boolean, onHidden: () => void): void {
  win.on('close', (event) => {
    if (!keepRunning()) return;
    event.preventDefault();
    win.hide();
    onHidden();
  });
}
