/**
 * Throughput benchmark (not a test): Pier against serve, http-server and, when
 * installed, nginx, on the same corpus, one server at a time.
 *
 *   npm run bench                    8 s per case (BENCH_DURATION=seconds to change)
 *   npm run bench -- --quick         3 s per case, a smoke check
 *   npm run bench -- --only=pier,serve   only servers whose name starts with these
 *   npm run bench -- --no-log-bench  skip bench/request-log.ts at the end
 *
 * Prints one markdown table per file and writes everything to
 * .bench/results-<timestamp>.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import autocannon from 'autocannon';

import { CONTENDERS, REPO, type Contender } from './contenders';
import { cpuSeconds, peakRss, processTree, resetPeakRss } from './proc-stats';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const DURATION_S = QUICK ? 3 : Number(process.env.BENCH_DURATION ?? 8);
const WARMUP_S = QUICK ? 1 : 2;
const CONNECTIONS = 50;
const PIPELINING = 1;
const READY_TIMEOUT_MS = 15_000;
const KILL_GRACE_MS = 3_000;
const ONLY = argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const LOG_BENCH = !QUICK && !argv.includes('--no-log-bench');

if (!(DURATION_S > 0 && DURATION_S <= 600)) {
  process.stderr.write(`bench: BENCH_DURATION must be a number of seconds from 1 to 600, got ${process.env.BENCH_DURATION}\n`);
  process.exit(2);
}

interface Case {
  name: string;
  urlPath: string;
  file: string;
  bytes: number;
}

/** Requested in this order; the file name is what the table is called. */
const CASES: Case[] = [
  { name: 'small.txt (1 KB)', urlPath: '/small.txt', file: 'small.txt', bytes: 1024 },
  { name: 'medium.js (50 KB)', urlPath: '/medium.js', file: 'medium.js', bytes: 50 * 1024 },
  { name: 'large.bin (1 MB)', urlPath: '/large.bin', file: 'large.bin', bytes: 1024 * 1024 },
  { name: '/ → index.html (1 KB)', urlPath: '/', file: 'index.html', bytes: 1024 },
];

interface Measurement {
  server: string;
  case: string;
  reqPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  mbPerSec: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Peak resident memory of the server's processes during this case (or since start, see peakRssScope). */
  peakRssMB: number | null;
  /** CPU the server's processes used during the measured run, in % of one core. */
  serverCpuPercent: number | null;
  /** Lines the server wrote to stdout during the measured run, when the bench reads it. */
  stdoutLines: number | null;
}

/** Text of `bytes` bytes that looks like `line` repeated. */
function filler(line: string, bytes: number): string {
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

function makeCorpus(dir: string): void {
  const html = '<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n<title>Pier bench</title>\n<body>\n<p>';
  writeFileSync(path.join(dir, 'index.html'), filler(html + 'Lorem ipsum dolor sit amet. '.repeat(40), 1024));
  writeFileSync(path.join(dir, 'small.txt'), filler('The quick brown fox jumps over the lazy dog.\n', 1024));
  writeFileSync(
    path.join(dir, 'medium.js'),
    filler('export function add(a, b) {\n  return a + b; // a typical line of a bundle\n}\n', 50 * 1024),
  );
  writeFileSync(path.join(dir, 'large.bin'), randomBytes(1024 * 1024));
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
  /** stdout lines read so far (only for `consume`). */
  lines: () => number;
  stderr: () => string;
  exited: Promise<void>;
}

let current: Running | null = null;

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

async function load(port: number, urlPath: string, seconds: number) {
  return autocannon({ url: `http://127.0.0.1:${port}${urlPath}`, connections: CONNECTIONS, duration: seconds, pipelining: PIPELINING });
}

async function measure(contender: Contender, root: string, cases: Case[], notes: string[]): Promise<Measurement[]> {
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
      await load(port, c.urlPath, WARMUP_S);
      // Requests the warm-up cut off still finish and get logged: let them, before counting.
      await sleep(300);
      const pids = processTree(pid); // nginx: its workers too
      const perCase = resetPeakRss(pids);
      const cpuBefore = cpuSeconds(pids);
      const linesBefore = running.lines();
      const r = await load(port, c.urlPath, DURATION_S);
      const cpuAfter = cpuSeconds(pids);
      const rss = peakRss(pids);
      if (!perCase && results.length === 0) notes.push(`${contender.name}: peak RSS is since the server started (clear_refs refused)`);
      results.push({
        server: contender.name,
        case: c.name,
        reqPerSec: r.requests.average,
        latencyP50Ms: r.latency.p50,
        latencyP99Ms: r.latency.p99,
        mbPerSec: r.throughput.average / 1e6,
        responses2xx: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        peakRssMB: rss === null ? null : rss / 2 ** 20,
        serverCpuPercent: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) / r.duration) * 100,
        stdoutLines: running.child.stdout ? running.lines() - linesBefore : null,
      });
      const last = results[results.length - 1]!;
      process.stdout.write(
        `  ${c.name.padEnd(22)} ${Math.round(last.reqPerSec).toString().padStart(7)} req/s  p99 ${last.latencyP99Ms} ms\n`,
      );
    }
  } finally {
    await stop(running);
    current = null;
    rmSync(workDir, { recursive: true, force: true });
  }
  return results;
}

const fmt = (n: number | null, digits = 1): string =>
  n === null ? 'n/a' : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(caseName: string, rows: Measurement[]): string {
  const head = '| server | req/s | p50 ms | p99 ms | MB/s | non-2xx | errors | peak RSS MB | server CPU % |';
  const lines = [`### ${caseName}`, '', head, '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const m of rows) {
    lines.push(
      `| ${m.server} | ${fmt(m.reqPerSec, 0)} | ${fmt(m.latencyP50Ms, 0)} | ${fmt(m.latencyP99Ms, 0)} | ${fmt(m.mbPerSec)} | ` +
        `${m.non2xx} | ${m.errors + m.timeouts} | ${fmt(m.peakRssMB)} | ${fmt(m.serverCpuPercent, 0)} |`,
    );
  }
  return lines.join('\n');
}

/** A stale dist/ would measure yesterday's engine. */
function distWarning(): string | null {
  let newest = 0;
  for (const name of readdirSync(path.join(REPO, 'app'))) newest = Math.max(newest, statSync(path.join(REPO, 'app', name)).mtimeMs);
  try {
    const built = statSync(path.join(REPO, 'dist', 'cli.js')).mtimeMs;
    return built < newest ? 'dist/cli.js is older than app/: the pier rows measure the last build (run `npm run build`).' : null;
  } catch {
    return null; // missing: the pier contenders say so themselves
  }
}

async function main(): Promise<void> {
  const contenders = CONTENDERS.filter((c) => !ONLY || ONLY.some((o) => c.name.startsWith(o)));
  const cpus = os.cpus();
  console.log('# Pier throughput bench\n');
  console.log(
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.release()}, Node ${process.version}. ` +
      `autocannon runs in this process on the same machine and keeps about one core busy, so each server gets ` +
      `what is left; every server is measured one after another in the same conditions.`,
  );
  console.log(
    `Each case: ${CONNECTIONS} connections, pipelining ${PIPELINING}, ${WARMUP_S} s warm-up, then ${DURATION_S} s measured, ` +
      `GET on 127.0.0.1. MB = 10^6 bytes. Peak RSS: VmHWM of the server's processes during the case (nginx: master + workers). ` +
      `Server CPU: % of one core during the measured run. errors include timeouts.\n`,
  );
  const warning = distWarning();
  if (warning) console.log(`**Warning:** ${warning}\n`);

  const root = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-corpus-'));
  makeCorpus(root);
  const notes: string[] = [];
  const results: Measurement[] = [];
  const ran: { name: string; note: string; version: string }[] = [];
  try {
    for (const contender of contenders) {
      const reason = contender.unavailable();
      if (reason) {
        console.log(`- ${contender.name}: skipped, ${reason}`);
        notes.push(`${contender.name}: skipped, ${reason}`);
        continue;
      }
      const version = contender.version();
      console.log(`- ${contender.name} ${version}: ${contender.note}`);
      try {
        results.push(...(await measure(contender, root, CASES, notes)));
        ran.push({ name: contender.name, note: contender.note, version });
      } catch (error) {
        const message = `${contender.name}: failed, ${(error as Error).message.trim()}`;
        console.log(`  ${message}`);
        notes.push(message);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  console.log('');
  for (const c of CASES) {
    const rows = results.filter((r) => r.case === c.name);
    if (rows.length > 0) console.log(`${table(c.name, rows)}\n`);
  }
  for (const r of results) {
    if (r.stdoutLines !== null && r.stdoutLines > 0) {
      console.log(`${r.server}, ${r.case}: ${r.stdoutLines.toLocaleString('en')} stdout lines for ${r.responses2xx.toLocaleString('en')} responses`);
    }
  }
  if (notes.length > 0) console.log(`\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}`);

  const outDir = path.join(REPO, '.bench');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? null, platform: os.platform(), release: os.release(), node: process.version },
    settings: { durationS: DURATION_S, warmupS: WARMUP_S, connections: CONNECTIONS, pipelining: PIPELINING, quick: QUICK },
    corpus: CASES.map(({ file, bytes }) => ({ file, bytes })),
    servers: ran,
    results,
    notes,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), file)}`);

  if (LOG_BENCH) {
    console.log('\n## Request log pipeline (bench/request-log.ts)\n');
    const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'request-log.ts')], {
      stdio: 'inherit',
      timeout: 10 * 60_000,
    });
    if (out.status !== 0) console.log(`bench/request-log.ts ended with ${out.error?.message ?? `exit code ${out.status}`}`);
  }
}

// Whatever happens, no server is left running.
process.on('exit', () => current?.child.kill('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    current?.child.kill('SIGKILL');
    process.exit(130);
  });
}

await main();
