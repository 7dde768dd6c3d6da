/**
 * What the two export writers (export-caddy.ts, export-nginx.ts) share: the
 * option types, the headers every response gets, the opening comment.
 */
import { createHash, randomBytes } from 'node:crypto';

import type { ServerOptions } from './contract';

export type ExportTarget = 'caddy' | 'nginx';

export interface ExportOptions {
  /** The port to listen on when the config says 'auto' (default 8080). */
  port?: number;
  /**
   * Caddy: a bcrypt hash of the Basic auth password (`$2a$…`, as
   * `caddy hash-password` prints it). Without it, Caddy gets an scrypt hash
   * made here. nginx always gets a salted SHA-1 (`{SSHA}`) htpasswd entry:
   * it checks on every request, and bcrypt through crypt(3) at cost 14 takes
   * seconds each time.
   */
  passwordHash?: string;
  /** nginx: the folder the htpasswd file will be copied to (default /etc/nginx). */
  filesDir?: string;
  /** nginx with HTTPS: certificate and key paths (default: placeholders under /etc/ssl/pier/). */
  tls?: { certificate: string; key: string };
}

/** A file the exported config refers to (nginx's htpasswd file). */
export interface ExportFile {
  name: string;
  content: string;
}

export interface ExportResult {
  /** The config, starting with a comment that says where it came from. */
  text: string;
  /** Files the config refers to, to be written next to it (the name is the path the config uses). */
  files?: ExportFile[];
  /** What has no equivalent, or needs the user's attention, one sentence each (also in the text as comments). */
  notes: string[];
}

/** What a writer gets: the options with every default filled in. */
export interface ExportInput {
  config: ServerOptions;
  port: number;
  options: ExportOptions;
}

/** The opening comment lines (without comment markers) both formats share. */
export function headerLines(input: ExportInput, target: ExportTarget): string[] {
  const { config } = input;
  return [
    `Written by Pier (pier export --to ${target}) from the server "${oneLine(config.name)}"`,
    `serving the folder ${oneLine(config.root)}.`,
  ];
}

/** The notes that hold for both targets. */
export function commonNotes(input: ExportInput): string[] {
  const { config } = input;
  const notes: string[] = [];
  if (config.port === 'auto' && input.options.port === undefined) notes.push(`The server's port is 'auto': the export listens on ${input.port}.`);
  if (config.liveReload) notes.push('Live reload has no production equivalent: it is left out.');
  return notes;
}

/** A name or path shown in a comment: one line, no control characters. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** The `Cache-Control` value Pier sends for files. */
export const CACHE_CONTROL = { revalidate: 'no-cache', 'no-store': 'no-store', 'max-age': 'public, max-age=3600' } as const;

/** The headers every response gets, after Pier's own (custom headers replace same-named ones). */
export function responseHeaders(config: ServerOptions): Array<{ name: string; value: string }> {
  const headers: Array<{ name: string; value: string }> = [];
  if (config.cors) headers.push({ name: 'Access-Control-Allow-Origin', value: '*' });
  headers.push({ name: 'X-Content-Type-Options', value: 'nosniff' });
  headers.push({ name: 'Cache-Control', value: CACHE_CONTROL[config.caching] });
  if (config.presets.includes('cross-origin-isolated')) {
    headers.push({ name: 'Cross-Origin-Opener-Policy', value: 'same-origin' }, { name: 'Cross-Origin-Embedder-Policy', value: 'require-corp' });
  }
  for (const custom of config.headers) {
    const lower = custom.name.toLowerCase();
    for (let i = headers.length - 1; i >= 0; i--) if (headers[i]?.name.toLowerCase() === lower) headers.splice(i, 1);
    headers.push(custom);
  }
  return headers;
}

/** The kinds of file a Unity WebGL build ships compressed, with the type of what is inside. */
export const UNITY_TYPES: Array<{ ext: string; type: string }> = [
  { ext: 'data', type: 'application/octet-stream' },
  { ext: 'wasm', type: 'application/wasm' },
  { ext: 'js', type: 'text/javascript' },
  { ext: 'json', type: 'application/json' },
];

/** Proxy rules longest prefix first, as Pier matches them. */
export function proxyRules(config: ServerOptions): ServerOptions['proxies'] {
  return [...config.proxies].sort((a, b) => b.prefix.length - a.prefix.length);
}

/** host:port of an upstream URL, with the scheme's default port filled in. */
export function hostPort(upstream: string): { scheme: 'http' | 'https'; host: string; port: number; base: string } {
  const url = new URL(upstream);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  return { scheme, host: url.hostname, port, base: url.pathname.replace(/\/+$/, '') };
}

/**
 * A salted SHA-1 htpasswd entry (`{SSHA}`), which nginx reads without any
 * module. Weaker than bcrypt: a bcrypt hash given in the options is used instead.
 */
export function sshaEntry(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** The line break a user name must not have to fit in a config line or an htpasswd file. */
export const hasLineBreak = (text: string): boolean => /[\r\n\0]/.test(text);
