import type { PierApi, ServerId, ServerState } from '../../app/contract';
import { createStore, useStore } from './create-store';

interface ServersSnapshot {
  /** False until the first list arrived, so the window doesn't flash its empty state at launch. */
  loaded: boolean;
  list: readonly ServerState[];
}

export const serversStore = createStore<ServersSnapshot>({ loaded: false, list: [] });

/** Every server, in the order main keeps them. */
export function useServers(): readonly ServerState[] {
  return useStore(serversStore).list;
}

export function useServersLoaded(): boolean {
  return useStore(serversStore).loaded;
}

export function findServer(id: ServerId | null): ServerState | undefined {
  return id === null ? undefined : serversStore.get().list.find((s) => s.id === id);
}

/**
 * Put a state main just returned into the list when no snapshot carried it yet,
 * so a new server can be selected before its snapshot arrives. Snapshots stay
 * the source of truth: a known server is left as the last snapshot has it.
 */
export function addServerIfMissing(state: ServerState): void {
  serversStore.update((current) =>
    current.list.some((s) => s.id === state.id) ? current : { loaded: true, list: [...current.list, state] },
  );
}

/** Listen to main's snapshots and load the list once. Call once at startup. */
export function connectServers(api: PierApi): void {
  let snapshotSeen = false;
  api.onServers((list) => {
    snapshotSeen = true;
    serversStore.set({ loaded: true, list });
  });
  api.listServers().then(
    (list) => {
      // A snapshot that arrived meanwhile is newer than this answer.
      if (!snapshotSeen) serversStore.set({ loaded: true, list });
    },
    (error: unknown) => {
      console.error('Could not list servers', error);
      serversStore.update((current) => ({ ...current, loaded: true }));
    },
  );
}
