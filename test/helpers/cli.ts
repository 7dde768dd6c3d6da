/**
 * Run `pier` the way a user does (`node bin/pier.js …`) and watch what it
 * prints. Tests assume `dist/` is built (`npm test` builds first).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder, where `bin/pier.js` lives. */
export const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
export const PIER_BIN = path.join(PROJECT, 'bin', 'pier.js');

/** Long enough for a slow CI machine; a healthy run takes a fraction of it. */
const WAIT_MS = 8_000;

interface HasAfter {
  after: (fn: () => unknown) => void;
}

/** A fresh temp folder, removed when the test ends. */
export async function tempDir(t: HasAfter, prefix = 'pier-cli-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Where Pier keeps its data (the HTTPS certificate): XDG_CONFIG_HOME. */
  configHome: string;
  cwd?: string;
}

function pierEnv(configHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: configHome };
  // Set by the test runner for its own children; Pier is not a test file.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** A running `pier` process with its output collected line by line. */
export class PierProcess {
  readonly child: ChildProcess;
  /** Complete stdout lines so far. */
  readonly lines: string[] = [];
  stdout = '';
  stderr = '';
  /** Resolves once the process has exited and its output is fully read. */
  readonly exited: Promise<Exit>;
  #exit: Exit | null = null;
  #waiters = new Set<() => void>();

  constructor(args: string[], options: SpawnOptions) {
    this.child = spawn(process.execPath, [PIER_BIN, ...args], {
      cwd: options.cwd ?? PROJECT,
      env: pierEnv(options.configHome),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      const parts = this.stdout.split('\n');
      parts.pop(); // the unfinished last line, if any
      this.lines.splice(0, this.lines.length, ...parts);
      this.#notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.#exit = { code, signal };
        this.#notify();
        resolve(this.#exit);
      });
      // A spawn failure: there will be no 'close' with output to wait for.
      this.child.once('error', (error) => {
        this.stderr += String(error);
        this.#exit = { code: null, signal: null };
        this.#notify();
        resolve(this.#exit);
      });
    });
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  get running(): boolean {
    return this.#exit === null;
  }

  /** Wait until `count` stdout lines match `match`; resolves with them. */
  waitForLines(match: (line: string) => boolean, count = 1, timeoutMs = WAIT_MS): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.filter(match);
        if (found.length >= count) {
          done();
          resolve(found.slice(0, count));
        } else if (this.#exit) {
          done();
          reject(new Error(`pier exited (${JSON.stringify(this.#exit)}) before printing the expected line.${this.#describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`pier did not print the expected line within ${timeoutMs} ms.${this.#describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves with the exit, or rejects (after killing the process) when it takes longer than `timeoutMs`. */
  async waitForExit(timeoutMs = WAIT_MS): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`pier did not exit within ${timeoutMs} ms.${this.#describe()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL if still running, and wait for it to be gone. Safe to call twice. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  #describe(): string {
    return `\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }
}

/** Spawn `node bin/pier.js ...args`; the process is killed when the test ends, also on failure. */
export function spawnPier(t: HasAfter, args: string[], options: SpawnOptions): PierProcess {
  const pier = new PierProcess(args, options);
  t.after(() => pier.kill());
  return pier;
}

/** Run a command that should end by itself (errors, --help); killed if it doesn't. */
export async function runPier(t: HasAfter, args: string[], options: SpawnOptions): Promise<Exit & { stdout: string; stderr: string }> {
  const pier = spawnPier(t, args, options);
  const exit = await pier.waitForExit();
  return { ...exit, stdout: pier.stdout, stderr: pier.stderr };
}

export interface Listening {
  type: 'listening';
  url: string;
  lanUrls: string[];
}

/** Start `pier serve ... --json` and wait for its first line, which must be the listening line. */
export async function startJson(t: HasAfter, args: string[], options: SpawnOptions) {
  const pier = spawnPier(t, ['serve', ...args, '--json'], options);
  const [first] = await pier.waitForLines(() => true);
  const listening = JSON.parse(first!) as Listening;
  if (listening.type !== 'listening') throw new Error(`The first line is not the listening line: ${first}`);
  const port = Number(new URL(listening.url).port);
  return { pier, listening, first: first!, port, url: listening.url };
}

/** A port that was free on 127.0.0.1 a moment ago (bound to 0, read, closed). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Bind 127.0.0.1:port ourselves; resolves true when that worked (and closes again). */
export async function canBind(port: number): Promise<boolean> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, resolve);
    });
    return true;
  } catch {
    // EADDRINUSE (or any other bind error) is exactly the answer: not free.
    return false;
  } finally {
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Local addresses of the TCP sockets listening on `port`, as `ss -ltn` prints them. */
export function listeningAddresses(port: number): string[] {
  const result = spawnSync('ss', ['-H', '-l', '-t', '-n', `sport = :${port}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ss failed: ${result.stderr || result.error}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3])
    .filter((address): address is string => Boolean(address));
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Defaults to a fresh connection per request (no pooling). */
  agent?: http.Agent | false;
}

/**
 * GET `url` and read the whole body. Only ever for 127.0.0.1; HTTPS accepts
 * Pier's self-signed certificate.
 */
export function get(url: string, options: RequestOptions = {}): Promise<Reply> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`Tests only connect to 127.0.0.1, not ${target.hostname}`);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      target,
      { headers: options.headers ?? {}, agent: options.agent ?? false, rejectUnauthorized: false, timeout: WAIT_MS },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** A `pier` child whose stdout nobody reads until the test says so. */
export interface UnreadPier {
  child: ChildProcess;
  pid: number;
  /** The port from the listening line (`--json`) or the banner's Local URL (text). */
  port: number;
  /** stderr so far. */
  stderr(): string;
  /** Start reading stdout again; resolves with all of it once `match` matches a line (or rejects after `timeoutMs`). */
  readUntil(match: (line: string) => boolean, timeoutMs?: number): Promise<string[]>;
}

/**
 * Run the CLI from source (`node --import tsx app/cli.ts serve … --json`, or
 * without `--json` when `json: false`), so the test proves the code in the
 * checkout even when `dist/` is older, read its first stdout line (the
 * listening line; in text mode, the banner), then stop reading stdout: the
 * pipe fills and everything Pier writes afterwards waits in Pier's process.
 * `nodeArgs` go to node before the script (heap limits, say). Killed when the
 * test ends.
 */
export async function spawnPierUnread(
  t: HasAfter,
  args: string[],
  options: SpawnOptions & { nodeArgs?: string[]; json?: boolean },
): Promise<UnreadPier> {
  const json = options.json ?? true;
  const node = [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(PROJECT, 'app', 'cli.ts')];
  const child = spawn(process.execPath, [...node, 'serve', ...args, ...(json ? ['--json'] : [])], {
    cwd: options.cwd ?? PROJECT,
    env: pierEnv(options.configHome),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child.stdout!.resume(); // let the pipe empty so 'close' can come
    await exited;
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // stdout as complete lines plus the unfinished last one (no re-splitting of everything per chunk).
  const lines: string[] = [];
  let partial = '';
  const take = (chunk: Buffer): string[] => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    return parts;
  };
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pier printed no listening line within ${WAIT_MS} ms.\n${stderr}`)), WAIT_MS);
    const onData = (chunk: Buffer) => {
      take(chunk);
      // --json: the listening line comes first. Text: the banner ends with "Press Ctrl+C to stop."
      if (json ? lines.length === 0 : !lines.some((line) => line.includes('Press Ctrl+C'))) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.pause();
      resolve(json ? lines[0]! : JSON.stringify({ type: 'listening', url: /http:\/\/127\.0\.0\.1:\d+\//.exec(lines.join('\n'))?.[0] ?? '' }));
    };
    child.stdout!.on('data', onData);
    child.once('close', () => reject(new Error(`pier exited before listening.\n${stderr}`)));
  });
  const listening = JSON.parse(first) as Listening;
  if (listening.type !== 'listening') throw new Error(`The first line is not the listening line: ${first}`);
  return {
    child,
    pid: child.pid!,
    port: Number(new URL(listening.url).port),
    stderr: () => stderr,
    readUntil: (match, timeoutMs = WAIT_MS) =>
      new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve([...lines]);
        };
        const onData = (chunk: Buffer) => {
          if (take(chunk).some(match)) done();
        };
        const timer = setTimeout(() => {
          child.stdout!.off('data', onData);
          reject(new Error(`pier printed no matching line within ${timeoutMs} ms (${lines.length} lines read).\n${stderr}`));
        }, timeoutMs);
        child.stdout!.on('data', onData);
        child.stdout!.resume();
        if (lines.some(match)) done();
      }),
  };
}
