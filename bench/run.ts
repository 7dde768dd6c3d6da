/**
 * Throughput benchmark (not a test): pier against nginx, serve and
 * http-server on the same corpus, one server at a time, load from wrk on
 * 127.0.0.1 (autocannon where wrk is missing). The proxy case puts each
 * server's reverse proxy (pier --proxy, nginx proxy_pass, a bare http-proxy-3
 * server) in front of one nginx upstream (bench/upstream.ts).
 *
 *   npm run bench                         10 s per case (BENCH_DURATION=seconds to change), writes docs/benchmarks.md
 *   npm run bench -- --quick              1 s per case and 2 startups per server, a smoke run of the harness; writes .bench/benchmarks-….md
 *   npm run bench -- --only=pier,nginx    only these servers (pier-engine, a diagnostic, runs only when named)
 *   npm run bench -- --docs               write docs/benchmarks.md even for --quick or --only
 *   npm run bench -- --no-log-bench       skip bench/request-log.ts at the end of a full run
 *   npm run bench -- --report=.bench/results-….json   print the report of an earlier run
 *   BENCH_CLIENT=autocannon npm run bench  use the fallback client even where wrk is installed
 *
 * Prints the report as markdown and keeps every figure in .bench/results-<time>.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CONTENDERS, EXTRA_CONTENDERS, REPO, nginxVersion } from './contenders';
import { CASES, makeCorpus } from './corpus';
import { killLoad, loadGenerator, type LoadSettings } from './load';
import { measureCase, measureStartup, type Measurement, type Startup } from './measure';
import { describeMachine, renderReport, type Report } from './report';
import { startUpstream, type Upstream } from './upstream';
import { killAllServers, leftovers } from './server-process';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ONLY = option('only')?.split(',').filter(Boolean);
const REPORT = option('report');
const DOCS = argv.includes('--docs') || (!QUICK && !ONLY);
const LOG_BENCH = !QUICK && !argv.includes('--no-log-bench');
// --quick checks that the harness works end to end (every server, every case), as fast as that goes.
const STARTUP_TRIES = QUICK ? 2 : 5;

const SETTINGS: LoadSettings = {
  threads: 2,
  connections: 64,
  // Node's JIT needs a few seconds of this load before its latency settles
  // (p99 over 200 ms in the first 5 s, about 10 ms after): measure the steady state.
  warmupS: QUICK ? 1 : 5,
  durationS: Number(process.env.BENCH_DURATION ?? (QUICK ? 1 : 10)),
};

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const known = new Set(['--quick', '--docs', '--no-log-bench']);
for (const arg of argv) {
  if (!known.has(arg) && !/^--(only|report)=/.test(arg)) usage(`unknown argument ${arg}`);
}
if (!(Number.isInteger(SETTINGS.durationS) && SETTINGS.durationS >= 1 && SETTINGS.durationS <= 600)) {
  usage('BENCH_DURATION must be a whole number of seconds from 1 to 600');
}
const ALL = [...CONTENDERS, ...EXTRA_CONTENDERS];
const unknown = ONLY?.filter((name) => !ALL.some((c) => c.name === name)) ?? [];
if (unknown.length > 0) usage(`--only: no server called ${unknown.join(', ')} (there are ${ALL.map((c) => c.name).join(', ')})`);

/** A stale dist/ would measure an older engine than app/ holds. */
function distWarning(): string | null {
  let newest = 0;
  for (const name of readdirSync(path.join(REPO, 'app'))) newest = Math.max(newest, statSync(path.join(REPO, 'app', name)).mtimeMs);
  try {
    const built = statSync(path.join(REPO, 'dist', 'cli.js')).mtimeMs;
    return built < newest ? 'dist/cli.js is older than app/: the pier rows measure the last build (run `npm run build`).' : null;
  } catch {
    return null; // missing: the pier contender says so itself
  }
}

/** The generated folder while it exists, so that an interrupted run removes it too. */
let corpus: string | null = null;

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (REPORT) {
    log(renderReport(JSON.parse(readFileSync(REPORT, 'utf8')) as Report));
    return;
  }
  const load = loadGenerator(SETTINGS);
  const notes: string[] = [];
  if (load.name !== 'wrk') log('bench: load from autocannon, not wrk (see below), which saturates before nginx does.');
  const warning = distWarning();
  if (warning) {
    log(`bench: ${warning}`);
    notes.push(warning);
  }

  const servers: Report['servers'] = [];
  const contenders = (ONLY ? ALL.filter((c) => ONLY.includes(c.name)) : CONTENDERS).filter((contender) => {
    const reason = contender.unavailable();
    if (reason) {
      log(`- ${contender.name}: skipped, ${reason}`);
      notes.push(`${contender.name}: skipped, ${reason}`);
      return false;
    }
    servers.push({ name: contender.name, version: contender.version(), note: contender.note });
    log(`- ${contender.name} ${servers.at(-1)!.version}: ${contender.note}`);
    return true;
  });
  const machine = describeMachine(nginxVersion(), `${load.name} ${load.version}`);
  log(`${load.note}\n`);

  const root = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-corpus-'));
  corpus = root;
  const results: Measurement[] = [];
  const startups: Startup[] = [];
  try {
    makeCorpus(root);
    for (const c of CASES) {
      log(`${c.name}`);
      let upstream: Upstream | null = null;
      if (c.upstream) {
        try {
          upstream = await startUpstream();
        } catch (error) {
          const message = `${c.name}: skipped, ${(error as Error).message}`;
          log(`  ${message}`);
          notes.push(message);
          continue;
        }
      }
      for (const contender of contenders) {
        if (contender.proxyOnly && !c.upstream) continue;
        const noProxy = c.upstream ? contender.noProxy() : null;
        if (noProxy) {
          log(`  ${contender.name.padEnd(12)} skipped: ${noProxy}`);
          if (contender.name === 'pier' || contender.name === 'nginx') notes.push(`${contender.name}, ${c.name}: skipped, ${noProxy}`);
          continue;
        }
        try {
          const m = await measureCase(contender, root, c, load, SETTINGS, notes);
          results.push(m);
          log(
            `  ${contender.name.padEnd(12)} ${Math.round(m.reqPerSec).toString().padStart(7)} req/s  p99 ${Number.isFinite(m.p99Ms) ? m.p99Ms.toFixed(2) : 'n/a'} ms  ` +
              `${m.serverCpuUsPerRequest === null ? 'n/a' : Math.round(m.serverCpuUsPerRequest)} µs CPU/req`,
          );
        } catch (error) {
          const message = `${contender.name}, ${c.name}: failed, ${(error as Error).message.trim()}`;
          log(`  ${message}`);
          notes.push(message);
        }
      }
      upstream?.stop();
    }
    log('startup to first response');
    for (const contender of contenders) {
      if (contender.proxyOnly) continue;
      try {
        const s = await measureStartup(contender, root, STARTUP_TRIES);
        startups.push(s);
        log(`  ${contender.name.padEnd(12)} ${s.samplesMs.map((ms) => Math.round(ms)).join(', ')} ms`);
      } catch (error) {
        const message = `${contender.name}, startup: failed, ${(error as Error).message.trim()}`;
        log(`  ${message}`);
        notes.push(message);
      }
    }
  } finally {
    killAllServers();
    const left = leftovers(root);
    if (left.length > 0) notes.push(`processes still running after the run: ${left.join('; ')}`);
    rmSync(root, { recursive: true, force: true });
    corpus = null;
  }

  const report: Report = { machine, quick: QUICK, loadNote: load.note, servers, cases: CASES, results, startups, startupTries: STARTUP_TRIES, notes };
  const markdown = renderReport(report);
  log(`\n${markdown}`);

  const outDir = path.join(REPO, '.bench');
  mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, `results-${stamp()}.json`);
  writeFileSync(json, `${JSON.stringify({ ...report, settings: SETTINGS }, null, 2)}\n`);
  const doc = DOCS ? path.join(REPO, 'docs', 'benchmarks.md') : path.join(outDir, `benchmarks-${stamp()}.md`);
  writeFileSync(doc, markdown);
  log(`Figures: ${path.relative(process.cwd(), json)}\nReport: ${path.relative(process.cwd(), doc)}`);

  if (LOG_BENCH) {
    log('\n## Request log pipeline (bench/request-log.ts)\n');
    const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'request-log.ts')], {
      cwd: REPO,
      stdio: 'inherit',
      timeout: 10 * 60_000,
    });
    if (out.status !== 0) log(`bench/request-log.ts ended with ${out.error?.message ?? `exit code ${out.status}`}`);
  }
}

// Whatever happens, no server, no client and no corpus is left behind.
function cleanUp(): void {
  killLoad();
  killAllServers();
  if (corpus) rmSync(corpus, { recursive: true, force: true });
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stdout.write(`\nbench: ${signal}, stopping\n`);
    process.exit(130); // runs cleanUp
  });
}

await main();
