import type { LogBatch, LogEntry, ServerId } from '../app/contract';

/** How often main pushes request-log entries to the window, at most. */
export const LOG_FLUSH_MS = 100;
/** Newest entries kept per server between two pushes; the window shows no more anyway. */
export const LOG_FLUSH_CAP = 5_000;

/**
 * Coalesces request-log entries per server and hands them over at most every
 * LOG_FLUSH_MS, however many requests arrive: a flood costs the window one
 * message per interval, and each message is bounded.
 */
export class LogRelay {
  readonly #pending = new Map<ServerId, LogEntry[]>();
  #timer: NodeJS.Timeout | null = null;
  readonly #send: (batches: LogBatch[]) => void;

  constructor(send: (batches: LogBatch[]) => void) {
    this.#send = send;
  }

  push(id: ServerId, entries: readonly LogEntry[]): void {
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = [];
      this.#pending.set(id, pending);
    }
    for (const entry of entries) pending.push(entry);
    if (pending.length > LOG_FLUSH_CAP * 2) pending.splice(0, pending.length - LOG_FLUSH_CAP);
    this.#timer ??= setTimeout(() => this.flush(), LOG_FLUSH_MS);
  }

  /** Forget what is pending for a server (it was removed or its log cleared). */
  drop(id: ServerId): void {
    this.#pending.delete(id);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending.size === 0) return;
    const batches: LogBatch[] = [];
    for (const [id, entries] of this.#pending) {
      batches.push({ id, entries: entries.length > LOG_FLUSH_CAP ? entries.slice(-LOG_FLUSH_CAP) : entries });
    }
    this.#pending.clear();
    this.#send(batches);
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
  }
}
