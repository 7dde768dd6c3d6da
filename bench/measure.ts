/**
 * One contender's turn in the bench: start it on a free port, wait until it
 * answers, load each case with autocannon, read its /proc figures, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import autocannon from 'autocannon';

import type { Contender } from './contenders';
import { contextSwitches, cpuSeconds, machineBusySeconds, peakRss, processTree, resetPeakRss } from './proc-stats';

const READY_TIMEOUT_MS = 15_000;
const KILL_GRACE_MS = 3_000;

export interface Case {
  name: string;
  urlPath: string;
  file: string;
  bytes: number;
}

export interface LoadSettings {
  connections: number;
  pipelining: number;
  warmupS: number;
  durationS: number;
}

export interface Measurement {
  server: string;
  case: string;
  round: number;
  reqPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  mbPerSec: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Peak resident memory of the server's processes during this case (see notes if since start). */
  peakRssMB: number | null;
  /** CPU the server's processes used during the measured run, in % of one core. */
  serverCpuPercent: number | null;
  /** Server CPU time per response, in microseconds: steadier than req/s on a busy machine. */
  serverCpuUsPerRequest: number | null;
  /** Context switches of all the server's threads per response. */
  contextSwitchesPerRequest: number | null;
  /**
   * CPU used by everything except the server and this process during the run,
   * in % of one core (other programs, and kernel network work no process is
   * charged for). A high figure means the row was measured on a busy machine.
   */
  backgroundCpuPercent: number | null;
  /** Lines the server wrote to stdout during the measured run, when the bench reads it. */
  stdoutLines: number | null;
}

/** A port that was free a moment ago: bind port 0, read it, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One GET on 127.0.0.1: status and body length, or null if nothing answered within a second. */
function probe(port: number, urlPath: string): Promise<{ status: number; length: number } | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 1_000 }, (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

interface Running {
  child: ChildProcess;
  /** stdout lines read so far (only when the bench consumes stdout). */
  lines: () => number;
  stderr: () => string;
  exited: Promise<void>;
}

/** The server running now, so that an interrupted bench can still kill it. */
let current: Running | null = null;

/** Kill the running server at once; for exit and signal handlers. */
export function killCurrent(): void {
  current?.child.kill('SIGKILL');
}

function start(contender: Contender, root: string, port: number, workDir: string): Running {
  const launch = contender.launch({ root, port, workDir });
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd ?? workDir,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', launch.stdout === 'consume' ? 'pipe' : 'ignore', 'pipe'],
  });
  let lines = 0;
  // Read and drop: count newlines so the report can show the log was really written.
  child.stdout?.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4_000) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => (stderr += `spawn failed: ${error.message}\n`));
  return { child, lines: () => lines, stderr: () => stderr, exited };
}

async function waitUntilReady(running: Running, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone = false;
  void running.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`it exited before answering:\n${running.stderr()}`);
    if (await probe(port, '/')) return;
    await sleep(100);
  }
  throw new Error(`no answer on port ${port} within ${READY_TIMEOUT_MS / 1000} s:\n${running.stderr()}`);
}

/** SIGTERM, then SIGKILL if it is still there after the grace period. */
async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), KILL_GRACE_MS);
  await running.exited;
  clearTimeout(timer);
}

const delta = (after: number | null, before: number | null): number | null =>
  after === null || before === null ? null : after - before;

/**
 * Run every case against one contender. Problems that don't stop the run (a
 * wrong response size, a peak RSS that can't be reset) are added to `notes`.
 */
export async function measureContender(
  contender: Contender,
  root: string,
  cases: Case[],
  settings: LoadSettings,
  round: number,
  notes: string[],
): Promise<Measurement[]> {
  const { connections, pipelining, warmupS, durationS } = settings;
  const load = (port: number, urlPath: string, duration: number) =>
    autocannon({ url: `http://127.0.0.1:${port}${urlPath}`, connections, duration, pipelining });

  const port = await freePort();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-server-'));
  const running = start(contender, root, port, workDir);
  current = running;
  const results: Measurement[] = [];
  try {
    await waitUntilReady(running, port);
    const pid = running.child.pid!;
    for (const c of cases) {
      const check = await probe(port, c.urlPath);
      if (!check || check.status !== 200 || check.length !== c.bytes) {
        notes.push(`${contender.name}, ${c.name}: a single GET gave ${JSON.stringify(check)}, expected 200 with ${c.bytes} bytes`);
      }
      await load(port, c.urlPath, warmupS);
      // Requests the warm-up cut off still finish and get logged: let them, before counting.
      await sleep(300);

      const pids = processTree(pid); // nginx: its workers too
      const perCase = resetPeakRss(pids);
      if (!perCase && results.length === 0 && round === 1) {
        notes.push(`${contender.name}: peak RSS is since the server started (the kernel refused clear_refs)`);
      }
      const before = { cpu: cpuSeconds(pids), switches: contextSwitches(pids), machine: machineBusySeconds(), lines: running.lines() };
      const ownBefore = process.cpuUsage();
      const r = await load(port, c.urlPath, durationS);
      const own = process.cpuUsage(ownBefore);
      const cpu = delta(cpuSeconds(pids), before.cpu);
      const switches = delta(contextSwitches(pids), before.switches);
      const machine = delta(machineBusySeconds(), before.machine);
      const rss = peakRss(pids);
      const responses = r['2xx'] + r.non2xx;
      const seconds = r.duration || durationS;
      const background = machine === null || cpu === null ? null : machine - cpu - (own.user + own.system) / 1e6;

      results.push({
        server: contender.name,
        case: c.name,
        round,
        reqPerSec: r.requests.average,
        latencyP50Ms: r.latency.p50,
        latencyP99Ms: r.latency.p99,
        mbPerSec: r.throughput.average / 1e6,
        responses2xx: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        peakRssMB: rss === null ? null : rss / 2 ** 20,
        serverCpuPercent: cpu === null ? null : (cpu / seconds) * 100,
        serverCpuUsPerRequest: cpu === null || responses === 0 ? null : (cpu * 1e6) / responses,
        contextSwitchesPerRequest: switches === null || responses === 0 ? null : switches / responses,
        backgroundCpuPercent: background === null ? null : Math.max(0, (background / seconds) * 100),
        stdoutLines: running.child.stdout ? running.lines() - before.lines : null,
      });
      const last = results[results.length - 1]!;
      process.stdout.write(
        `  ${c.name.padEnd(22)} ${Math.round(last.reqPerSec).toString().padStart(7)} req/s  p99 ${last.latencyP99Ms} ms` +
          (last.backgroundCpuPercent === null ? '' : `  (background CPU ${Math.round(last.backgroundCpuPercent)}%)`) +
          '\n',
      );
    }
  } finally {
    await stop(running);
    current = null;
    rmSync(workDir, { recursive: true, force: true });
  }
  return results;
}
