/**
 * The servers bench/run.ts compares, and how each one is started: on
 * 127.0.0.1, serving the corpus, otherwise with its defaults. Each note says
 * how it logs, because logging is a large part of a small request's cost.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const NGINX = '/usr/sbin/nginx';
const PIER_CLI = path.join(REPO, 'dist', 'cli.js');

export interface LaunchContext {
  /** The corpus folder. */
  root: string;
  port: number;
  /** A private scratch folder for config files, pid files and logs. */
  workDir: string;
  /** In the proxy case: the port of the upstream (bench/upstream.ts) that /api/ goes to; null otherwise. */
  upstream: number | null;
}

export interface Launch {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Defaults to the scratch folder. */
  cwd?: string;
}

export interface Contender {
  /** What tables and `--only=` call it. */
  name: string;
  /** Flags and logging in one line, for the report. */
  note: string;
  /** Why it can't run on this machine, or null. */
  unavailable(): string | null;
  version(): string;
  /** Stdout is always a pipe that the bench reads and throws away, as a terminal or `| tee` would. */
  launch(ctx: LaunchContext): Launch;
  /** Why it can't run the proxy case (no reverse proxy), or null when it can. */
  noProxy(): string | null;
  /** Only a proxy: it runs the proxy case and nothing else (no files, no startup figure). */
  proxyOnly?: boolean;
}

function packageVersion(dir: string): string {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The script of a package's bin, so the spawned pid is the server's own node process. */
function packageBin(name: string, bin: string): string {
  const dir = path.join(REPO, 'node_modules', name);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin[bin];
  if (!rel) throw new Error(`${name} has no bin called ${bin}`);
  return path.join(dir, rel);
}

function installed(name: string): string | null {
  return existsSync(path.join(REPO, 'node_modules', name, 'package.json')) ? null : `node_modules/${name} is not installed (npm ci)`;
}

export function nginxVersion(): string | null {
  // nginx prints its version on stderr: "nginx version: nginx/1.22.1".
  const out = spawnSync(NGINX, ['-v'], { encoding: 'utf8', timeout: 5_000 });
  return out.error ? null : (/nginx\/(\S+)/.exec(out.stderr)?.[1] ?? 'unknown');
}

const pier: Contender = {
  name: 'pier',
  note: '`node dist/cli.js serve DIR --port N --json`: request logging on, one JSON line per request on stdout, read and discarded by the bench',
  unavailable: () => (existsSync(PIER_CLI) ? null : 'dist/cli.js is missing (run `npm run build`)'),
  version: () => packageVersion(REPO),
  launch: ({ root, port, upstream }) => ({
    command: process.execPath,
    args: [PIER_CLI, 'serve', root, '--port', String(port), '--json', ...(upstream ? ['--proxy', `/api=http://127.0.0.1:${upstream}`] : [])],
  }),
  // The flag came with the proxy rules: an older build has no --proxy.
  noProxy: () => (existsSync(PIER_CLI) && readFileSync(PIER_CLI, 'utf8').includes('--proxy <prefix') ? null : 'dist/cli.js has no --proxy (run `npm run build`)'),
};

const nginx: Contender = {
  name: 'nginx',
  note:
    'generated nginx.conf: `worker_processes 1`, access_log off, sendfile on, autoindex on, keepalive_requests 1000000, ' +
    'gzip on for text/javascript at its default level 1 (nginx-light has no brotli; it compresses every response anew), ' +
    'listen 127.0.0.1, daemon off, pid and error log in a temp folder',
  unavailable: () => (existsSync(NGINX) ? null : `${NGINX} is absent (apt-get install -y nginx-light)`),
  noProxy: () => null,
  version: () => nginxVersion() ?? 'unknown',
  launch: ({ root, port, workDir, upstream }) => {
    const tmp = path.join(workDir, 'nginx-tmp');
    mkdirSync(tmp, { recursive: true });
    const mimeTypes = '/etc/nginx/mime.types';
    const conf = path.join(workDir, 'nginx.conf');
    writeFileSync(
      conf,
      [
        'daemon off;',
        // As root, workers would drop to `nobody`, who can't enter a 0700 mkdtemp folder.
        ...(process.getuid?.() === 0 ? ['user root;'] : []),
        'worker_processes 1;',
        `pid ${path.join(workDir, 'nginx.pid')};`,
        `error_log ${path.join(workDir, 'nginx-error.log')} warn;`,
        'events { worker_connections 1024; }',
        'http {',
        existsSync(mimeTypes) ? `  include ${mimeTypes};` : '  types { text/html html; text/javascript js; }',
        '  default_type application/octet-stream;',
        '  access_log off;',
        '  sendfile on;',
        // Node's servers don't close a keep-alive connection after N requests; nginx's default is 1000.
        '  keepalive_requests 1000000;',
        // Off by default; on, so the Accept-Encoding case compares compressing servers.
        '  gzip on;',
        '  gzip_types text/javascript application/javascript;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(tmp, t)};`),
        '  server {',
        `    listen 127.0.0.1:${port};`,
        `    root ${root};`,
        '    index index.html;',
        '    autoindex on;',
        // The proxy case: HTTP/1.1 and keep-alive to the upstream, as Pier's agent keeps its sockets.
        ...(upstream
          ? [
              `    location /api/ { proxy_pass http://pier_bench_upstream; proxy_http_version 1.1; proxy_set_header Connection ""; }`,
            ]
          : []),
        '  }',
        ...(upstream ? [`  upstream pier_bench_upstream { server 127.0.0.1:${upstream}; keepalive 64; }`] : []),
        '}',
        '',
      ].join('\n'),
    );
    // -e: the error log before the config is read, so nothing is written to /var/log/nginx.
    return { command: NGINX, args: ['-p', workDir, '-c', conf, '-e', path.join(workDir, 'nginx-error.log')] };
  },
};

const serve: Contender = {
  name: 'serve',
  note: '`serve DIR -l tcp://127.0.0.1:N -n --no-port-switching`: request logging on (its default), stdout read and discarded',
  unavailable: () => installed('serve'),
  noProxy: () => 'a static file server only',
  version: () => packageVersion(path.join(REPO, 'node_modules', 'serve')),
  launch: ({ root, port }) => ({
    command: process.execPath,
    args: [packageBin('serve', 'serve'), root, '-l', `tcp://127.0.0.1:${port}`, '-n', '--no-port-switching'],
    env: { NO_UPDATE_CHECK: '1' }, // no network lookups during a bench
  }),
};

const httpServer: Contender = {
  name: 'http-server',
  note: '`http-server DIR -p N -a 127.0.0.1`: request logging on (its default), stdout read and discarded',
  unavailable: () => installed('http-server'),
  noProxy: () => 'its --proxy is only a fallback for missing files',
  version: () => packageVersion(path.join(REPO, 'node_modules', 'http-server')),
  launch: ({ root, port }) => ({
    command: process.execPath,
    args: [packageBin('http-server', 'http-server'), root, '-p', String(port), '-a', '127.0.0.1'],
  }),
};

/**
 * The engine alone, without the CLI and with nobody subscribed to the request
 * log: the difference to `pier` is what the CLI and printing the log cost.
 * A diagnostic, run only when `--only=` names it.
 */
const pierEngine: Contender = {
  name: 'pier-engine',
  note: 'bench/pier-engine.ts: ServerInstance with no log subscriber, run through tsx (diagnostic)',
  unavailable: () => null,
  noProxy: () => 'bench/pier-engine.ts sets no proxy rule',
  version: () => packageVersion(REPO),
  launch: ({ root, port }) => ({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(REPO, 'bench', 'pier-engine.ts'), root, String(port)],
    cwd: REPO, // where `--import tsx` is found
  }),
};

/** The proxy case's baseline: a bare http-proxy-3 server in front of the same upstream. */
const httpProxy: Contender = {
  name: 'http-proxy',
  note: 'bench/http-proxy-server.ts: http-proxy-3 in a bare node:http server, keep-alive agent, no logging; the proxy case only',
  unavailable: () => installed('http-proxy-3'),
  noProxy: () => null,
  proxyOnly: true,
  version: () => packageVersion(path.join(REPO, 'node_modules', 'http-proxy-3')),
  launch: ({ port, upstream }) => ({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(REPO, 'bench', 'http-proxy-server.ts'), String(port), String(upstream ?? 0)],
    cwd: REPO,
  }),
};

/** Run by default, in this order; the report's ratios are pier's to each of the others. */
export const CONTENDERS: Contender[] = [pier, nginx, serve, httpServer, httpProxy];
/** Run only when `--only=` names them. */
export const EXTRA_CONTENDERS: Contender[] = [pierEngine];
