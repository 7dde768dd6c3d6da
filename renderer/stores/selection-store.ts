import type { PierApi, ServerId, ServerState } from '../../app/contract';
import { createStore, useStore } from './create-store';
import { serversStore, useServers } from './servers-store';

const selectedIdStore = createStore<ServerId | null>(null);

export function selectServer(id: ServerId): void {
  selectedIdStore.set(id);
}

/**
 * The server shown on the right. When the chosen one is gone (removed, or none
 * chosen yet) it is the first server, so the pane is never blank while servers exist.
 */
export function useSelection(): ServerState | null {
  const servers = useServers();
  const id = useStore(selectedIdStore);
  return servers.find((s) => s.id === id) ?? servers[0] ?? null;
}

/** The server next to `id` in the list, to select once `id` is removed. */
export function neighbourOf(id: ServerId): ServerId | null {
  const list = serversStore.get().list;
  const index = list.findIndex((s) => s.id === id);
  if (index === -1) return null;
  return (list[index + 1] ?? list[index - 1])?.id ?? null;
}

/** Main may ask to show a server (e.g. a folder passed to a second launch). Call once at startup. */
export function connectSelection(api: PierApi): void {
  api.onSelectServer(selectServer);
}
