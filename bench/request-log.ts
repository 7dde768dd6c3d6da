/**
 * Micro-benchmark (not a test): RequestLog's column storage against a naive
 * ring of plain objects, both holding 10,000 entries, 2,000,000 records each.
 *
 *   node --import tsx bench/request-log.ts
 *
 * Each variant runs in its own child process (with --expose-gc) so that one
 * variant's heap and GC history cannot colour the other's figures.
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { RequestLog } from '../app/request-log';

const CAPACITY = 10_000;
const RECORDS = 2_000_000;
const WARMUP = 200_000;

const VARIANTS = ['columns', 'objects'] as const;
type Variant = (typeof VARIANTS)[number];
/**
 * What else happens per request:
 * - bare: nothing; paths come from 8 shared strings (the cost of the entry alone)
 * - url: a new path string per request, as req.url is
 * - server: a new path string and ~1 KB of short-lived garbage per request, as
 *   a server's request/response objects and headers are. This makes young
 *   collections frequent enough that ring entries live through two of them and
 *   are promoted to the old generation, which is what a real server sees.
 */
const LOADS = ['bare', 'url', 'server'] as const;
type Load = (typeof LOADS)[number];
const ROUNDS = 3;

interface Result {
  variant: Variant;
  load: Load;
  opsPerSec: number;
  heapDeltaMB: number;
  oldSpaceDeltaMB: number;
  gcMs: number;
  gcCount: number;
  majorGcCount: number;
}

/** The naive alternative: one object per request, kept in a fixed-size array. */
class ObjectRing {
  private readonly ring: object[];
  private head = 0;
  private seq = 0;
  constructor(readonly capacity: number) {
    this.ring = new Array<object>(capacity);
  }
  record(
    method: string,
    path: string,
    status: number,
    bytes: number,
    ms: number,
    ip: string,
    userAgent: string,
    referer: string,
    time = Date.now(),
  ): void {
    this.ring[this.head] = { seq: ++this.seq, time, method, path, status, bytes, ms, ip, userAgent, referer };
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
  }
}

const SHARED_PATHS = ['/', '/index.html', '/app.js', '/style.css', '/img/hero.jpg', '/favicon.ico', '/api/x', '/a/b/c'];
const STATUSES = [200, 200, 200, 304, 200, 404, 200, 500];
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

// Per-request garbage stays reachable for a few requests, so that the JIT
// cannot optimize it away, and then dies young.
const inFlight: unknown[] = new Array(16).fill(null);

function run(log: { record: (...args: Parameters<RequestLog['record']>) => unknown }, n: number, load: Load, offset: number): void {
  for (let i = 0; i < n; i++) {
    const k = i & 7;
    const path = load === 'bare' ? SHARED_PATHS[k]! : `/files/${offset + i}.html`;
    if (load === 'server') inFlight[i & 15] = { path, scratch: new Array(120).fill(i) };
    log.record('GET', path, STATUSES[k]!, 51_200, 0.8, '127.0.0.1', UA, '', 1_700_000_000_000 + i);
  }
}

/** Bytes in V8's old generation: what survived young-generation collections (promoted). */
function oldSpaceUsed(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
}

async function child(variant: Variant, load: Load): Promise<Result> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the child with --expose-gc');
  const log = variant === 'columns' ? new RequestLog(CAPACITY) : new ObjectRing(CAPACITY);
  run(log, WARMUP, load, 0); // fill the ring and let the JIT settle

  let gcMs = 0;
  let gcCount = 0;
  let majorGcCount = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount++;
      // @types/node 20 does not declare `detail` on gc entries; Node sets it.
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcCount++;
    }
  });

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const oldBefore = oldSpaceUsed();
  observer.observe({ entryTypes: ['gc'] });
  const start = process.hrtime.bigint();
  run(log, RECORDS, load, WARMUP);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const heapAfter = process.memoryUsage().heapUsed;
  const oldAfter = oldSpaceUsed();
  // GC entries are delivered asynchronously; let them arrive before reading.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();

  return {
    variant,
    load,
    opsPerSec: RECORDS / seconds,
    heapDeltaMB: (heapAfter - heapBefore) / 1e6,
    oldSpaceDeltaMB: (oldAfter - oldBefore) / 1e6,
    gcMs,
    gcCount,
    majorGcCount,
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function parent(): void {
  const self = fileURLToPath(import.meta.url);
  const runs = new Map<string, Result[]>();
  // Rounds interleave the variants so that a busy moment on the machine does
  // not land on one of them only; each figure below is the median round.
  for (let round = 0; round < ROUNDS; round++) {
    for (const load of LOADS) {
      for (const variant of VARIANTS) {
        const out = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', self, variant, load], {
          encoding: 'utf8',
        });
        if (out.status !== 0) throw new Error(`${variant}/${load} failed:\n${out.stderr}`);
        const key = `${load}/${variant}`;
        runs.set(key, [...(runs.get(key) ?? []), JSON.parse(out.stdout) as Result]);
      }
    }
  }

  console.log(
    `RequestLog bench: ${RECORDS.toLocaleString('en')} records into a ring of ${CAPACITY.toLocaleString('en')}, ` +
      `median of ${ROUNDS} rounds (Node ${process.version})\n`,
  );
  console.table(
    [...runs.values()].map((rs) => {
      const m = (f: (r: Result) => number) => median(rs.map(f));
      return {
        load: rs[0]!.load,
        storage: rs[0]!.variant === 'columns' ? 'RequestLog (columns)' : 'plain objects',
        'ops/s': Math.round(m((r) => r.opsPerSec)).toLocaleString('en'),
        'heapUsed Δ (MB)': m((r) => r.heapDeltaMB).toFixed(1),
        'old space Δ (MB)': m((r) => r.oldSpaceDeltaMB).toFixed(1),
        'GC time (ms)': m((r) => r.gcMs).toFixed(1),
        GCs: m((r) => r.gcCount),
        'major GCs': m((r) => r.majorGcCount),
      };
    }),
  );
}

const [variant, load] = process.argv.slice(2) as [Variant | undefined, Load | undefined];
if (variant && load) {
  process.stdout.write(JSON.stringify(await child(variant, load)));
} else {
  parent();
}
