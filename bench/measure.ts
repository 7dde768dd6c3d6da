/**
 * One measurement: a fresh server for one case (started, checked, warmed up,
 * loaded, read from /proc, stopped), or one contender's startup time.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { Contender } from './contenders';
import type { LoadGenerator, LoadResult, LoadSettings } from './load';
import { cpuSeconds, machineBusySeconds, peakRss, processTree } from './proc-stats';
import { freePort, probe, startServer, stopServer, waitFor200 } from './server-process';
import { UPSTREAM_PORT } from './upstream';

const READY_TIMEOUT_MS = 15_000;
const STARTUP_TIMEOUT_MS = 10_000;
/** How often the startup case polls: fine enough for a figure in milliseconds. */
const STARTUP_POLL_MS = 2;
/** Below this many responses in a run, its figures are mostly noise; the report says so. */
const FEW_RESPONSES = 100;
/** A case with too few responses is measured again for 4× as long, up to this. */
const LONGEST_RETRY_S = 40;
const IDLE_SLICE_MS = 250;
const IDLE_TIMEOUT_MS = 60_000;

export interface Case {
  id: 'small' | 'script' | 'scriptBr' | 'large' | 'notFound' | 'listing' | 'proxy';
  name: string;
  urlPath: string;
  status: 200 | 404;
  /** The body's exact length, or null where it differs between servers (a 404 page, a listing, a compressed body). */
  bytes: number | null;
  /** Request headers every request of the case sends. */
  headers?: Record<string, string>;
  /** The case goes through a reverse proxy to the bench's upstream (bench/upstream.ts), which must be running. */
  upstream?: boolean;
}

export interface Measurement {
  server: string;
  case: Case['id'];
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** 10^6 bytes per second, headers included. */
  mbPerSec: number;
  responses: number;
  /** Responses with status 400 or above (the 404 case expects all of them to be). */
  status4xx5xx: number;
  /** Connect, read and write errors and timeouts. */
  errors: number;
  /** CPU time of all the server's processes and threads per response, in µs. */
  serverCpuUsPerRequest: number | null;
  /** The server's CPU during the run, in % of one core. */
  serverCpuPercent: number | null;
  /** The load generator's CPU during the run, in % of one core. */
  clientCpuPercent: number | null;
  /**
   * CPU used by everything except the server and the load generator, in % of
   * one core: other programs, and kernel work that no process is charged for.
   */
  backgroundCpuPercent: number | null;
  /** Peak resident memory of the server's processes since it started, MB. */
  peakRssMB: number | null;
  /** Lines the server wrote to stdout during the measured run. */
  stdoutLines: number;
}

export interface Startup {
  server: string;
  /** Spawn to the first 200 on /, in ms, one per try. */
  samplesMs: number[];
}

const delta = (after: number | null, before: number | null): number | null =>
  after === null || before === null ? null : after - before;

/** Wait until the processes use (nearly) no CPU for a moment, or give up after a while. */
async function waitUntilIdle(pids: number[]): Promise<void> {
  const deadline = performance.now() + IDLE_TIMEOUT_MS;
  let last = cpuSeconds(pids);
  while (last !== null && performance.now() < deadline) {
    await sleep(IDLE_SLICE_MS);
    const now = cpuSeconds(pids);
    if (now === null || now - last <= (IDLE_SLICE_MS / 1000) * 0.05) return;
    last = now;
  }
}

interface Run {
  r: LoadResult;
  cpu: number | null;
  client: number | null;
  background: number | null;
  lines: number;
}

/** One measured load run, with the server's, the client's and everybody else's CPU across it. */
async function measuredRun(
  load: LoadGenerator,
  c: Case,
  url: string,
  durationS: number,
  pids: number[],
  lines: () => number,
): Promise<Run> {
  const before = { cpu: cpuSeconds(pids), machine: machineBusySeconds(), lines: lines() };
  const ownBefore = process.cpuUsage();
  const r = await load.run(url, durationS, c.headers);
  const own = process.cpuUsage(ownBefore);
  const cpu = delta(cpuSeconds(pids), before.cpu);
  const machine = delta(machineBusySeconds(), before.machine);
  const client = r.clientCpuS;
  // With autocannon the client is this process; with wrk this process only waits, but count it anyway.
  const bench = load.name === 'wrk' ? (own.user + own.system) / 1e6 : 0;
  const background = machine === null || cpu === null || client === null ? null : machine - cpu - client - bench;
  return { r, cpu, client, background, lines: lines() - before.lines };
}

/** Load one case on a fresh server. Problems that don't stop the run (a wrong status or size) go into `notes`. */
export async function measureCase(
  contender: Contender,
  root: string,
  c: Case,
  load: LoadGenerator,
  settings: LoadSettings,
  notes: string[],
): Promise<Measurement> {
  const server = startServer(contender, root, await freePort(), c.upstream ? UPSTREAM_PORT : null);
  try {
    await waitFor200(server, '/', performance.now(), READY_TIMEOUT_MS, 50);
    const url = `http://127.0.0.1:${server.port}${c.urlPath}`;
    const check = await probe(server.port, c.urlPath, c.headers);
    if (!check || check.status !== c.status || (c.bytes !== null && check.length !== c.bytes)) {
      notes.push(
        `${contender.name}, ${c.name}: a single GET gave ${JSON.stringify(check)}, ` +
          `expected ${c.status}${c.bytes === null ? '' : ` with ${c.bytes} bytes`}`,
      );
    }
    if (check && c.headers?.['Accept-Encoding']) {
      notes.push(
        `${contender.name}, ${c.name}: ${check.encoding ? `answers with Content-Encoding ${check.encoding}, ${check.length.toLocaleString('en')} bytes` : `sends it uncompressed (${check.length.toLocaleString('en')} bytes)`}`,
      );
    }
    await load.run(url, settings.warmupS, c.headers);
    const pids = processTree(server.child.pid!); // nginx: its worker too
    // Requests the warm-up left queued still get served (and logged): let them, before counting.
    await waitUntilIdle(pids);

    let run = await measuredRun(load, c, url, settings.durationS, pids, server.lines);
    if (run.r.requests < FEW_RESPONSES && settings.durationS < LONGEST_RETRY_S) {
      // A slow case at 64 connections: each connection waits seconds for one response, so a short
      // window holds few complete ones, and the ones cut off at its end weigh heavily. Measure longer.
      const longer = Math.min(settings.durationS * 4, LONGEST_RETRY_S);
      notes.push(`${contender.name}, ${c.name}: ${run.r.requests} responses in ${settings.durationS} s; measured again for ${longer} s`);
      await waitUntilIdle(pids);
      run = await measuredRun(load, c, url, longer, pids, server.lines);
    }
    if (run.r.requests < FEW_RESPONSES) {
      notes.push(`${contender.name}, ${c.name}: only ${run.r.requests} responses in ${Math.round(run.r.seconds)} s, too few for steady figures`);
    }
    const { r, cpu, client, background, lines } = run;
    const rss = peakRss(pids);
    const percent = (s: number | null) => (s === null ? null : (s / r.seconds) * 100);
    return {
      server: contender.name,
      case: c.id,
      reqPerSec: r.requests / r.seconds,
      // No response, no latency: NaN prints as n/a (and is null in the JSON).
      p50Ms: r.requests > 0 ? r.p50Ms : NaN,
      p99Ms: r.requests > 0 ? r.p99Ms : NaN,
      mbPerSec: r.bytes / r.seconds / 1e6,
      responses: r.requests,
      status4xx5xx: r.status4xx5xx,
      errors: r.errors,
      serverCpuUsPerRequest: cpu === null || r.requests === 0 ? null : (cpu * 1e6) / r.requests,
      serverCpuPercent: percent(cpu),
      clientCpuPercent: percent(client),
      backgroundCpuPercent: background === null ? null : Math.max(0, percent(background)!),
      peakRssMB: rss === null ? null : rss / 2 ** 20,
      stdoutLines: lines,
    };
  } finally {
    await stopServer(server);
  }
}

/** Spawn the server `tries` times; each time, poll / until the first 200 and stop it. */
export async function measureStartup(contender: Contender, root: string, tries: number): Promise<Startup> {
  const samplesMs: number[] = [];
  for (let i = 0; i < tries; i++) {
    const port = await freePort();
    const since = performance.now();
    const server = startServer(contender, root, port);
    try {
      samplesMs.push(await waitFor200(server, '/', since, STARTUP_TIMEOUT_MS, STARTUP_POLL_MS));
    } finally {
      await stopServer(server);
    }
  }
  return { server: contender.name, samplesMs };
}
