/**
 * One contender's server as a child process: started on a free port, probed,
 * and stopped with everything it started (nginx's workers too), with a
 * deadline at every step so a wedged server can't hang the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Contender } from './contenders';
import { processTree } from './proc-stats';

const KILL_GRACE_MS = 3_000;
const PROBE_TIMEOUT_MS = 1_000;

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Stdout lines read (and thrown away) so far. */
  lines(): number;
  stderr(): string;
  exited: Promise<void>;
  workDir: string;
}

/** Servers running now, so that an interrupted bench still kills them. */
const running = new Set<ServerProcess>();
/** Every process of every server this run started, for the leftover check at the end. */
const started = new Set<number>();

/** A port that was free a moment ago: bind port 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One GET on 127.0.0.1: status and body length, or null if nothing answered in time. */
export function probe(
  port: number,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; length: number; encoding: string | null } | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      const encoding = res.headers['content-encoding'] ?? null;
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length, encoding }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

export function startServer(contender: Contender, root: string, port: number, upstream: number | null = null): ServerProcess {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-server-'));
  const launch = contender.launch({ root, port, workDir, upstream });
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd ?? workDir,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines = 0;
  // Read and drop: count newlines so the report can show the log was really written.
  child.stdout.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4_000) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => (stderr += `spawn failed: ${error.message}\n`));
  const server: ServerProcess = { child, port, lines: () => lines, stderr: () => stderr, exited, workDir };
  running.add(server);
  return server;
}

/**
 * Poll `urlPath` until it answers 200; the milliseconds that took from `since`.
 * Throws if the server exits first or `timeoutMs` passes.
 */
export async function waitFor200(server: ServerProcess, urlPath: string, since: number, timeoutMs: number, everyMs: number): Promise<number> {
  const deadline = since + timeoutMs;
  let gone = false;
  void server.exited.then(() => (gone = true));
  while (performance.now() < deadline) {
    if (gone) throw new Error(`it exited before answering:\n${server.stderr()}`);
    const answer = await probe(server.port, urlPath);
    if (answer?.status === 200) return performance.now() - since;
    await sleep(everyMs);
  }
  throw new Error(`no 200 on ${urlPath} at port ${server.port} within ${timeoutMs / 1000} s:\n${server.stderr()}`);
}

function killTree(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: nothing left to kill.
    }
  }
}

/** SIGTERM, then SIGKILL after a grace period; then SIGKILL whatever it started that is still there. */
export async function stopServer(server: ServerProcess): Promise<void> {
  const tree = server.child.pid === undefined ? [] : processTree(server.child.pid);
  for (const pid of tree) started.add(pid);
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), KILL_GRACE_MS);
    await server.exited;
    clearTimeout(timer);
  }
  killTree(tree.slice(1));
  running.delete(server);
  rmSync(server.workDir, { recursive: true, force: true });
}

/** For exit and signal handlers: kill every server at once, synchronously. */
export function killAllServers(): void {
  for (const server of running) {
    if (server.child.pid !== undefined) killTree(processTree(server.child.pid).reverse());
    rmSync(server.workDir, { recursive: true, force: true });
  }
  running.clear();
}

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    // Gone (or not Linux): not a leftover.
    return null;
  }
}

/**
 * Processes still alive that this run started, or whose command line names
 * the corpus: "PID command" each, empty when everything was stopped.
 */
export function leftovers(root: string): string[] {
  const found = new Map<number, string>();
  for (const pid of started) {
    const cmd = commandLine(pid);
    if (cmd) found.set(pid, cmd); // a zombie's cmdline is empty
  }
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    // No /proc: the started set above is all that can be checked.
  }
  for (const name of entries) {
    const cmd = commandLine(Number(name));
    if (cmd?.includes(root)) found.set(Number(name), cmd);
  }
  return [...found].map(([pid, cmd]) => `${pid} ${cmd}`);
}
