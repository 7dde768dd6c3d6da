/**
 * `pier serve [DIR]`: the engine without a window. One server, its URLs, a QR
 * code for the LAN, and one line per request.
 */
import path from 'node:path';
import { styleText } from 'node:util';

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import pkg from '../package.json' with { type: 'json' };
import { BalancePolicy, Caching, describeIssues, HeaderRule, Preset, ProxyRule, ServerOptions, type LogEntry, type ServerConfig } from './contract';
import { registerExportCommand } from './export-command';
import { checkFolder } from './folder';
import { formatBytes, formatClock, formatDuration } from './format';
import { pierDataDir } from './paths';
import { ServerInstance } from './server-instance';
import { serverNameFor } from './server-name';
import { TlsStore } from './tls';
import { registerTrustCommand } from './trust-command';
import { TRUST_PAGE_PATH } from './trust-page';

/** Exit codes: 0 stopped by the user, 1 could not serve, 2 usage error. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

class UsageError extends Error {}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('The port must be a number from 1 to 65535.');
  }
  return port;
}

function parseHeader(value: string, previous: HeaderRule[] = []): HeaderRule[] {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError('Write a header as "Name: value".');
  const parsed = HeaderRule.safeParse({ name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() });
  if (!parsed.success) throw new InvalidArgumentError(describeIssues(parsed.error));
  return [...previous, parsed.data];
}

function parsePreset(value: string, previous: Preset[] = []): Preset[] {
  const parsed = Preset.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(describeIssues(parsed.error));
  return [...previous, parsed.data];
}

/** `--proxy /api=http://127.0.0.1:3000,http://127.0.0.1:3001` (repeatable). */
function parseProxy(value: string, previous: ProxyRule[] = []): ProxyRule[] {
  const equals = value.indexOf('=');
  if (equals <= 0 || equals === value.length - 1) throw new InvalidArgumentError('Write a proxy rule as PREFIX=URL[,URL...], e.g. /api=http://127.0.0.1:3000.');
  const upstreams = value.slice(equals + 1).split(',').map((url) => url.trim()).filter(Boolean);
  const parsed = ProxyRule.safeParse({ prefix: value.slice(0, equals).trim(), upstreams });
  if (!parsed.success) throw new InvalidArgumentError(describeIssues(parsed.error));
  return [...previous, parsed.data];
}

function parseBalance(value: string): BalancePolicy {
  const parsed = BalancePolicy.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(describeIssues(parsed.error));
  return parsed.data;
}

function parseAuth(value: string): { username: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new InvalidArgumentError('Write the password as USER:PASS.');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

interface ServeFlags {
  port?: number;
  lan?: boolean;
  spa?: boolean;
  listing: boolean;
  cleanUrls?: boolean;
  cors?: boolean;
  compress: boolean;
  https?: boolean;
  auth?: { username: string; password: string };
  header?: HeaderRule[];
  preset?: Preset[];
  proxy?: ProxyRule[];
  balance?: BalancePolicy;
  liveReload?: boolean;
  caching: Caching;
  json?: boolean;
}

const useColor = (): boolean => Boolean(process.stdout.isTTY && process.stdout.hasColors?.());

function paint(format: Parameters<typeof styleText>[0], text: string): string {
  return useColor() ? styleText(format, text) : text;
}

const STATUS_COLOR = { 2: 'green', 3: 'cyan', 4: 'yellow', 5: 'red' } as const;

const str = JSON.stringify;
/**
 * One `--json` request line: `{"type":"request", …the LogEntry's fields}`.
 * Written out by hand because it runs for every request: the same text as
 * JSON.stringify({ type: 'request', ...entry }) at a fraction of the cost.
 */
function jsonLine(e: LogEntry): string {
  return `{"type":"request","seq":${e.seq},"time":${e.time},"method":${str(e.method)},"path":${str(e.path)},"status":${e.status},"bytes":${e.bytes},"ms":${e.ms},"ip":${str(e.ip)},"userAgent":${str(e.userAgent)},"referer":${str(e.referer)}${e.upstream === undefined ? '' : `,"upstream":${str(e.upstream)}`}}\n`;
}

/** "12:01:03 200 GET /index.html 2 ms 1.2 KB", and "→ http://127.0.0.1:3000" for a proxied request. */
export function requestLine(entry: LogEntry): string {
  const color = STATUS_COLOR[Math.floor(entry.status / 100) as keyof typeof STATUS_COLOR] ?? 'white';
  return [
    paint('dim', formatClock(entry.time)),
    paint(color, String(entry.status)),
    entry.method,
    entry.path,
    paint('dim', formatDuration(entry.ms)),
    paint('dim', formatBytes(entry.bytes)),
    ...(entry.upstream === undefined ? [] : [paint('dim', `→ ${entry.upstream}`)]),
  ].join(' ');
}

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Unwritten stdout above which request lines are dropped (and counted) instead of buffered. */
const STDOUT_BACKLOG_MAX = 1024 * 1024;

/**
 * Request lines for stdout that never pile up in memory: whoever reads our
 * output (a pipe into jq, a log collector) may stall, and Node would buffer
 * everything we write until it reads again. While more than
 * STDOUT_BACKLOG_MAX is waiting, whole batches are dropped and counted; once
 * stdout drains, `notice(count)` says how many were lost, before anything new.
 */
function boundedOutput(notice: (count: number) => string): (render: () => string, lines: number) => void {
  const out = process.stdout;
  let dropped = 0;
  let waiting = false;
  const flushNotice = () => {
    waiting = false;
    if (dropped === 0) return;
    out.write(notice(dropped));
    dropped = 0;
  };
  return (render, lines) => {
    if (out.writableLength > STDOUT_BACKLOG_MAX) {
      dropped += lines;
      if (!waiting) {
        waiting = true;
        out.once('drain', flushNotice);
      }
      return;
    }
    if (dropped > 0) flushNotice();
    out.write(render());
  };
}

/** The server options a command's flags describe (shared by `serve` and `export`). */
function serverOptionsFrom(root: string, flags: ServeFlags): ReturnType<typeof ServerOptions.safeParse> {
  return ServerOptions.safeParse({
    // Only a label: a folder whose name is blank or longer than a label may be
    // (Linux allows 255 bytes) is still a folder the user can serve.
    name: serverNameFor(root),
    root,
    port: flags.port ?? 'auto',
    lan: flags.lan ?? false,
    listing: flags.listing,
    spa: flags.spa ?? false,
    cleanUrls: flags.cleanUrls ?? false,
    cors: flags.cors ?? false,
    compress: flags.compress,
    caching: flags.caching,
    headers: flags.header ?? [],
    presets: flags.preset ?? [],
    proxies: (flags.proxy ?? []).map((rule) => ({ ...rule, policy: flags.balance ?? rule.policy })),
    liveReload: flags.liveReload ?? false,
    https: flags.https ?? false,
    auth: flags.auth ?? null,
  });
}

async function serve(dir: string, flags: ServeFlags): Promise<void> {
  const folder = await checkFolder(dir);
  if (!folder.ok) throw new CliFailure(folder.message);
  const options = serverOptionsFrom(folder.value, flags);
  if (!options.success) throw new UsageError(describeIssues(options.error));
  const config: ServerConfig = { ...options.data, id: 'cli' };
  const instance = new ServerInstance(config, { tls: new TlsStore(path.join(pierDataDir(), 'tls')) });
  instance.on('requestError', (error) => process.stderr.write(`pier: error while answering a request: ${String(error)}\n`));

  const started = await instance.start();
  if (!started.ok) throw new CliFailure(started.message);
  const { url, lanUrls } = started.value;

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(0); // a second Ctrl+C: don't wait for anything
    stopping = true;
    void instance.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // A proxy upstream going down or coming back: one line each (stderr; a JSON line with --json).
  const upstreamUp = new Map(started.value.upstreams.map((u) => [`${u.prefix} ${u.url}`, u.up]));
  instance.on('state', (state) => {
    for (const u of state.upstreams) {
      const key = `${u.prefix} ${u.url}`;
      if (upstreamUp.get(key) === u.up) continue;
      upstreamUp.set(key, u.up);
      if (flags.json) write(JSON.stringify({ type: 'upstream', prefix: u.prefix, url: u.url, up: u.up, error: u.lastError }));
      else process.stderr.write(u.up ? `pier: ${u.url} (${u.prefix}) is up again.\n` : `pier: ${u.url} (${u.prefix}) is down: ${u.lastError ?? 'no answer'}. Pier tries it again later.\n`);
    }
  });

  // The folder deleted or renamed while serving, and back again: say so, on
  // stdout as a JSON line with --json, on stderr otherwise.
  let broken = false;
  instance.on('state', (state) => {
    if (stopping) return;
    if (state.status === 'error' && state.error) {
      broken = true;
      if (flags.json) write(JSON.stringify({ type: 'error', code: state.error.code, message: state.error.message }));
      else process.stderr.write(`pier: ${state.error.message}\n`);
    } else if (state.status === 'running' && broken) {
      broken = false;
      if (flags.json) write(JSON.stringify({ type: 'serving', url: state.url }));
      else process.stderr.write(`pier: the folder is back; serving ${state.url ?? ''} again.\n`);
    }
  });

  if (flags.json) {
    write(JSON.stringify({ type: 'listening', url, lanUrls }));
    const output = boundedOutput((count) => `${JSON.stringify({ type: 'dropped', count })}\n`);
    instance.log.subscribe((batch) =>
      output(() => {
        let out = '';
        for (const entry of batch) out += jsonLine(entry);
        return out;
      }, batch.length),
    );
    return;
  }

  const home = process.env.HOME;
  const shown = home && folder.value.startsWith(home + path.sep) ? `~${folder.value.slice(home.length)}` : folder.value;
  write('');
  write(`  ${paint('bold', 'Pier')} is serving ${shown}`);
  write('');
  write(`  Local:  ${paint('cyan', url ?? '')}`);
  if (config.lan) {
    if (lanUrls.length === 0) write(`  LAN:    ${paint('yellow', 'no network connection found')}`);
    lanUrls.forEach((lanUrl, i) => write(`  ${i === 0 ? 'LAN:   ' : '       '} ${paint('cyan', lanUrl)}`));
    if (config.https && lanUrls[0]) {
      // Plain HTTP on purpose: a phone can't check the certificate before it trusts Pier's authority.
      const trustPage = `${new URL(lanUrls[0]).origin.replace(/^https:/, 'http:')}${TRUST_PAGE_PATH}`;
      write(`  Phone:  first trust Pier's certificates at ${paint('cyan', trustPage)}`);
    }
    // The QR code is drawn with terminal colours: only on a terminal, never into a file or pipe.
    if (lanUrls[0] && process.stdout.isTTY) {
      const { default: QRCode } = await import('qrcode');
      const qr = await QRCode.toString(lanUrls[0], { type: 'terminal', small: true });
      write('');
      write(qr.replace(/^/gm, '  ').trimEnd());
      write(`  Scan to open ${lanUrls[0]} on your phone.`);
    }
  } else {
    write(paint('dim', '  LAN:    off (use --lan to open it on your phone)'));
  }
  if (config.https) write(paint('dim', "  HTTPS:  signed by Pier's local certificate authority; `pier trust` makes this computer's browsers accept it"));
  if (config.liveReload) write('  Live reload: on (pages reload when you save)');
  for (const rule of config.proxies) {
    const policy = rule.upstreams.length > 1 ? paint('dim', ` (${rule.policy})`) : '';
    write(`  Proxy:  ${rule.prefix} → ${rule.upstreams.join(', ')}${policy}`);
  }
  if (config.auth) write(`  Password: on for user ${config.auth.username}`);
  const build = started.value.build;
  const missing = build?.presets.filter((preset) => !config.presets.includes(preset)) ?? [];
  if (build && missing.length > 0) {
    const what = build.kind === 'unity' ? 'a Unity WebGL build' : 'a Godot web export';
    write(paint('yellow', `  This looks like ${what} (${build.evidence}); it needs ${missing.map((preset) => `--preset ${preset}`).join(' ')}.`));
  }
  write('');
  write(paint('dim', '  Press Ctrl+C to stop.'));
  write('');
  const output = boundedOutput((count) => `${paint('yellow', `… ${count} log lines dropped (output was not being read)`)}\n`);
  instance.log.subscribe((batch) =>
    output(() => {
      let out = '';
      for (const entry of batch) out += `${requestLine(entry)}\n`;
      return out;
    }, batch.length),
  );
}

/** An expected failure: one line on stderr, exit code 1. */
class CliFailure extends Error {}

/** The options of one server, shared by `serve` and `export` (so each new one reaches both). */
function addServerOptions(command: Command): Command {
  return command
    .option('-p, --port <port>', 'port to listen on (default: the first free one from 8080)', parsePort)
    .option('--lan', 'listen on every network interface, so phones and colleagues can open it')
    .option('--spa', 'answer unknown routes (no file extension) with /index.html')
    .option('--no-listing', 'do not list folder contents')
    .option('--clean-urls', 'serve /page.html at /page')
    .option('--cors', 'allow every origin (Access-Control-Allow-Origin: *)')
    .option('--no-compress', 'do not compress text (brotli, gzip) nor send precompressed .br/.gz siblings')
    .option('--https', "serve over HTTPS with a certificate from Pier's local certificate authority (`pier trust` once makes browsers accept it)")
    .option('--auth <user:pass>', 'require this user name and password (HTTP Basic)', parseAuth)
    .option('-H, --header <"Name: value">', 'add a response header (repeatable)', parseHeader)
    .option(
      '--preset <name>',
      'what a kind of build needs (repeatable): cross-origin-isolated (COOP + COEP, for SharedArrayBuffer and WASM threads), unity (Unity WebGL: .br/.gz files sent with Content-Encoding and their real type)',
      parsePreset,
    )
    .option(
      '--proxy <prefix=url[,url...]>',
      'forward requests under PREFIX (and WebSocket upgrades) to these upstreams, e.g. /api=http://127.0.0.1:3000 (repeatable; several URLs are load-balanced)',
      parseProxy,
    )
    .option('--balance <policy>', 'how --proxy rules with several upstreams pick one: round-robin (default), least-connections, sticky', parseBalance)
    .option('--live-reload', 'watch the folder: open pages reload on save (a changed stylesheet is swapped in place)')
    .addOption(
      new Option('--caching <mode>', 'browser caching').choices(Caching.options).default('revalidate' satisfies Caching),
    );
}

export function buildProgram(): Command {
  const program = new Command('pier')
    .description('Serve a folder over HTTP, on this machine or your LAN.')
    .version(pkg.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  addServerOptions(
    program
      .command('serve')
      .description('serve a folder (the current one by default)')
      .argument('[dir]', 'the folder to serve', '.'),
  )
    .option('--json', 'print newline-delimited JSON instead of text')
    .action(async (dir: string, flags: ServeFlags) => serve(dir, flags));

  registerTrustCommand(program);
  registerExportCommand(program, {
    addServerOptions,
    serverOptionsFrom,
    usage: (message) => new UsageError(message),
    failure: (message) => new CliFailure(message),
  });
  program.action(() => program.help());
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander already printed the usage message.
      process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (error instanceof UsageError) {
      process.stderr.write(`pier: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    if (error instanceof CliFailure) {
      process.stderr.write(`pier: ${error.message}\n`);
      process.exit(EXIT_FAILURE);
    }
    throw error;
  }
}

// A closed pipe (`pier serve --json | head`) is a normal way to stop reading.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await main();
