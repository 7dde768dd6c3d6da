/**
 * The preload: builds `window.pier` from the contract, so no channel is listed
 * by hand a second time. Exposes functions only: never the raw IPC event,
 * never ipcRenderer itself, nothing from process.env.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';

import { events, requestChannels } from '../app/channels';
import type { PierApi } from '../app/contract';

const call =
  (channel: string) =>
  (...args: unknown[]): Promise<unknown> =>
    ipcRenderer.invoke(channel, ...args);

const on = (channel: string) => (listener: (payload: unknown) => void) => {
  const forward = (_event: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.off(channel, forward);
  };
};

const api: Record<string, unknown> = {
  pathForDroppedFile: (file: File) => webUtils.getPathForFile(file),
};
for (const [name, channel] of Object.entries(requestChannels)) api[name] = call(channel);
for (const [name, channel] of Object.entries(events)) api[name] = on(channel);

contextBridge.exposeInMainWorld('pier', api as unknown as PierApi);
