import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';

import { describeIssues, fail, requests, type RequestName } from '../app/contract';
import type { Handlers } from './controller';

/** The part of ipcMain we use: so tests can hand in a stand-in for the transport. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;

/** Where the window's page comes from; IPC from any other document is refused. */
export interface TrustedOrigin {
  /** The window's webContents, or null while there is none. */
  contents(): WebContents | null;
  /** True for URLs of the app's own page (file://…/dist/renderer/index.html in the app). */
  isAppUrl(url: string): boolean;
}

/**
 * Only the app's own window, its main frame, showing the app's own page may
 * call: not an iframe, not a page it was somehow navigated to, not another
 * window.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, origin: TrustedOrigin): boolean {
  const contents = origin.contents();
  if (!contents || event.sender !== contents) return false;
  const frame = event.senderFrame;
  if (!frame || frame !== contents.mainFrame) return false;
  return origin.isAppUrl(frame.url);
}

/**
 * Registers one `ipcMain.handle` per request of the contract. Every call is
 * checked for its sender and its arguments are parsed with the contract's
 * schema before the handler sees them; bad arguments come back as an
 * INVALID_OPTIONS value, an untrusted sender gets a rejection.
 */
export function setupIpc(ipcMain: IpcMainLike, origin: TrustedOrigin, handlers: Handlers): () => void {
  const names = Object.keys(requests) as RequestName[];
  for (const name of names) {
    const { channel, args } = requests[name];
    const handler = handlers[name] as (...parsed: unknown[]) => unknown;
    ipcMain.handle(channel, async (event, ...raw: unknown[]) => {
      if (!isTrustedSender(event, origin)) {
        throw new Error(`Refused ${channel}: the message did not come from Pier's window.`);
      }
      const parsed = args.safeParse(raw);
      if (!parsed.success) return fail('INVALID_OPTIONS', describeIssues(parsed.error));
      return handler(...(parsed.data as unknown[]));
    });
  }
  return () => {
    for (const name of names) ipcMain.removeHandler(requests[name].channel);
  };
}
