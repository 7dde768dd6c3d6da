import type { WebContents } from 'electron';

/** The part of a WebContents the guards touch; tests pass a stand-in. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Navigation is blocked app-wide: the window only ever shows Pier's own page.
 * Links to a server open in the browser through `openUrl`, which builds the URL
 * in main; nothing a page asks for is opened as it is.
 */
export function guardContents(contents: GuardedContents, isAppUrl: (url: string) => boolean): void {
  const block = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', block);
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** True for the app's own page at `pageUrl` (any query or hash), nothing else. */
export function sameDocument(pageUrl: string, url: string): boolean {
  try {
    const a = new URL(pageUrl);
    const b = new URL(url);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    // Not a URL at all: certainly not ours.
    return false;
  }
}
