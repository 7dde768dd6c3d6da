/**
 * The load generator: wrk (Debian's package) where it is installed, autocannon
 * where it is not. autocannon runs in this Node process and saturates before
 * nginx does, so without wrk the ratios to nginx say more about the client
 * than about the servers; the report says which one ran.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import autocannon from 'autocannon';

import { REPO } from './contenders';
import { endedChildrenCpuSeconds } from './proc-stats';

const WRK = 'wrk';
const WRK_SCRIPT = path.join(REPO, 'bench', 'wrk-summary.lua');
/** Seconds a request may take before it counts as a timeout: long, so a slow listing still has a latency. */
const REQUEST_TIMEOUT_S = 30;
/** Past its duration, how long a run may go on before it is killed as wedged. */
const OVERRUN_MS = 15_000;

/** The wrk running now, so that an interrupted bench can stop it too. */
let client: ChildProcess | null = null;

/** For exit and signal handlers. */
export function killLoad(): void {
  client?.kill('SIGKILL');
}

export interface LoadSettings {
  threads: number;
  connections: number;
  warmupS: number;
  durationS: number;
}

export interface LoadResult {
  requests: number;
  /** Responses with a status of 400 or above. */
  status4xx5xx: number;
  /** Connect, read and write errors and timeouts. */
  errors: number;
  bytes: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds the load generator used, or null where it can't be told. */
  clientCpuS: number | null;
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon';
  version: string;
  /** A sentence for the report: how the load is made and what that means for the figures. */
  note: string;
  run(url: string, durationS: number, headers?: Record<string, string>): Promise<LoadResult>;
}

/** wrk's version, or null if it isn't on the PATH. `wrk -v` prints it and exits 1. */
function wrkVersion(): string | null {
  const out = spawnSync(WRK, ['-v'], { encoding: 'utf8', timeout: 5_000 });
  if (out.error) return null;
  return /^wrk (\S+)/m.exec(out.stdout + out.stderr)?.[1] ?? 'unknown';
}

function runWrk(settings: LoadSettings, url: string, durationS: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  const args = [
    ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    `-t${settings.threads}`,
    `-c${settings.connections}`,
    `-d${durationS}s`,
    `--timeout`,
    `${REQUEST_TIMEOUT_S}s`,
    '-s',
    WRK_SCRIPT,
    url,
  ];
  return new Promise((resolve, reject) => {
    const cpuBefore = endedChildrenCpuSeconds();
    const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    client = child;
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), durationS * 1000 + OVERRUN_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      client = null;
      const json = /^BENCH_JSON (.*)$/m.exec(out)?.[1];
      if (!json) {
        reject(new Error(`wrk ended with ${signal ?? `exit code ${code}`} and no summary:\n${out.slice(-2_000)}`));
        return;
      }
      const s = JSON.parse(json) as Record<string, number>;
      const cpuAfter = endedChildrenCpuSeconds();
      resolve({
        requests: s.requests!,
        status4xx5xx: s.statusErrors!,
        errors: s.connectErrors! + s.readErrors! + s.writeErrors! + s.timeouts!,
        bytes: s.bytes!,
        seconds: s.durationUs! / 1e6,
        p50Ms: s.p50Us! / 1000,
        p99Ms: s.p99Us! / 1000,
        clientCpuS: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
      });
    });
  });
}

async function runAutocannon(
  settings: LoadSettings,
  url: string,
  durationS: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const run = autocannon({ url, headers, connections: settings.connections, duration: durationS, timeout: REQUEST_TIMEOUT_S });
  const timer = setTimeout(() => run.stop(), durationS * 1000 + OVERRUN_MS);
  try {
    const r = await run;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      requests: r.requests.total,
      // non2xx also counts 3xx; the corpus has no redirects, and a check before the load catches one.
      status4xx5xx: r.non2xx,
      errors: r.errors + r.timeouts,
      bytes: r.throughput.total,
      seconds: r.duration || durationS,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      clientCpuS: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * wrk if it is installed, else autocannon. `BENCH_CLIENT=autocannon` forces
 * the fallback, to check it still works.
 */
export function loadGenerator(settings: LoadSettings): LoadGenerator {
  const forced = process.env.BENCH_CLIENT === 'autocannon';
  const version = forced ? null : wrkVersion();
  const shape = `${settings.connections} connections, ${settings.warmupS} s warm-up, then ${settings.durationS} s measured per case`;
  if (version !== null) {
    return {
      name: 'wrk',
      version,
      note: `wrk ${version}: ${settings.threads} threads × ${shape}; a separate process on the same machine as the server.`,
      run: (url, durationS, headers) => runWrk(settings, url, durationS, headers),
    };
  }
  const acVersion = (JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'autocannon', 'package.json'), 'utf8')) as { version: string })
    .version;
  return {
    name: 'autocannon',
    version: acVersion,
    note:
      `**${forced ? 'BENCH_CLIENT=autocannon' : 'wrk is not installed'}, so the load came from autocannon ${acVersion}** (${shape}), ` +
      "which runs in the bench's own Node process and saturates before nginx does: the ratios to nginx are too kind to the Node servers. " +
      (forced ? 'Unset BENCH_CLIENT for real figures.' : '`apt-get install -y wrk` for real figures.'),
    run: (url, durationS, headers) => runAutocannon(settings, url, durationS, headers),
  };
}
