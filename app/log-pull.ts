import type { LogBatch, ServerId } from './contract';
import { LOG_PULL_CAP } from './engine-protocol';
import type { RequestLog } from './request-log';

/**
 * Where each server's log was last read, so a pull hands over only what is
 * new. Nothing is queued between pulls: the entries stay in the server's own
 * bounded ring, so a reader that stalls costs no memory. When more arrived
 * than a pull may carry (or than the ring holds), the oldest are skipped and
 * the batch says how many (`dropped`).
 */
export class LogPull {
  readonly #readThrough = new Map<ServerId, number>();

  /** What is new in `log` since the last pull of this server, with its counters; null when nothing is. */
  pull(id: ServerId, log: RequestLog): LogBatch | null {
    const from = this.#readThrough.get(id) ?? 0;
    const last = log.lastSeq;
    if (last === from) return null;
    this.#readThrough.set(id, last);
    const entries = log.entries({ afterSeq: from, limit: LOG_PULL_CAP });
    const dropped = last - from - entries.length;
    const batch: LogBatch = { id, entries, counters: log.counters() };
    if (dropped > 0) batch.dropped = dropped;
    return batch;
  }

  /** The log was cleared: what it held is gone on purpose, not dropped. */
  cleared(id: ServerId, log: RequestLog): void {
    this.#readThrough.set(id, log.lastSeq);
  }

  forget(id: ServerId): void {
    this.#readThrough.delete(id);
  }
}
