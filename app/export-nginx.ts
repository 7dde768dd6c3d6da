/**
 * The nginx writer of `pier export`: a `server {}` block for sites-enabled,
 * with the http-context lines it needs (`geo`, `map`, `upstream`) before it.
 */
import type { ProxyRule } from './contract';
import {
  commonNotes,
  hasLineBreak,
  headerLines,
  hostPort,
  oneLine,
  proxyRules,
  responseHeaders,
  sshaEntry,
  UNITY_TYPES,
  type ExportFile,
  type ExportInput,
  type ExportResult,
} from './export-common';

/** What nginx's gzip compresses: the text types Pier compresses too (text/html always is). */
const GZIP_TYPES = 'text/plain text/css text/javascript application/javascript application/json application/xml text/xml image/svg+xml application/wasm';

/**
 * A double-quoted nginx string. `\` and `"` are escaped; in directives that
 * expand variables (`script`), a `$` becomes `${dollar}`, a variable whose
 * value is a literal "$" (nginx has no escape for it).
 */
function quote(text: string, dollar: string | null): string {
  let out = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  if (dollar) out = out.replace(/\$/g, `\${${dollar}}`);
  return `"${out}"`;
}

export function nginxExport(input: ExportInput): ExportResult {
  const { config, port, options } = input;
  const id = `pier_${port}`;
  const dollar = `${id}_dollar`;
  const notes = commonNotes(input);
  const files: ExportFile[] = [];
  const q = (text: string) => quote(text, dollar);
  let usesDollar = false;
  const qv = (text: string) => {
    if (text.includes('$')) usesDollar = true;
    return q(text);
  };

  const headers = responseHeaders(config).map(({ name, value }) => `add_header ${name} ${qv(value)} always;`);
  if (config.cors) headers.push(`add_header Access-Control-Allow-Methods $${id}_preflight always;`, `add_header Access-Control-Max-Age $${id}_preflight_age always;`);
  const methodGuard = 'if ($request_method !~ ^(GET|HEAD)$) { return 405; }';

  const server: string[] = [];
  const ssl = config.https ? ' ssl' : '';
  server.push(config.lan ? `listen ${port}${ssl};` : `listen 127.0.0.1:${port}${ssl};`);
  server.push('server_name _;');
  if (config.https) {
    const tls = options.tls ?? { certificate: '/etc/ssl/pier/cert.pem', key: '/etc/ssl/pier/key.pem' };
    if (!options.tls) {
      server.push("# Placeholders: point these at your certificate and key (Pier's own come from its local authority, for development only).");
      notes.push('HTTPS: the ssl_certificate and ssl_certificate_key lines point at placeholder paths; use your own certificate.');
    }
    server.push(`ssl_certificate ${qv(tls.certificate)};`, `ssl_certificate_key ${qv(tls.key)};`);
  }
  server.push(`root ${qv(config.root)};`, 'index index.html;', `autoindex ${config.listing ? 'on' : 'off'};`);
  // Pier names the charset of text ("text/html; charset=utf-8").
  // Redirects (/docs → /docs/) name only the path, as Pier's do, so they hold behind another proxy too.
  server.push('absolute_redirect off;');
  server.push('charset utf-8;', 'charset_types text/css text/plain text/xml text/javascript application/javascript application/json image/svg+xml;');
  if (config.caching === 'no-store') server.push('# no-store: no validators, as Pier sends none.', 'etag off;', 'if_modified_since off;');
  if (config.compress) {
    server.push('gzip on;', 'gzip_vary on;', 'gzip_min_length 256;', `gzip_types ${GZIP_TYPES};`, 'gzip_static on;');
    server.push('# Brotli needs a module nginx-light does not have (libnginx-mod-http-brotli): gzip only, and .gz siblings only.');
    notes.push('Compression: nginx sends gzip (and precompressed .gz files) only; brotli needs the ngx_brotli module.');
  }
  server.push('error_page 404 /404.html;');
  // A folder without index.html, listing off: nginx says 403, Pier 404.
  if (!config.listing) server.push('error_page 403 =404 /404.html;');
  server.push(...headers);
  if (config.cors) {
    server.push(
      '# CORS preflight, answered before the password check (browsers send it without credentials), as Pier does.',
      `set $${id}_preflight "";`,
      `set $${id}_preflight_age "";`,
      `if ($request_method = OPTIONS) { set $${id}_preflight "GET, HEAD, OPTIONS"; set $${id}_preflight_age 600; return 204; }`,
    );
  }
  if (config.auth) {
    if (hasLineBreak(config.auth.username)) {
      notes.push('Basic auth: the user name has a line break, which an htpasswd file cannot hold: left out.');
      server.push('# Basic auth left out: the user name has a line break, which an htpasswd file cannot hold.');
    } else {
      const file = `${(options.filesDir ?? '/etc/nginx').replace(/\/+$/, '')}/${id}.htpasswd`;
      // Salted SHA-1, not bcrypt: nginx checks the password on every request, and a bcrypt
      // check through crypt(3) at Caddy's cost (14) takes seconds of a worker's time.
      const hash = sshaEntry(config.auth.password);
      files.push({ name: file, content: `${config.auth.username}:${hash}\n` });
      server.push(`# Basic auth: copy the htpasswd file printed with this export to ${oneLine(file)} ({SSHA}: salted SHA-1; \`htpasswd -B -C 8\` makes a bcrypt one).`);
      server.push('auth_basic "Pier";', `auth_basic_user_file ${qv(file)};`);
      notes.push(`Basic auth: nginx reads the password from ${file} (printed with this export).`);
    }
  }
  if (config.liveReload) server.push('# Live reload has no production equivalent: left out.');

  server.push('', '# Dotfiles and dot-folders are never served, except /.well-known/.');
  server.push('location ~ "^/(?!\\.well-known(?:/|$))\\.|^/[^/]*/(?:.*/)?\\." { return 404; }');

  const http: string[] = [];
  const rules = proxyRules(config);
  if (rules.length > 0) {
    http.push(`map $http_upgrade ${'$'}${id}_connection { default upgrade; "" ""; }`);
    rules.forEach((rule, i) => {
      const name = `${id}_proxy_${i + 1}`;
      http.push(...upstreamBlock(rule, name, notes));
      server.push('', ...proxyLocations(rule, name, id, qv, notes));
    });
  }

  if (config.presets.includes('unity')) {
    server.push('', '# Unity WebGL: compressed build files go out as they are, with Content-Encoding and the type inside.');
    for (const { ext, type } of UNITY_TYPES) {
      for (const [suffix, coding] of [['br', 'br'], ['gz', 'gzip']] as const) {
        server.push(`location ~ "\\.${ext}\\.${suffix}$" {`, '    gzip off;', `    types { } default_type ${type};`);
        server.push(`    add_header Content-Encoding ${coding} always;`, ...headers.map((line) => `    ${line}`), `    ${methodGuard}`, '    try_files $uri =404;', '}');
      }
    }
  }
  if (config.cleanUrls) {
    server.push(
      '',
      '# Clean URLs: /page.html (asked for by name, and there) redirects to /page, /docs/index.html to /docs/.',
      'location ~ "\\.html$" {',
      `    ${methodGuard}`,
      `    set $${id}_clean "";`,
      `    if (-f $request_filename) { set $${id}_clean file; }`,
      `    if ($request_uri !~ "\\.html(?:\\?|$)") { set $${id}_clean ""; }`,
      `    if ($${id}_clean = file) { rewrite ^(.*/)index\\.html$ $1 permanent; rewrite ^(.*)\\.html$ $1 permanent; }`,
      '    try_files $uri =404;',
      '}',
    );
  }
  if (!rules.some((rule) => rule.prefix === '/')) {
    const fallback = config.spa ? `@${id}_spa` : '=404';
    server.push('', 'location / {', `    ${methodGuard}`, `    try_files $uri $uri/${config.cleanUrls ? ' $uri.html' : ''} ${fallback};`, '}');
    if (config.spa) {
      server.push(
        '',
        '# SPA fallback: a route without a file extension gets /index.html; /missing.png stays 404.',
        `location ${fallback} {`,
        '    if ($uri ~ "[^/]\\.[^/.]+$") { return 404; }',
        '    try_files /index.html =404;',
        '}',
      );
    }
  }

  const top = [...headerLines(input, 'nginx'), 'A server block for sites-enabled (inside http {}); the lines before it belong to http {} too.', ...notes];
  const lines = top.map((line) => `# ${oneLine(line)}`);
  if (usesDollar) lines.push(`geo ${'$'}${dollar} { default "$"; }`);
  lines.push(...http, 'server {', ...server.map((line) => (line ? `    ${line}` : '')), '}', '');
  return { text: lines.join('\n'), notes, ...(files.length > 0 ? { files } : {}) };
}

function upstreamBlock(rule: ProxyRule, name: string, notes: string[]): string[] {
  const lines = [`upstream ${name} {`];
  if (rule.policy === 'least-connections') lines.push('    least_conn;');
  if (rule.policy === 'sticky') lines.push('    ip_hash;');
  for (const upstream of rule.upstreams) {
    const { host, port } = hostPort(upstream);
    // Passive checks: one failure takes it out for 10 s.
    lines.push(`    server ${host}:${port} max_fails=1 fail_timeout=10s;`);
  }
  lines.push('    keepalive 16;', '}');
  if (rule.healthPath) {
    lines.splice(1, 0, `    # Pier checks ${oneLine(rule.healthPath)} on each upstream; nginx OSS has no active health checks (max_fails/fail_timeout only).`);
    notes.push(`Proxy ${rule.prefix}: nginx OSS has no active health checks; only failed requests take an upstream out.`);
  }
  return lines;
}

function proxyLocations(rule: ProxyRule, name: string, id: string, q: (text: string) => string, notes: string[]): string[] {
  const first = hostPort(rule.upstreams[0] as string);
  const all = rule.upstreams.map(hostPort);
  if (all.some((u) => u.scheme !== first.scheme || u.base !== first.base)) {
    notes.push(`Proxy ${rule.prefix}: nginx uses one scheme and path for all upstreams of a rule (those of ${rule.upstreams[0]}).`);
  }
  const defaultPort = first.scheme === 'https' ? 443 : 80;
  const upstreamHost = first.port === defaultPort ? first.host : `${first.host}:${first.port}`;
  if (!rule.keepHost && all.some((u) => u.host !== first.host || u.port !== first.port) && rule.upstreams.length > 1) {
    notes.push(`Proxy ${rule.prefix}: nginx sends the same Host (${upstreamHost}) to every upstream.`);
  }
  const prefix = rule.prefix === '/' ? '' : rule.prefix;
  // With a URI part, proxy_pass replaces the matched prefix with it.
  const target = (matched: string) => {
    const uri = rule.stripPrefix ? `${first.base}/` : first.base ? `${first.base}${matched}` : '';
    return `${first.scheme}://${name}${uri}`;
  };
  const body = (matched: string) => [
    `    proxy_pass ${q(target(matched))};`,
    '    proxy_http_version 1.1;',
    `    proxy_set_header Host ${rule.keepHost ? '$http_host' : q(upstreamHost)};`,
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_set_header X-Forwarded-Proto $scheme;',
    '    proxy_set_header X-Forwarded-Host $http_host;',
    '    proxy_set_header Upgrade $http_upgrade;',
    `    proxy_set_header Connection $${id}_connection;`,
    `    proxy_connect_timeout ${Math.min(rule.connectTimeoutMs, 75_000)}ms;`,
    `    proxy_read_timeout ${rule.timeoutMs}ms;`,
    `    proxy_send_timeout ${rule.timeoutMs}ms;`,
    ...(first.scheme === 'https' ? ['    proxy_ssl_server_name on;'] : []),
  ];
  const comment = `# Proxy ${oneLine(rule.prefix)} → ${rule.upstreams.join(', ')} (${rule.policy}${rule.stripPrefix ? ', prefix stripped' : ''}).`;
  if (!prefix) return [comment, 'location / {', ...body('/'), '}'];
  return [comment, `location ^~ ${quote(`${prefix}/`, null)} {`, ...body(`${prefix}/`), '}', `location = ${quote(prefix, null)} {`, ...body(prefix), '}'];
}
