/**
 * Throughput benchmark (not a test): Pier against serve, http-server and, when
 * installed, nginx, on the same corpus, one server at a time.
 *
 *   npm run bench                        8 s per case (BENCH_DURATION=seconds to change)
 *   npm run bench -- --quick             3 s per case, a smoke check
 *   npm run bench -- --only=pier,serve   only servers whose name starts with one of these
 *   npm run bench -- --no-log-bench      skip bench/request-log.ts at the end
 *   BENCH_ROUNDS=3 npm run bench         repeat everything, report the median round
 *   npm run bench -- --report=.bench/results-….json   print the tables of an earlier run
 *
 * Prints one markdown table per file and writes every measurement to
 * .bench/results-<timestamp>.json.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CONTENDERS, REPO } from './contenders';
import { killCurrent, measureContender, type Case, type LoadSettings, type Measurement } from './measure';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SETTINGS: LoadSettings = {
  connections: 50,
  pipelining: 1,
  warmupS: QUICK ? 1 : 2,
  durationS: QUICK ? 3 : Number(process.env.BENCH_DURATION ?? 8),
};
const ONLY = argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const LOG_BENCH = !QUICK && !argv.includes('--no-log-bench');
const REPORT = argv.find((a) => a.startsWith('--report='))?.slice('--report='.length);
/** Above this, a row is marked as measured on a busy machine. */
const BUSY_BACKGROUND_PERCENT = 25;

for (const [name, value, max] of [
  ['BENCH_DURATION', SETTINGS.durationS, 600],
  ['BENCH_ROUNDS', ROUNDS, 20],
] as const) {
  if (!(Number.isInteger(value) && value >= 1 && value <= max)) {
    process.stderr.write(`bench: ${name} must be a whole number from 1 to ${max}\n`);
    process.exit(2);
  }
}

/** Requested in this order; each gets its own table. */
const CASES: Case[] = [
  { name: 'small.txt (1 KB)', urlPath: '/small.txt', file: 'small.txt', bytes: 1024 },
  { name: 'medium.js (50 KB)', urlPath: '/medium.js', file: 'medium.js', bytes: 50 * 1024 },
  { name: 'large.bin (1 MB)', urlPath: '/large.bin', file: 'large.bin', bytes: 1024 * 1024 },
  { name: '/ → index.html (1 KB)', urlPath: '/', file: 'index.html', bytes: 1024 },
];

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

const fmt = (n: number | null, digits = 1): string =>
  n === null ? 'n/a' : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Of several rounds, the one with the median req/s (the lower middle for an
 * even count), taken from the rounds measured on a quiet machine when there
 * are any: a round that shared the CPU with other programs says little.
 */
function representative(runs: Measurement[]): Measurement {
  const quiet = runs.filter((r) => r.backgroundCpuPercent !== null && r.backgroundCpuPercent <= BUSY_BACKGROUND_PERCENT);
  const sorted = [...(quiet.length > 0 ? quiet : runs)].sort((a, b) => a.reqPerSec - b.reqPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function table(caseName: string, rows: Measurement[]): string {
  const lines = [
    `### ${caseName}`,
    '',
    '| server | req/s | p50 ms | p99 ms | MB/s | non-2xx | errors | peak RSS MB | server CPU µs/req | background CPU % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const m of rows) {
    const busy = m.backgroundCpuPercent !== null && m.backgroundCpuPercent > BUSY_BACKGROUND_PERCENT ? ' ⚠' : '';
    lines.push(
      `| ${m.server} | ${fmt(m.reqPerSec, 0)} | ${fmt(m.latencyP50Ms, 0)} | ${fmt(m.latencyP99Ms, 0)} | ${fmt(m.mbPerSec)} | ` +
        `${m.non2xx} | ${m.errors + m.timeouts} | ${fmt(m.peakRssMB)} | ${fmt(m.serverCpuUsPerRequest, 0)} | ` +
        `${fmt(m.backgroundCpuPercent, 0)}${busy} |`,
    );
  }
  return lines.join('\n');
}

/** One table per case, one row per server, then how many log lines each logging server wrote. */
function printTables(servers: string[], results: Measurement[]): void {
  console.log('');
  const shown: Measurement[] = [];
  for (const c of CASES) {
    const rows = servers
      .map((server) => results.filter((r) => r.case === c.name && r.server === server))
      .filter((runs) => runs.length > 0)
      .map(representative);
    shown.push(...rows);
    if (rows.length > 0) console.log(`${table(c.name, rows)}\n`);
    const rates = rows.map((r) => r.reqPerSec);
    if (rows.length > 2 && Math.min(...rates) > 0.7 * Math.max(...rates)) {
      // nginx included, every server within 30%: the load generator, not the servers, sets the pace.
      console.log('All servers are within 30% of each other here: the client is the limit, not the servers. Compare server CPU µs/req.\n');
    }
  }
  for (const r of shown) {
    if (r.stdoutLines !== null && r.stdoutLines > 0) {
      console.log(
        `${r.server}, ${r.case}: ${r.stdoutLines.toLocaleString('en')} stdout lines for ` +
          `${(r.responses2xx + r.non2xx).toLocaleString('en')} responses`,
      );
    }
  }
}

/** A stale dist/ would measure an older engine than app/ holds. */
function distWarning(): string | null {
  let newest = 0;
  for (const name of readdirSync(path.join(REPO, 'app'))) newest = Math.max(newest, statSync(path.join(REPO, 'app', name)).mtimeMs);
  try {
    const built = statSync(path.join(REPO, 'dist', 'cli.js')).mtimeMs;
    return built < newest ? 'dist/cli.js is older than app/: the `pier` rows measure the last build (run `npm run build`).' : null;
  } catch {
    return null; // missing: the pier contenders say so themselves
  }
}

function printHeader(): void {
  const cpus = os.cpus();
  const { connections, pipelining, warmupS, durationS } = SETTINGS;
  console.log('# Pier throughput bench\n');
  console.log(
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.release()}, Node ${process.version}, ` +
      `load average ${os.loadavg()[0]!.toFixed(2)} at start. autocannon runs in this process on the same machine and keeps ` +
      `about one core busy, so each server gets what is left (with ${cpus.length} cores, about ${cpus.length - 1}); ` +
      `the servers run one after another with the same settings. Other programs on the machine are not under the bench's control: see the background CPU column.`,
  );
  console.log(
    `Each case: ${connections} connections, pipelining ${pipelining}, ${warmupS} s warm-up, then ${durationS} s measured, ` +
      `GET on 127.0.0.1${ROUNDS > 1 ? `; ${ROUNDS} rounds, each row is the round with the median req/s (of the quiet rounds, if any)` : ''}. ` +
      `MB = 10^6 bytes. errors include timeouts. Peak RSS: VmHWM of the server's processes during the case ` +
      `(nginx: master + workers). Server CPU µs/req: CPU time of all the server's threads per response, steadier than ` +
      `req/s when the machine is shared. Background CPU: what everything else used meanwhile, in % of one core ` +
      `(⚠ above ${BUSY_BACKGROUND_PERCENT}%: the row was measured on a busy machine).\n`,
  );
  const warning = distWarning();
  if (warning) console.log(`**Warning:** ${warning}\n`);
}

/** Print the tables of an earlier run from its JSON file. */
function reprint(file: string): void {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { servers: { name: string }[]; results: Measurement[]; notes: string[] };
  printTables(
    report.servers.map((s) => s.name),
    report.results,
  );
  if (report.notes.length > 0) console.log(`\nNotes:\n${report.notes.map((n) => `- ${n}`).join('\n')}`);
}

async function main(): Promise<void> {
  if (REPORT) {
    reprint(REPORT);
    return;
  }
  const contenders = CONTENDERS.filter((c) => !ONLY || ONLY.some((o) => c.name.startsWith(o)));
  printHeader();

  const root = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-corpus-'));
  makeCorpus(root);
  const notes: string[] = [];
  const results: Measurement[] = [];
  const servers: { name: string; note: string; version: string }[] = [];
  try {
    const runnable = contenders.filter((contender) => {
      const reason = contender.unavailable();
      if (reason) {
        console.log(`- ${contender.name}: skipped, ${reason}`);
        notes.push(`${contender.name}: skipped, ${reason}`);
        return false;
      }
      const version = contender.version();
      console.log(`- ${contender.name} ${version}: ${contender.note}`);
      servers.push({ name: contender.name, note: contender.note, version });
      return true;
    });
    for (let round = 1; round <= ROUNDS; round++) {
      // Every other round runs backwards, so a drift in the machine's load does not favour one end of the list.
      const order = round % 2 === 1 ? runnable : [...runnable].reverse();
      for (const contender of order) {
        console.log(`\n${contender.name}${ROUNDS > 1 ? ` (round ${round} of ${ROUNDS})` : ''}`);
        try {
          results.push(...(await measureContender(contender, root, CASES, SETTINGS, round, notes)));
        } catch (error) {
          const message = `${contender.name}: failed, ${(error as Error).message.trim()}`;
          console.log(`  ${message}`);
          notes.push(message);
        }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  printTables(servers.map((sv) => sv.name), results);
  if (notes.length > 0) console.log(`\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}`);

  const outDir = path.join(REPO, '.bench');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const cpus = os.cpus();
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? null, platform: os.platform(), release: os.release(), node: process.version },
    settings: { ...SETTINGS, rounds: ROUNDS, quick: QUICK },
    corpus: CASES.map(({ file, bytes }) => ({ file, bytes })),
    servers,
    results,
    notes,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), file)}`);

  if (LOG_BENCH) {
    console.log('\n## Request log pipeline (bench/request-log.ts)\n');
    const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'request-log.ts')], {
      cwd: REPO,
      stdio: 'inherit',
      timeout: 10 * 60_000,
    });
    if (out.status !== 0) console.log(`bench/request-log.ts ended with ${out.error?.message ?? `exit code ${out.status}`}`);
  }
}

// Whatever happens, no server is left running.
process.on('exit', killCurrent);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killCurrent();
    process.exit(130);
  });
}

await main();
