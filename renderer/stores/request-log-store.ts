import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { LogBatch, LogEntry, PierApi, ServerId } from '../../app/contract';
import { pier } from '../pier';
import { restartCounters, serversStore } from './servers-store';

/** The most entries the window keeps per server; older ones are dropped first. */
export const LOG_CAPACITY = 5000;

/** What a log view reads; replaced (never mutated) on every change, so React sees the change. */
export interface RequestLogView {
  /** Oldest first, strictly increasing `seq`, at most LOG_CAPACITY long. */
  entries: readonly LogEntry[];
  /** The highest seq ever received, also after Clear: "how many requests so far" without counting. */
  lastSeq: number;
  /** Requests main skipped because more arrived at once than a batch carries (counted, never shown). */
  dropped: number;
  /** Requests older than the first entry (and after the last Clear) are no longer held: the log keeps only the newest. */
  olderDropped: boolean;
}

interface ServerLog {
  view: RequestLogView;
  /** Entries up to this seq were cleared by the user and must not come back from a late backlog. */
  clearedThrough: number;
  backlog: 'not-asked' | 'loading' | 'loaded';
  /** Bumped by Clear, so a backlog request made before it is ignored when it answers. */
  generation: number;
}

const NO_ENTRIES: readonly LogEntry[] = Object.freeze([]);
const EMPTY_VIEW: RequestLogView = Object.freeze({ entries: NO_ENTRIES, lastSeq: 0, dropped: 0, olderDropped: false });
const logs = new Map<ServerId, ServerLog>();
const listeners = new Map<ServerId, Set<() => void>>();

function logOf(id: ServerId): ServerLog {
  let log = logs.get(id);
  if (!log) {
    log = { view: EMPTY_VIEW, clearedThrough: 0, backlog: 'not-asked', generation: 0 };
    logs.set(id, log);
  }
  return log;
}

function notify(id: ServerId): void {
  for (const listener of listeners.get(id) ?? []) listener();
}

const lastSeq = (entries: readonly LogEntry[]) => entries[entries.length - 1]?.seq ?? 0;

function keepNewest(entries: readonly LogEntry[]): readonly LogEntry[] {
  return entries.length > LOG_CAPACITY ? entries.slice(entries.length - LOG_CAPACITY) : entries;
}

/** Both lists sorted by seq → one sorted list without duplicates. */
function mergeBySeq(a: readonly LogEntry[], b: readonly LogEntry[]): LogEntry[] {
  const out: LogEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const next = y === undefined || (x !== undefined && x.seq <= y.seq) ? x! : y;
    if (next === x) i++;
    if (y !== undefined && next.seq === y.seq) j++;
    if (out.length === 0 || out[out.length - 1]!.seq < next.seq) out.push(next);
  }
  return out;
}

/**
 * Add entries to a server's log. Cost is bounded by LOG_CAPACITY whatever the
 * batch size: a flood of requests can never make one batch cost more than a
 * copy of 5,000 references.
 */
function receive(id: ServerId, incoming: readonly LogEntry[], dropped = 0): void {
  if (incoming.length === 0 && dropped === 0) return;
  const log = logOf(id);
  if (incoming.length === 0) {
    log.view = { ...log.view, dropped: log.view.dropped + dropped };
    notify(id);
    return;
  }
  const held = log.view.entries;
  const floor = Math.max(log.clearedThrough, lastSeq(held));
  // Batches come in order, so usually every entry is newer than what we hold.
  let sorted = true;
  for (let k = 1; k < incoming.length; k++) if (incoming[k]!.seq <= incoming[k - 1]!.seq) sorted = false;
  let next: readonly LogEntry[];
  if (sorted && incoming[0]!.seq > floor) {
    const fresh = keepNewest(incoming);
    const overflow = held.length + fresh.length - LOG_CAPACITY;
    next = overflow > 0 ? held.slice(overflow).concat(fresh) : held.concat(fresh);
  } else {
    const ordered = sorted ? incoming : [...incoming].sort((a, b) => a.seq - b.seq);
    next = keepNewest(mergeBySeq(held, ordered.filter((e) => e.seq > log.clearedThrough)));
  }
  log.view = {
    entries: next,
    lastSeq: Math.max(log.view.lastSeq, lastSeq(next)),
    dropped: log.view.dropped + dropped,
    olderDropped: next[0]!.seq > log.clearedThrough + 1,
  };
  notify(id);
}

function loadBacklog(api: PierApi, id: ServerId): void {
  const log = logOf(id);
  if (log.backlog !== 'not-asked') return;
  log.backlog = 'loading';
  const generation = log.generation;
  api.getLog(id).then(
    (entries) => {
      const current = logs.get(id);
      if (!current) return; // removed meanwhile
      current.backlog = 'loaded';
      if (current.generation === generation) receive(id, entries);
    },
    (error: unknown) => {
      // Not fatal: live batches keep coming; the next view of this server asks again.
      console.error('Could not load the request log', error);
      const current = logs.get(id);
      if (current) current.backlog = 'not-asked';
    },
  );
}

/**
 * The requests of one server, oldest first, at most LOG_CAPACITY. The first
 * view of a server fetches what main already holds and merges it by seq.
 */
export function useRequestLog(id: ServerId): RequestLogView {
  const subscribe = useCallback(
    (listener: () => void) => {
      let set = listeners.get(id);
      if (!set) listeners.set(id, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    [id],
  );
  const view = useSyncExternalStore(subscribe, () => logs.get(id)?.view ?? EMPTY_VIEW);
  useEffect(() => loadBacklog(pier(), id), [id]);
  return view;
}

/** Empty the view now, and main's log and the server's counters behind it. Resolves with main's error message, if any. */
export async function clearRequestLog(id: ServerId): Promise<string | null> {
  const log = logOf(id);
  log.clearedThrough = Math.max(log.clearedThrough, log.view.lastSeq);
  log.generation++;
  if (log.backlog === 'loading') log.backlog = 'loaded';
  log.view = { entries: NO_ENTRIES, lastSeq: log.view.lastSeq, dropped: 0, olderDropped: false };
  notify(id);
  const release = restartCounters(id);
  try {
    const result = await pier().clearLog(id);
    return result.ok ? null : result.message;
  } finally {
    release();
  }
}

/** Listen to main's log batches for every server, and forget the logs of removed servers. Call once at startup. */
export function connectRequestLog(api: PierApi): void {
  api.onLog((batches: LogBatch[]) => {
    for (const batch of batches) receive(batch.id, batch.entries, batch.dropped);
  });
  serversStore.subscribe(() => {
    const { loaded, list } = serversStore.get();
    if (!loaded) return;
    for (const id of logs.keys()) if (!list.some((s) => s.id === id)) logs.delete(id);
  });
}
