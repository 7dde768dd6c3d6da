/**
 * The Caddy writer of `pier export`: one site block for a Caddyfile (Caddy
 * 2.6 and later). Everything sits in one `route` so it runs in the order
 * written, which is Pier's: preflight, password, dotfiles, proxies, method,
 * files.
 */
import { randomBytes, scryptSync } from 'node:crypto';

import type { ProxyRule } from './contract';
import { commonNotes, headerLines, hostPort, oneLine, proxyRules, responseHeaders, UNITY_TYPES, type ExportInput, type ExportResult } from './export-common';

/**
 * A Caddyfile token holding `text` literally. Braces are escaped (`\{`), or
 * Caddy would read `{…}` as a placeholder; the token is a backtick string
 * (no escapes at all) unless the text has a backtick, then a double-quoted
 * one (`\"`). A backslash right before a quote can't be written in either,
 * nor `{$` (Caddy replaces `{$NAME}` with an environment variable before it
 * reads any quoting): null, and the caller leaves the line out.
 */
export function caddyToken(text: string): string | null {
  if (text.includes('{$')) return null;
  const escaped = text.replace(/[{}]/g, (brace) => `\\${brace}`);
  if (!escaped.includes('`')) return `\`${escaped}\``;
  if (/\\"/.test(escaped) || escaped.endsWith('\\')) return null;
  return `"${escaped.replace(/"/g, '\\"')}"`;
}

/** Caddy's scrypt defaults (N=32768, r=8, p=1, 32-byte key): a hash `basicauth scrypt` checks. */
function scryptHash(password: string): { hash: string; salt: string } {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return { hash: key.toString('base64'), salt: salt.toString('base64') };
}

export function caddyExport(input: ExportInput): ExportResult {
  const { config, port, options } = input;
  const notes = commonNotes(input);
  const lines: string[] = [];
  const token = (text: string, what: string): string | null => {
    const out = caddyToken(text);
    if (out === null) notes.push(`${what} has {$ or a backslash before a quote, which a Caddyfile can't hold literally: left out.`);
    return out;
  };

  const site = config.https
    ? config.lan
      ? `https://:${port}`
      : `https://localhost:${port}, https://127.0.0.1:${port}`
    : `http://:${port}`;
  const body: string[] = [];
  if (!config.lan) body.push('bind 127.0.0.1');
  if (config.https) {
    body.push("# A certificate from Caddy's own local authority, like Pier's; for a public name, drop this line and Caddy gets one from Let's Encrypt.");
    body.push(config.lan ? 'tls internal {\n\t\ton_demand\n\t}' : 'tls internal');
    notes.push("HTTPS: `tls internal` uses Caddy's local authority; replace the site address with your domain for a public certificate.");
  }
  const root = token(config.root, 'The folder path');
  if (root === null) return { text: '', notes };
  body.push(`root * ${root}`);
  if (config.compress) {
    body.push('# Caddy 2.6 has no brotli encoder: zstd and gzip on the fly, with .br/.gz siblings sent as they are (file_server precompressed).');
    body.push('encode zstd gzip {\n\t\tminimum_length 256\n\t}');
    notes.push('Compression: Caddy compresses with zstd or gzip (no brotli encoder); precompressed .br/.gz files are sent as they are.');
  }
  const headerLinesOut: string[] = [];
  for (const { name, value } of responseHeaders(config)) {
    const out = token(value, `The header ${name}`);
    if (out !== null) headerLinesOut.push(`\t\t${name} ${out}`);
  }
  body.push(`header {\n${headerLinesOut.join('\n')}\n\t}`);
  if (config.liveReload) body.push('# Live reload has no production equivalent: left out.');

  const route: string[] = [];
  if (config.cors) {
    route.push(
      '# CORS preflight, before the password check (browsers send it without credentials).',
      '@pier_preflight method OPTIONS',
      'header @pier_preflight Access-Control-Allow-Methods "GET, HEAD, OPTIONS"',
      'header @pier_preflight Access-Control-Max-Age 600',
      'respond @pier_preflight 204',
    );
  }
  if (config.auth) {
    const user = token(config.auth.username, 'The user name');
    if (user !== null) {
      if (options.passwordHash) {
        route.push(`basicauth bcrypt Pier {\n\t\t\t${user} ${Buffer.from(options.passwordHash).toString('base64')}\n\t\t}`);
      } else {
        const { hash, salt } = scryptHash(config.auth.password);
        route.push('# scrypt (deprecated by Caddy): run `caddy hash-password` for a bcrypt hash and use `basicauth bcrypt` with it.');
        route.push(`basicauth scrypt Pier {\n\t\t\t${user} ${hash} ${salt}\n\t\t}`);
        notes.push('Basic auth: the password is an scrypt hash, which newer Caddy versions deprecate; `caddy hash-password` gives a bcrypt one.');
      }
    }
  }
  route.push(
    '# Dotfiles and dot-folders are never served, except /.well-known/.',
    '@pier_hidden_top {\n\t\t\tpath_regexp ^/\\.\n\t\t\tnot path /.well-known /.well-known/*\n\t\t}',
    'error @pier_hidden_top 404',
    '@pier_hidden_deep path_regexp ^/[^/]*/(?:.*/)?\\.',
    'error @pier_hidden_deep 404',
  );
  proxyRules(config).forEach((rule, i) => route.push(...proxyHandle(rule, i + 1, token)));
  route.push('@pier_write not method GET HEAD', 'error @pier_write 405');
  route.push(
    '# A folder asked for without its slash: 301 to it, as Pier does (file_server would answer 308).',
    ...redirect('pier_folder', ['not path */', 'file {path}/'], '{path}/'),
  );
  if (config.cleanUrls) {
    route.push(
      '# Clean URLs: /page.html (when it is there) redirects to /page, /docs/index.html to /docs/.',
      ...redirect('pier_html_index', ['path_regexp pier_index ^(.*/)index\\.html$', 'file'], '{re.pier_index.1}'),
      ...redirect('pier_html', ['path_regexp pier_html ^(.*)\\.html$', 'file'], '{re.pier_html.1}'),
    );
  }
  if (config.presets.includes('unity')) {
    route.push('# Unity WebGL: compressed build files go out as they are, with Content-Encoding and the type inside.');
    for (const { ext, type } of UNITY_TYPES) {
      for (const [suffix, coding] of [['br', 'br'], ['gz', 'gzip']] as const) {
        const name = `@pier_unity_${ext}_${suffix}`;
        route.push(`${name} path *.${ext}.${suffix}`, `header ${name} Content-Encoding ${coding}`, `header ${name} Content-Type ${type}`);
      }
    }
  }
  const tried = config.cleanUrls ? '{path} {path}.html' : '{path}';
  // `{path}/` too: Caddy's file matcher does not take "/sub/" for the folder otherwise.
  const existing = `${tried} {path}/`;
  if (config.spa) {
    route.push(
      '# SPA fallback: a route without a file extension gets /index.html; /missing.png stays 404.',
      `@pier_spa {\n\t\t\tnot file ${existing}\n\t\t\tnot path_regexp [^/]\\.[^/.]+$\n\t\t}`,
      'rewrite @pier_spa /index.html',
    );
  }
  if (config.cleanUrls) route.push(`try_files ${tried}`);
  const serverOptions = ['index index.html'];
  if (config.listing) serverOptions.push('browse');
  if (config.compress) serverOptions.push('precompressed br gzip');
  route.push(`file_server {\n${serverOptions.map((line) => `\t\t\t${line}`).join('\n')}\n\t\t}`);

  body.push(`route {\n${route.map((line) => `\t\t${line}`).join('\n')}\n\t}`);
  body.push(
    '# Errors: the site\'s own /404.html for a 404, as Pier does; a plain status line otherwise.',
    'handle_errors {\n\t\t@pier_404 expression `{err.status_code} == 404`\n\t\thandle @pier_404 {\n\t\t\trewrite * /404.html\n\t\t\tfile_server\n\t\t}\n\t\thandle {\n\t\t\trespond "{err.status_code} {err.status_text}" {err.status_code}\n\t\t}\n\t}',
  );

  const top = [...headerLines(input, 'caddy'), 'One site block for a Caddyfile (Caddy 2.6 or later): `caddy run --config Caddyfile`.', ...notes];
  lines.push(...top.map((line) => `# ${oneLine(line)}`), `${site} {`, ...body.map((line) => `\t${line}`), '}', '');
  return { text: lines.join('\n'), notes };
}

/**
 * A 301 to `to` for requests matching `conditions`, keeping the query as Pier
 * does: Caddy 2.6 has no "?query when there is one" placeholder, so one
 * matcher for requests with a query and one for those without.
 */
function redirect(name: string, conditions: string[], to: string): string[] {
  const block = (suffix: string, test: string) => `@${name}${suffix} {\n${[...conditions, `expression \`${test}\``].map((line) => `\t\t\t${line}`).join('\n')}\n\t\t}`;
  return [block('', '{query} == ""'), `redir @${name} ${to} 301`, block('_query', '{query} != ""'), `redir @${name}_query ${to}?{query} 301`];
}

function proxyHandle(rule: ProxyRule, n: number, token: (text: string, what: string) => string | null): string[] {
  const matcher = `@pier_proxy_${n}`;
  const prefix = rule.prefix === '/' ? '' : rule.prefix;
  const first = hostPort(rule.upstreams[0] as string);
  const out = [`# Proxy ${oneLine(rule.prefix)} → ${rule.upstreams.join(', ')} (${rule.policy}${rule.stripPrefix ? ', prefix stripped' : ''}).`];
  out.push(prefix ? `${matcher} path ${prefix} ${prefix}/*` : `${matcher} path *`);
  const inner: string[] = [];
  if (rule.stripPrefix && prefix) inner.push(`uri strip_prefix ${prefix}`);
  // Caddy's upstreams are addresses only: a base path in the URL becomes a rewrite.
  if (first.base) {
    const base = token(first.base, 'The upstream path');
    if (base !== null) inner.push(`rewrite * ${base.replace(/[`"]$/, '{uri}$&')}`);
  }
  const policy = { 'round-robin': 'round_robin', 'least-connections': 'least_conn', sticky: 'ip_hash' }[rule.policy];
  const addresses = rule.upstreams.map((upstream) => {
    const { scheme, host, port } = hostPort(upstream);
    return `${scheme === 'https' ? 'https://' : ''}${host}:${port}`;
  });
  const proxy = [
    `lb_policy ${policy}`,
    // Passive checks as Pier's: a failed request takes the upstream out for a while; retry another for up to the connect timeout.
    'fail_duration 10s',
    `lb_try_duration ${rule.connectTimeoutMs}ms`,
  ];
  if (rule.healthPath) {
    const health = token(rule.healthPath, 'The health check path');
    if (health !== null) proxy.push(`health_uri ${health}`, 'health_interval 5s');
  }
  if (!rule.keepHost) proxy.push('header_up Host {upstream_hostport}');
  proxy.push(`transport http {\n\t\t\t\t\tdial_timeout ${rule.connectTimeoutMs}ms\n\t\t\t\t\tresponse_header_timeout ${rule.timeoutMs}ms\n\t\t\t\t}`);
  inner.push(`reverse_proxy ${addresses.join(' ')} {\n${proxy.map((line) => `\t\t\t\t${line}`).join('\n')}\n\t\t\t}`);
  out.push(`handle ${matcher} {\n${inner.map((line) => `\t\t\t${line}`).join('\n')}\n\t\t}`);
  return out;
}
