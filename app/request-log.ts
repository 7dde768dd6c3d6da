/**
 * A bounded log of one server's finished requests.
 *
 * `record()` runs once per request on a server that may do 10k+ requests a
 * second, so entries are kept in columns (typed arrays for numbers, plain
 * preallocated arrays for strings) instead of one object per request: a ring
 * of thousands of objects that live long enough to be promoted to the old
 * generation and are then dropped costs 20–35% of serving throughput in GC,
 * the columns cost nothing measurable (see bench/request-log.ts).
 * `LogEntry` objects are only built when someone reads (`entries()`) or
 * listens (`subscribe()`), and then once per batch, not once per request.
 */
import type { LogEntry, RequestCounters } from './contract';
import { RequestDetailsStore, type DetailsLimits } from './request-details';

/** How many finished requests a server keeps unless told otherwise. */
export const DEFAULT_LOG_CAPACITY = 5000;

// Longest strings kept per entry. A client controls the request line and its
// headers; without a cap it could make the log hold megabytes.
const MAX_PATH = 2048;
const MAX_HEADER = 512;
// Method and address come from Node and the socket and are short; the cap is a
// cheap guard against a caller that passes something else.
const MAX_SHORT = 64;

/** Cut `s` to `max` UTF-16 code units, as a copy that does not keep the long original alive. */
function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  // V8 represents a slice as a view that keeps its parent string alive, so a
  // plain slice would still retain the whole long string. A round trip through
  // UTF-16 bytes is lossless (also for a surrogate pair cut in half) and makes
  // a standalone copy. Only over-long strings pay for it.
  return Buffer.from(s.slice(0, max), 'utf16le').toString('utf16le');
}

interface Subscription {
  listener: (batch: LogEntry[]) => void;
  /** Entries with a seq up to this one were recorded before the listener subscribed. */
  fromSeq: number;
}

/**
 * A ring buffer of the last `capacity` finished requests of one server, with
 * running counters and batched delivery of new entries to subscribers.
 *
 * Every entry gets a `seq` one higher than the previous one, starting at 1 and
 * never reset (also not by `clear()`), so a reader can ask for "everything
 * after the last seq I saw".
 */
export class RequestLog {
  /** The most entries held at once; the oldest are overwritten first. */
  readonly capacity: number;
  /** The headers of the newest requests, by seq: fetched one at a time, never sent with the entries. */
  readonly details: RequestDetailsStore;

  // Columns, indexed by ring slot. The seq of each held entry is implied:
  // the held entries are always the newest `size` ones, so they have the seqs
  // lastSeq - size + 1 … lastSeq, and seq s lives in slot (s - 1) % capacity.
  private readonly times: Float64Array;
  private readonly statuses: Uint16Array;
  private readonly byteCounts: Float64Array;
  private readonly durations: Float32Array;
  private readonly methods: string[];
  private readonly paths: string[];
  private readonly ips: string[];
  private readonly userAgents: string[];
  private readonly referers: string[];
  /** '' for a request Pier answered itself. */
  private readonly upstreams: string[];

  /** Slot the next entry goes into; always lastSeq % capacity. */
  private head = 0;
  private held = 0;
  private seq = 0;

  private requests = 0;
  private bytes = 0;
  private s2xx = 0;
  private s3xx = 0;
  private s4xx = 0;
  private s5xx = 0;

  private readonly subscriptions = new Set<Subscription>();
  private flushScheduled: NodeJS.Immediate | null = null;
  /** Entries of the pending batch are those with a seq above this one. */
  private batchAfterSeq = 0;

  /**
   * @param capacity The most entries held at once, a positive integer.
   * @param detailsLimits Bounds of the header store (`details`).
   * @throws RangeError if `capacity` is not a positive integer.
   */
  constructor(capacity = DEFAULT_LOG_CAPACITY, detailsLimits?: DetailsLimits) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RequestLog capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.statuses = new Uint16Array(capacity);
    this.byteCounts = new Float64Array(capacity);
    this.durations = new Float32Array(capacity);
    // Filled with '' rather than left holey, so V8 keeps them as packed arrays.
    this.methods = new Array<string>(capacity).fill('');
    this.paths = new Array<string>(capacity).fill('');
    this.ips = new Array<string>(capacity).fill('');
    this.userAgents = new Array<string>(capacity).fill('');
    this.referers = new Array<string>(capacity).fill('');
    this.upstreams = new Array<string>(capacity).fill('');
    this.details = new RequestDetailsStore(capacity, detailsLimits);
  }

  /**
   * Record one finished request. Hot path: allocates nothing but, when there
   * are subscribers, one scheduled flush per event-loop turn.
   *
   * Strings a client controls are truncated: `path` to 2,048 characters,
   * `userAgent` and `referer` to 512.
   *
   * @param bytes Response body bytes sent.
   * @param ms Milliseconds from request to the end of the response.
   * @param time Epoch milliseconds when the response finished; defaults to now.
   * @param upstream For a proxied request, the upstream that answered (or was tried last); '' otherwise.
   * @returns The entry's seq, under which `details` may keep its headers.
   */
  record(
    method: string,
    path: string,
    status: number,
    bytes: number,
    ms: number,
    ip: string,
    userAgent: string,
    referer: string,
    time: number = Date.now(),
    upstream = '',
  ): number {
    const i = this.head;
    this.times[i] = time;
    this.statuses[i] = status;
    this.byteCounts[i] = bytes;
    this.durations[i] = ms;
    this.methods[i] = cap(method, MAX_SHORT);
    this.paths[i] = cap(path, MAX_PATH);
    this.ips[i] = cap(ip, MAX_SHORT);
    this.userAgents[i] = cap(userAgent, MAX_HEADER);
    this.referers[i] = cap(referer, MAX_HEADER);
    // Upstream URLs come from the configuration (short, checked): no cap needed.
    this.upstreams[i] = upstream;

    this.head = i + 1 === this.capacity ? 0 : i + 1;
    if (this.held < this.capacity) this.held++;
    const seq = ++this.seq;

    this.requests++;
    this.bytes += bytes;
    if (status >= 200) {
      if (status < 300) this.s2xx++;
      else if (status < 400) this.s3xx++;
      else if (status < 500) this.s4xx++;
      else if (status < 600) this.s5xx++;
    }

    if (this.flushScheduled === null && this.subscriptions.size !== 0) {
      this.batchAfterSeq = seq - 1;
      this.flushScheduled = setImmediate(this.flush);
    }
    return seq;
  }

  /** Number of entries currently held (at most `capacity`). */
  get size(): number {
    return this.held;
  }

  /** Seq of the newest entry ever recorded, 0 if none. Not reset by `clear()`. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * The held entries, oldest first, as new objects.
   *
   * @param options.afterSeq Only entries with a seq above this one.
   * @param options.limit At most this many entries: the newest ones.
   */
  entries(options: { afterSeq?: number; limit?: number } = {}): LogEntry[] {
    const { afterSeq, limit } = options;
    let first = this.seq - this.held + 1;
    if (afterSeq !== undefined && afterSeq + 1 > first) first = afterSeq + 1;
    if (limit !== undefined && this.seq - limit + 1 > first) first = this.seq - limit + 1;
    // Fractional arguments would otherwise give fractional seqs.
    first = Math.ceil(first);

    const out: LogEntry[] = [];
    if (!(first <= this.seq)) return out; // also catches NaN arguments
    let i = (first - 1) % this.capacity;
    for (let seq = first; seq <= this.seq; seq++) {
      out.push(this.at(i, seq));
      if (++i === this.capacity) i = 0;
    }
    return out;
  }

  /** The held entry with this seq, or null when it is not held (dropped, cleared, never recorded). */
  entry(seq: number): LogEntry | null {
    if (!Number.isInteger(seq) || seq > this.seq || seq <= this.seq - this.held) return null;
    return this.at((seq - 1) % this.capacity, seq);
  }

  private at(i: number, seq: number): LogEntry {
    const entry: LogEntry = {
      seq,
      time: this.times[i]!,
      method: this.methods[i]!,
      path: this.paths[i]!,
      status: this.statuses[i]!,
      bytes: this.byteCounts[i]!,
      ms: this.durations[i]!,
      ip: this.ips[i]!,
      userAgent: this.userAgents[i]!,
      referer: this.referers[i]!,
    };
    const upstream = this.upstreams[i]!;
    if (upstream !== '') entry.upstream = upstream;
    return entry;
  }

  /**
   * Totals since the log was created or `resetCounters()` was last called.
   * `bytes` sums response body bytes; the status classes count 2xx–5xx, so a
   * 1xx response counts only in `requests`.
   */
  counters(): RequestCounters {
    return {
      requests: this.requests,
      bytes: this.bytes,
      s2xx: this.s2xx,
      s3xx: this.s3xx,
      s4xx: this.s4xx,
      s5xx: this.s5xx,
    };
  }

  /** Set all counters to zero. Held entries and seq are untouched. */
  resetCounters(): void {
    this.requests = this.bytes = this.s2xx = this.s3xx = this.s4xx = this.s5xx = 0;
  }

  /**
   * Drop the held entries and their kept headers. Counters and seq continue. Entries recorded in this
   * event-loop turn but not yet delivered to subscribers are dropped too: a
   * cleared log shows nothing from before the clear.
   */
  clear(): void {
    this.held = 0;
    this.details.clear();
    // Let the strings go now rather than when their slots are next written.
    this.methods.fill('');
    this.paths.fill('');
    this.ips.fill('');
    this.userAgents.fill('');
    this.referers.fill('');
    this.upstreams.fill('');
  }

  /**
   * Receive new entries in batches: everything recorded within one turn of the
   * event loop arrives in one call, oldest first, after that turn. A listener
   * only gets entries recorded after it subscribed. If more than `capacity`
   * entries arrive in one turn, only the newest `capacity` are delivered.
   *
   * The batch array is shared between listeners: do not modify it. A listener
   * that throws is reported with `process.emitWarning` and does not affect the
   * other listeners or the log.
   *
   * @returns A function that unsubscribes; calling it again does nothing.
   */
  subscribe(listener: (batch: LogEntry[]) => void): () => void {
    const subscription: Subscription = { listener, fromSeq: this.seq };
    this.subscriptions.add(subscription);
    return () => {
      this.subscriptions.delete(subscription);
      if (this.subscriptions.size === 0 && this.flushScheduled !== null) {
        clearImmediate(this.flushScheduled);
        this.flushScheduled = null;
      }
    };
  }

  // An arrow property so that setImmediate can take it without a new closure per batch.
  private readonly flush = (): void => {
    this.flushScheduled = null;
    const afterSeq = this.batchAfterSeq;
    // Materialized before any listener runs: entries a listener records now
    // belong to the next batch.
    const batch = this.entries({ afterSeq });
    if (batch.length === 0) return; // cleared before the flush
    const firstSeq = batch[0]!.seq;

    for (const { listener, fromSeq } of this.subscriptions) {
      // Someone who subscribed mid-turn gets only what came after.
      const own = fromSeq > afterSeq ? batch.slice(Math.max(0, fromSeq - firstSeq + 1)) : batch;
      if (own.length === 0) continue;
      try {
        listener(own);
      } catch (error) {
        process.emitWarning(
          `A RequestLog listener threw: ${error instanceof Error ? error.message : String(error)}`,
          {
            type: 'RequestLogListenerError',
            detail: error instanceof Error ? error.stack : undefined,
          },
        );
      }
    }
  };
}
