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
