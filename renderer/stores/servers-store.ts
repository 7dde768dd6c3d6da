import type { LogBatch, PierApi, RequestCounters, ServerId, ServerState } from '../../app/contract';
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

/**
 * Request counters travel with the log batches, not in snapshots: fold them
 * into the list. Counters only ever grow (main keeps them going across engine
 * restarts), so a snapshot or answer that is older than the last batch never
 * takes a count back.
 */
function applyCounters(batches: readonly LogBatch[]): void {
  const latest = new Map(batches.filter((batch) => !countersHeld.has(batch.id)).map((batch) => [batch.id, batch]));
  serversStore.update((current) => {
    let changed = false;
    const list = current.list.map((server) => {
      const batch = latest.get(server.id);
      if (!batch || batch.counters.requests <= server.counters.requests) return server;
      changed = true;
      // Upstream numbers ride along for servers with proxy rules, and only while they run.
      const upstreams = batch.upstreams && server.status === 'running' ? batch.upstreams : server.upstreams;
      return { ...server, counters: batch.counters, upstreams };
    });
    return changed ? { ...current, list } : current;
  });
}

const ZERO_COUNTERS: RequestCounters = Object.freeze({ requests: 0, bytes: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 });
/** Servers whose log is being cleared: counters still on their way from before the clear are ignored. */
const countersHeld = new Set<ServerId>();

/**
 * Clear started: show zero counts now and ignore counts sent before main
 * cleared. Call the returned function once main answered: what comes after
 * that answer was counted after the clear (main's messages arrive in order).
 */
export function restartCounters(id: ServerId): () => void {
  countersHeld.add(id);
  serversStore.update((current) => ({
    ...current,
    list: current.list.map((server) => (server.id === id ? { ...server, counters: ZERO_COUNTERS } : server)),
  }));
  return () => countersHeld.delete(id);
}

/** A fresh snapshot, keeping any counters a log batch already moved further. */
function withKnownCounters(list: readonly ServerState[]): readonly ServerState[] {
  const known = new Map<ServerId, RequestCounters>(serversStore.get().list.map((server) => [server.id, server.counters]));
  return list.map((server) => {
    if (countersHeld.has(server.id)) return { ...server, counters: ZERO_COUNTERS };
    const counters = known.get(server.id);
    return counters && counters.requests > server.counters.requests ? { ...server, counters } : server;
  });
}

/** Listen to main's snapshots and counters, and load the list once. Call once at startup. */
export function connectServers(api: PierApi): void {
  let snapshotSeen = false;
  api.onServers((list) => {
    snapshotSeen = true;
    serversStore.set({ loaded: true, list: withKnownCounters(list) });
  });
  api.onLog(applyCounters);
  api.listServers().then(
    (list) => {
      // A snapshot that arrived meanwhile is newer than this answer.
      if (!snapshotSeen) serversStore.set({ loaded: true, list: withKnownCounters(list) });
    },
    (error: unknown) => {
      console.error('Could not list servers', error);
      serversStore.update((current) => ({ ...current, loaded: true }));
    },
  );
}
