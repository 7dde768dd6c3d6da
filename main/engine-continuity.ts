import type { LogBatch, LogEntry, RequestCounters, Result, ServerId, ServerState } from '../app/contract';

interface Mark {
  /** The highest request number the window was given. */
  seq: number;
  counters: RequestCounters;
}

const ZERO: RequestCounters = { requests: 0, bytes: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 };

const add = (a: RequestCounters, b: RequestCounters): RequestCounters => ({
  requests: a.requests + b.requests,
  bytes: a.bytes + b.bytes,
  s2xx: a.s2xx + b.s2xx,
  s3xx: a.s3xx + b.s3xx,
  s4xx: a.s4xx + b.s4xx,
  s5xx: a.s5xx + b.s5xx,
});

/**
 * Keeps request numbers and counters continuous across engine restarts. An
 * engine started again counts every server's requests from zero and numbers
 * its log from 1; the window has already shown more. So main remembers what
 * it last handed the window and adds that to whatever a newer engine reports:
 * the log keeps its order (a seq is never reused) and the counts go on.
 */
export class EngineContinuity {
  /** Added to what the current engine reports. */
  #base = new Map<ServerId, Mark>();
  /** What the window was last given, in its own numbering. */
  readonly #seen = new Map<ServerId, Mark>();

  /** The engine was replaced: from now on, its numbers continue from what the window last saw. */
  restarted(): void {
    this.#base = new Map([...this.#seen].map(([id, mark]) => [id, { ...mark }]));
  }

  /** The user cleared a server's log, which starts its counters again from zero (request numbers go on). */
  cleared(id: ServerId): void {
    const base = this.#base.get(id);
    if (base) base.counters = ZERO;
    this.#mark(id).counters = ZERO;
  }

  /** The current engine's number for the request the window knows as `seq`; null for one from an engine before it. */
  engineSeq(id: ServerId, seq: number): number | null {
    const engineSeq = seq - (this.#base.get(id)?.seq ?? 0);
    return engineSeq >= 1 ? engineSeq : null;
  }

  /** A server is gone for good. */
  forget(id: ServerId): void {
    this.#base.delete(id);
    this.#seen.delete(id);
  }

  state(state: ServerState): ServerState {
    const base = this.#base.get(state.id);
    const counters = base ? add(base.counters, state.counters) : state.counters;
    this.#mark(state.id).counters = counters;
    return base ? { ...state, counters } : state;
  }

  states(list: ServerState[]): ServerState[] {
    return list.map((state) => this.state(state));
  }

  result(result: Result<ServerState>): Result<ServerState> {
    return result.ok ? { ok: true, value: this.state(result.value) } : result;
  }

  batch(batch: LogBatch): LogBatch {
    const base = this.#base.get(batch.id);
    const entries = this.entries(batch.id, batch.entries);
    const counters = base ? add(base.counters, batch.counters) : batch.counters;
    this.#mark(batch.id).counters = counters;
    return { ...batch, entries, counters };
  }

  entries(id: ServerId, entries: LogEntry[]): LogEntry[] {
    const offset = this.#base.get(id)?.seq ?? 0;
    const out = offset === 0 ? entries : entries.map((entry) => ({ ...entry, seq: entry.seq + offset }));
    const last = out.at(-1)?.seq ?? 0;
    const mark = this.#mark(id);
    if (last > mark.seq) mark.seq = last;
    return out;
  }

  #mark(id: ServerId): Mark {
    let mark = this.#seen.get(id);
    if (!mark) this.#seen.set(id, (mark = { seq: 0, counters: ZERO }));
    return mark;
  }
}
