/**
 * Stands in for Electron's transport in the e2e harness — only the transport.
 * The real preload (main/preload.ts) is bundled with `electron` aliased to
 * this file and injected into the page before its scripts, as Electron does.
 * Calls go to the real IPC handlers in the test process through a Playwright
 * binding; pushes come back through `__pierTransport.emit`.
 */

interface Transport {
  invoke(channel: string, args: unknown[]): Promise<unknown>;
  pathForFile(name: string): string;
}

declare global {
  interface Window {
    /** Installed by the harness with page.exposeBinding. */
    __pierInvoke: (channel: string, args: unknown[]) => Promise<{ ok: true; value: unknown } | { ok: false; error: string }>;
    /** Paths the harness registered for files "dropped" by a test. */
    __pierDropPaths?: Record<string, string>;
    __pierTransport: { emit(channel: string, payload: unknown): void };
  }
}

type Listener = (event: unknown, payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

window.__pierTransport = {
  emit(channel, payload) {
    for (const listener of listeners.get(channel) ?? []) listener({}, payload);
  },
};

const transport: Transport = {
  async invoke(channel, args) {
    const reply = await window.__pierInvoke(channel, args);
    // Electron rejects with the handler's message; keep that shape.
    if (!reply.ok) throw new Error(`Error invoking remote method '${channel}': ${reply.error}`);
    return reply.value;
  },
  pathForFile(name) {
    return window.__pierDropPaths?.[name] ?? '';
  },
};

export const ipcRenderer = {
  invoke: (channel: string, ...args: unknown[]) => transport.invoke(channel, args),
  on(channel: string, listener: Listener) {
    if (!listeners.has(channel)) listeners.set(channel, new Set());
    listeners.get(channel)?.add(listener);
  },
  off(channel: string, listener: Listener) {
    listeners.get(channel)?.delete(listener);
  },
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    // Without a second world, "exposing" is assigning; freeze it as the bridge would copy it.
    Object.defineProperty(window, key, { value: Object.freeze(api), writable: false, configurable: false });
  },
};

export const webUtils = {
  getPathForFile: (file: File) => transport.pathForFile(file.name),
};
