/**
 * nginx and Caddy run from `pier export` output, for export.test.ts: each is
 * checked (`nginx -t`, `caddy validate`) and then started on 127.0.0.1, with
 * every file it writes (pid, logs, temp, Caddy's data) in a temp folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { pollUntil } from '../helpers/proc';

export const NGINX = '/usr/sbin/nginx';

/** The caddy binary on PATH, or null. */
export function caddyPath(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v caddy'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  return found.status === 0 && bin ? bin : null;
}

export const nginxMissing = (): string | null => (existsSync(NGINX) ? null : 'nginx is not installed: apt-get install -y nginx-light');
export const caddyMissing = (): string | null => (caddyPath() ? null : 'caddy is not installed: apt-get install -y caddy');

export interface Running {
  port: number;
  stop(): Promise<void>;
}

async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const up = await pollUntil(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    10_000,
  );
  if (!up || child.exitCode !== null) throw new Error(`did not start listening on ${port}:\n${log()}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** The whole nginx.conf around an exported server block. */
export function nginxConf(dir: string, serverBlock: string): string {
  return [
    'daemon off;',
    // As root, workers would drop to `nobody`, who can't enter a 0700 mkdtemp folder.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(dir, `${t}-temp`)};`),
    serverBlock,
    '}',
    '',
  ].join('\n');
}

/** `nginx -t` on the exported block: the exit status and what nginx said. */
export async function nginxCheck(dir: string, serverBlock: string): Promise<{ ok: boolean; output: string; conf: string }> {
  await mkdir(dir, { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, nginxConf(dir, serverBlock));
  const out = spawnSync(NGINX, ['-t', '-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { encoding: 'utf8', timeout: 10_000 });
  return { ok: out.status === 0, output: `${out.stdout}${out.stderr}`, conf };
}

export async function runNginx(dir: string, serverBlock: string, port: number): Promise<Running> {
  const checked = await nginxCheck(dir, serverBlock);
  if (!checked.ok) throw new Error(`nginx -t failed:\n${checked.output}`);
  let log = '';
  const child = spawn(NGINX, ['-p', dir, '-c', checked.conf, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await listening(port, child, () => log);
  return { port, stop: stopper(child) };
}

/** Caddy with its home, config and data in `dir`: nothing written to the real home, no trust store touched. */
function caddyEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config') };
}

/** A Caddyfile around an exported site block: no admin endpoint, no trust-store install. */
export function caddyfile(siteBlock: string): string {
  return `{\n\tadmin off\n\tskip_install_trust\n}\n${siteBlock}`;
}

export async function caddyCheck(dir: string, siteBlock: string): Promise<{ ok: boolean; output: string; file: string }> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'Caddyfile');
  await writeFile(file, caddyfile(siteBlock));
  const out = spawnSync(caddyPath() as string, ['validate', '--adapter', 'caddyfile', '--config', file], {
    encoding: 'utf8',
    timeout: 20_000,
    env: caddyEnv(dir),
    cwd: dir,
  });
  return { ok: out.status === 0, output: `${out.stdout}${out.stderr}`, file };
}

export async function runCaddy(dir: string, siteBlock: string, port: number): Promise<Running> {
  const checked = await caddyCheck(dir, siteBlock);
  if (!checked.ok) throw new Error(`caddy validate failed:\n${checked.output}`);
  let log = '';
  const child = spawn(caddyPath() as string, ['run', '--adapter', 'caddyfile', '--config', checked.file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: caddyEnv(dir),
    cwd: dir,
  });
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await listening(port, child, () => log);
  return { port, stop: stopper(child) };
}
