/**
 * The upstream of the proxy case: nginx serving a 2 KB JSON file at a fixed
 * port, started once for the case and shared by every contender. nginx, not
 * a Node server, so that the upstream is never what limits the proxies: it
 * answers a small static file several times faster than any proxy in front of
 * it can forward one (two workers, no access log, keep-alive without limit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { NGINX } from './contenders';
import { probe } from './server-process';

/** Where the upstream listens (fixed, so every contender's config names the same one). */
export const UPSTREAM_PORT = 18_790;
/** What the proxy case asks for: forwarded as it is (no prefix stripped). */
export const UPSTREAM_PATH = '/api/data.json';
export const UPSTREAM_BYTES = 2 * 1024;

export interface Upstream {
  stop(): void;
}

export async function startUpstream(): Promise<Upstream> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pier-bench-upstream-'));
  const site = path.join(dir, 'site');
  mkdirSync(path.join(site, 'api'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><p>upstream</p>\n');
  writeFileSync(path.join(site, 'api', 'data.json'), `{"items":"${'x'.repeat(UPSTREAM_BYTES - 13)}"}\n`);
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp);
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'daemon off;',
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes 2;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  access_log off;',
      '  sendfile on;',
      '  keepalive_requests 1000000;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(tmp, t)};`),
      `  server { listen 127.0.0.1:${UPSTREAM_PORT}; root ${site}; }`,
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    const answer = await probe(UPSTREAM_PORT, UPSTREAM_PATH);
    if (answer?.status === 200) return { stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  stop();
  throw new Error(`the upstream nginx did not answer on 127.0.0.1:${UPSTREAM_PORT} (is the port taken?)`);
}
