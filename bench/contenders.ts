/**
 * The servers bench/run.ts compares, and how each one is started: on
 * 127.0.0.1, serving the corpus, with caching switched off as far as it allows.
 * Logging is as a user would have it, and each note says which it is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
const NGINX = '/usr/sbin/nginx';

export interface LaunchContext {
  /** The corpus folder. */
  root: string;
  port: number;
  /** A private scratch folder for config files, pid files and logs. */
  workDir: string;
}

export interface Launch {
  command: string;
  args: string[];
  /**
   * `consume`: stdout is a pipe that the bench reads and throws away, as a
   * terminal or `| tee` would read it. `devnull`: stdout is /dev/null.
   */
  stdout: 'consume' | 'devnull';
  env?: Record<string, string>;
  /** Defaults to the scratch folder. */
  cwd?: string;
}

export interface Contender {
  name: string;
  /** Flags, logging and caching in one line, for the report. */
  note: string;
  /** Why it can't run on this machine, or null. */
  unavailable(): string | null;
  version(): string;
  launch(ctx: LaunchContext): Launch;
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
  return existsSync(path.join(REPO, 'node_modules', name, 'package.json')) ? null : `node_modules/${name} is not installed`;
}

const PIER_CLI = path.join(REPO, 'bin', 'pier.js');

function pier(name: string, output: 'json' | 'text'): Contender {
  return {
    name,
    note:
      output === 'json'
        ? '`pier serve --json --caching no-store`; one JSON line per request on stdout, read and discarded by the bench'
        : '`pier serve --caching no-store`; one text line per request on stdout, which is /dev/null',
    unavailable: () =>
      existsSync(path.join(REPO, 'dist', 'cli.js')) ? null : 'dist/cli.js is missing (run `npm run build`)',
    version: () => packageVersion(REPO),
    launch: ({ root, port }) => ({
      command: process.execPath,
      args: [PIER_CLI, 'serve', root, '--port', String(port), '--caching', 'no-store', ...(output === 'json' ? ['--json'] : [])],
      stdout: output === 'json' ? 'consume' : 'devnull',
    }),
  };
}

/**
 * The engine alone, without the CLI and with nobody subscribed to the request
 * log (entries still go into the ring buffer). A diagnostic: the difference to
 * `pier --json` is what printing the log costs.
 */
const pierEngine: Contender = {
  name: 'pier engine (no log output)',
  note:
    'bench/pier-engine.ts: ServerInstance with caching no-store and no log subscriber (requests still go into the ring buffer); ' +
    'run through tsx, which adds ~20 MB RSS',
  unavailable: () => null,
  version: () => packageVersion(REPO),
  launch: ({ root, port }) => ({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(REPO, 'bench', 'pier-engine.ts'), root, String(port)],
    stdout: 'consume',
    cwd: REPO, // where `--import tsx` is found
  }),
};

function serve(name: string, logging: boolean): Contender {
  return {
    name,
    note:
      `\`serve -n --no-etag -c serve.json${logging ? '' : ' -L'}\` (serve.json: Cache-Control: no-store on every path); ` +
      (logging ? 'request logging on (its default), stdout read and discarded' : 'request logging off'),
    unavailable: () => installed('serve'),
    version: () => packageVersion(path.join(REPO, 'node_modules', 'serve')),
    launch: ({ root, port, workDir }) => {
      // serve has no flag for caching; its config file is the way to set headers.
      const config = path.join(workDir, 'serve.json');
      writeFileSync(config, JSON.stringify({ headers: [{ source: '**', headers: [{ key: 'Cache-Control', value: 'no-store' }] }] }));
      return {
        command: process.execPath,
        args: [
          packageBin('serve', 'serve'),
          root,
          '-l',
          `tcp://127.0.0.1:${port}`,
          '-n',
          '--no-etag',
          '--no-port-switching',
          '-c',
          config,
          ...(logging ? [] : ['-L']),
        ],
        stdout: 'consume',
        env: { NO_UPDATE_CHECK: '1' }, // no network lookups during a bench
      };
    },
  };
}

const httpServer: Contender = {
  name: 'http-server',
  note: '`http-server -s -c-1`; logging off (-s), Cache-Control: no-cache, no-store, must-revalidate',
  unavailable: () => installed('http-server'),
  version: () => packageVersion(path.join(REPO, 'node_modules', 'http-server')),
  launch: ({ root, port }) => ({
    command: process.execPath,
    args: [packageBin('http-server', 'http-server'), root, '-p', String(port), '-a', '127.0.0.1', '-s', '-c-1'],
    stdout: 'consume',
  }),
};

const nginx: Contender = {
  name: 'nginx',
  note: `nginx, ${os.availableParallelism()} workers (one per core), access_log off, sendfile on, etag off, Cache-Control: no-store`,
  unavailable: () => (existsSync(NGINX) ? null : `${NGINX} is absent (apt-get install -y nginx to include it)`),
  version: () => {
    // nginx prints its version on stderr: "nginx version: nginx/1.22.1".
    const out = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
    return /nginx\/(\S+)/.exec(out.stderr)?.[1] ?? 'unknown';
  },
  launch: ({ root, port, workDir }) => {
    const tmp = path.join(workDir, 'nginx-tmp');
    mkdirSync(tmp, { recursive: true });
    const mimeTypes = '/etc/nginx/mime.types';
    const conf = path.join(workDir, 'nginx.conf');
    writeFileSync(
      conf,
      [
        'daemon off;',
        // Workers drop to `nobody` when nginx runs as root, and a mkdtemp folder is 0700.
        ...(process.getuid?.() === 0 ? ['user root;'] : []),
        `worker_processes ${os.availableParallelism()};`,
        `pid ${path.join(workDir, 'nginx.pid')};`,
        `error_log ${path.join(workDir, 'nginx-error.log')} warn;`,
        'events { worker_connections 1024; }',
        'http {',
        existsSync(mimeTypes) ? `  include ${mimeTypes};` : '  types { text/html html; text/plain txt; text/javascript js; }',
        '  default_type application/octet-stream;',
        '  access_log off;',
        '  sendfile on;',
        '  tcp_nopush on;',
        '  keepalive_requests 1000000;',
        '  etag off;',
        '  if_modified_since off;',
        '  add_header Cache-Control no-store;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(tmp, t)};`),
        '  server {',
        `    listen 127.0.0.1:${port};`,
        `    root ${root};`,
        '    index index.html;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    return {
      command: NGINX,
      args: ['-p', workDir, '-c', conf, '-e', path.join(workDir, 'nginx-error.log')],
      stdout: 'consume',
    };
  },
};

/** In the order they run. */
export const CONTENDERS: Contender[] = [
  pier('pier --json', 'json'),
  pier('pier (text → /dev/null)', 'text'),
  pierEngine,
  serve('serve', true),
  serve('serve -L', false),
  httpServer,
  nginx,
];
