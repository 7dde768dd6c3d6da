/**
 * Integration-test helpers: a real temp folder with a given file tree (symlinks
 * and FIFOs included) served by a real ServerInstance on 127.0.0.1, and raw
 * HTTP clients that send request targets exactly as written (fetch would
 * normalize `..` and `%2e` away, and with them the attack under test).
 */
import { execFileSync } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { ServerOptions, type ServerConfig, type ServerInput } from '../../app/contract';
import { ServerInstance, type InstanceOptions } from '../../app/server-instance';

/** A symlink in a {@link Tree}; `target` is written as given (relative or absolute). */
export class Link {
  constructor(readonly target: string) {}
}
/** A named pipe in a {@link Tree}. */
export class Fifo {}

export const link = (target: string): Link => new Link(target);
export const fifo = (): Fifo => new Fifo();

/** File name → content, a sub-tree (a folder), a symlink or a FIFO. */
export interface Tree {
  [name: string]: string | Buffer | Link | Fifo | Tree;
}

/** Write `tree` under `dir` (which is created). */
export async function writeTree(dir: string, tree: Tree): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, entry] of Object.entries(tree)) {
    const target = path.join(dir, name);
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) await writeFile(target, entry);
    else if (entry instanceof Link) await symlink(entry.target, target);
    else if (entry instanceof Fifo) execFileSync('mkfifo', [target]);
    else await writeTree(target, entry);
  }
}

/** A fresh folder in the system's temp folder. */
export function tempDir(prefix = 'pier-it-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  bytes: Buffer;
}

export interface RequestOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
  /** Defaults to a fresh connection per request (no keep-alive between tests). */
  agent?: http.Agent | false;
  /** Fail the request when no response has arrived by then. */
  timeoutMs?: number;
}

/**
 * One request to 127.0.0.1:port with `rawPath` sent byte for byte as the
 * request target. Resolves with the whole response.
 */
export function request(
  port: number,
  rawPath: string,
  options: RequestOptions & { tls?: boolean } = {},
): Promise<RawResponse> {
  const { method = 'GET', headers = {}, body, agent = false, timeoutMs = 5_000, tls = false } = options;
  return new Promise((resolve, reject) => {
    const init = { host: '127.0.0.1', port, path: rawPath, method, headers, agent };
    const req = tls
      ? https.request({ ...init, rejectUnauthorized: false, agent: agent as https.Agent | false })
      : http.request(init);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`No answer to ${method} ${rawPath} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
    });
    req.end(body);
  });
}

/**
 * Write `text` to a raw TCP socket on 127.0.0.1:port and collect everything
 * the server sends until it closes the connection (or `timeoutMs` passes).
 */
export function rawExchange(port: number, text: string | Buffer, timeoutMs = 5_000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closedByServer: false });
    }, timeoutMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closedByServer: true });
    });
  });
}

/** The status code of a raw HTTP response text, or 0 if there is none. */
export function rawStatus(text: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
}

/** A port that was free on 127.0.0.1 a moment ago (the kernel's pick, far from 8080). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Hold 127.0.0.1:port (or a kernel-picked port) with a plain TCP server. */
export async function occupy(port = 0, host = '127.0.0.1'): Promise<{ port: number; close: () => Promise<void> }> {
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen({ port, host, exclusive: true }, resolve);
  });
  return {
    port: (blocker.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => blocker.close(() => resolve())),
  };
}

/** A complete config for a test server: defaults, then `options`. */
export function testConfig(root: string, options: Partial<ServerInput> = {}, id = 'test'): ServerConfig {
  return { ...ServerOptions.parse({ name: 'test', port: 'auto', ...options, root }), id };
}

export interface ServedSite {
  /** The temp folder holding `root` and the `outside` tree. */
  base: string;
  /** The served folder (`base/site`). */
  root: string;
  url: string;
  port: number;
  instance: ServerInstance;
  /** A request to this server; see {@link request}. */
  request(rawPath: string, options?: RequestOptions): Promise<RawResponse>;
  /** Stop the server and remove the temp folder. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Server options; `root` is set for you, `port` defaults to 'auto'. */
  config?: Partial<ServerInput>;
  /** Written next to the served folder (under `base`), for escapes to aim at. */
  outside?: Tree;
  instance?: InstanceOptions;
}

/**
 * Write `tree` into `<temp>/site`, start a ServerInstance for it on 127.0.0.1
 * and return how to talk to it. Call `close()` when done (e.g. in `after`).
 */
export async function serve(tree: Tree, options: ServeOptions = {}): Promise<ServedSite> {
  const base = await tempDir();
  const root = path.join(base, 'site');
  await writeTree(root, tree);
  if (options.outside) await writeTree(base, options.outside);
  const instance = new ServerInstance(testConfig(root, options.config), options.instance);
  const started = await instance.start();
  if (!started.ok) {
    await rm(base, { recursive: true, force: true });
    throw new Error(`The test server did not start: ${started.code} ${started.message}`);
  }
  const { port, url } = started.value;
  if (port === null || url === null) throw new Error('A running server has no port');
  const tls = instance.config.https;
  return {
    base,
    root,
    url,
    port,
    instance,
    request: (rawPath, requestOptions) => request(port, rawPath, { ...requestOptions, tls }),
    close: async () => {
      await instance.stop();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/**
 * Serve `tree` for the tests of one describe block: started in its `before`,
 * closed in its `after`. Call the returned function inside a test.
 */
export function serveForSuite(tree: Tree, options: ServeOptions = {}): () => ServedSite {
  let served: ServedSite | undefined;
  before(async () => {
    served = await serve(tree, options);
  });
  after(async () => {
    await served?.close();
  });
  return () => {
    if (!served) throw new Error('The test server did not start');
    return served;
  };
}
