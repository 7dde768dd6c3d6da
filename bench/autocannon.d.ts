// autocannon ships no types and @types/autocannon is not installed: the part
// of its programmatic API that bench/run.ts uses.
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    pipelining?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    headers?: Record<string, string>;
  }

  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }

  interface Result {
    url: string;
    /** Per-second samples: `average` is the mean requests per second. */
    requests: Histogram & { sent: number };
    /** Milliseconds per request. */
    latency: Histogram;
    /** Bytes per second, per-second samples. */
    throughput: Histogram;
    errors: number;
    timeouts: number;
    resets: number;
    /** Every response that is not 2xx (1xx, 3xx, 4xx, 5xx). */
    non2xx: number;
    '2xx': number;
    duration: number;
  }

  /** A thenable run; `stop()` ends it early and resolves it with what was measured. */
  function autocannon(options: Options): PromiseLike<Result> & { stop(): void };
  export default autocannon;
}
