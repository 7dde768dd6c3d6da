/**
 * For phones: `/.pier/trust`, a page offering Pier's local CA with the steps
 * to trust it on iOS and Android, and `/.pier/ca.crt`, the certificate
 * itself. Both are public (no password: nothing here is secret) and, on an
 * HTTPS server, also answered over plain HTTP on the same port, because a
 * phone that does not trust the CA yet cannot open the HTTPS page.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { errorHtml, escapeHtml, THEME } from './pages';
import type { PierEndpoint } from './pier-endpoints';
import type { PierResponse, ServerContext } from './pier-response';

/** The page's path and the certificate's, as phones and QR codes use them. */
export const TRUST_PAGE_PATH = '/.pier/trust';
export const CA_CERT_PATH = '/.pier/ca.crt';

// Pier's page look (pages.ts), a little larger for a phone.
const STYLE = `${THEME}
body{font-size:16px;line-height:1.55}
main{max-width:640px;margin:32px auto;padding:0 16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-bottom:14px}
h1{margin:0 0 6px;font-size:20px;font-weight:600}h2{margin:0 0 8px;font-size:16px;font-weight:600}
p{margin:0 0 10px}p:last-child{margin-bottom:0}ol{margin:0;padding-left:22px}li{margin:4px 0}
.muted{color:var(--muted);font-size:14px}
.fp{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all;color:var(--muted)}
.button{display:inline-block;background:var(--accent);color:#fff;border-radius:8px;padding:10px 16px;font-weight:600;text-decoration:none;margin:6px 0 10px}
a{color:var(--accent)}
`;

/** SHA-256 fingerprint of a PEM certificate, colon-separated hex (how phones show it). */
function fingerprintOf(caPem: string): string {
  return new X509Certificate(caPem).fingerprint256;
}

/** A file name naming whose CA it is: "pier-local-ca-laptop.crt". */
export function caFileName(caPem: string): string {
  const cn = /(?:^|\n)CN=(.*)/.exec(new X509Certificate(caPem).subject)?.[1] ?? '';
  const host = /@([^)]*)\)/.exec(cn)?.[1] ?? '';
  const safe = host.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return safe ? `pier-local-ca-${safe}.crt` : 'pier-local-ca.crt';
}

/** The page: download link, fingerprint, iOS and Android steps, and what trusting means. `httpsUrl` links onwards when known. */
export function trustPageHtml(caPem: string, httpsUrl: string | null): string {
  const fingerprint = fingerprintOf(caPem);
  const onwards = httpsUrl
    ? `<p>Once it is trusted, open <a href="${escapeHtml(httpsUrl)}">${escapeHtml(httpsUrl)}</a>.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trust Pier on this device</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="card">
<h1>Trust Pier on this device</h1>
<p>This server uses HTTPS with a certificate from a certificate authority that Pier made on the computer it runs on. Install that authority once and this phone or tablet opens every Pier server of that computer without a warning.</p>
<a class="button" href="${CA_CERT_PATH}">Download the certificate</a>
<p class="muted">Before you trust it, check that its SHA-256 fingerprint is the one Pier shows on the computer (<code>pier trust</code> prints it too):</p>
<p class="fp">${escapeHtml(fingerprint)}</p>
${onwards}
</div>
<div class="card">
<h2>iPhone and iPad</h2>
<ol>
<li>Open this page in Safari and tap <b>Download the certificate</b>, then <b>Allow</b>.</li>
<li>Open <b>Settings</b> → <b>Profile Downloaded</b> and tap <b>Install</b> (twice), entering your passcode.</li>
<li>Then <b>Settings</b> → <b>General</b> → <b>About</b> → <b>Certificate Trust Settings</b>, and switch it on for this certificate.</li>
</ol>
</div>
<div class="card">
<h2>Android</h2>
<ol>
<li>Tap <b>Download the certificate</b>.</li>
<li>Open <b>Settings</b> → <b>Security</b> → <b>Encryption &amp; credentials</b> → <b>Install a certificate</b> → <b>CA certificate</b>, and pick the downloaded file. (The names vary a little between phones; searching Settings for “certificate” finds it.)</li>
</ol>
</div>
<div class="card">
<h2>What trusting it means</h2>
<p>Whoever holds this authority's key could make certificates for any website that this device would accept, and so could impersonate any site to it. The key exists only on the computer running Pier and never leaves it, so that is whoever controls that computer. Remove the certificate when you no longer need it (iOS: Settings → General → VPN &amp; Device Management; Android: Encryption &amp; credentials → User credentials).</p>
</div>
<footer>Served by Pier</footer>
</main>
</body>
</html>
`;
}

const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // Inline styles only: no scripts, no other sources.
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
};

/**
 * The Host header as `host[:port]`, if it is one (a name, an IPv4 or a
 * bracketed IPv6 address, with an optional port); else null. Only such a
 * value may go into a Location header.
 */
export function hostOf(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (!host || host.length > 300) return null;
  return /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(:\d{1,5})?$/.test(host) ? host : null;
}

function send(res: PierResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'Content-Length': String(bytes.byteLength) });
  if (res.req.method === 'HEAD') res.end();
  else res.end(bytes);
}

function notHttps(res: PierResponse): void {
  send(res, 404, { 'Content-Type': 'text/html; charset=utf-8', ...PAGE_HEADERS }, errorHtml(404, 'This server does not use HTTPS, so there is no certificate to trust.'));
}

function onlyGet(res: PierResponse): boolean {
  const method = res.req.method;
  if (method === 'GET' || method === 'HEAD') return true;
  send(res, 405, { 'Content-Type': 'text/html; charset=utf-8', Allow: 'GET, HEAD', ...PAGE_HEADERS }, errorHtml(405, 'Only GET and HEAD are allowed here.'));
  return false;
}

/** `/.pier/trust` (public). */
export const trustPageEndpoint: PierEndpoint = (res, ctx) => {
  if (!onlyGet(res)) return;
  if (!ctx.caCert) return notHttps(res);
  const host = hostOf(res.req);
  const html = trustPageHtml(ctx.caCert, host ? `https://${host}/` : null);
  send(res, 200, { 'Content-Type': 'text/html; charset=utf-8', ...PAGE_HEADERS }, html);
};

/** `/.pier/ca.crt` (public): the CA certificate in DER, the form every phone's installer accepts. */
export const caCertEndpoint: PierEndpoint = (res, ctx) => {
  if (!onlyGet(res)) return;
  if (!ctx.caCert) return notHttps(res);
  send(
    res,
    200,
    {
      'Content-Type': 'application/x-x509-ca-cert',
      'Content-Disposition': `attachment; filename="${caFileName(ctx.caCert)}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    new X509Certificate(ctx.caCert).raw,
  );
};

/** The entries for `publicEndpoints` (pier-endpoints.ts): name after `/.pier/` → endpoint. */
export const trustEndpoints: ReadonlyArray<readonly [string, PierEndpoint]> = [
  ['trust', trustPageEndpoint],
  ['ca.crt', caCertEndpoint],
];

/**
 * What plain HTTP on an HTTPS server's port answers: the two trust endpoints,
 * and for everything else a 308 to the same path over https:// on the host
 * the client asked for. Each request is logged like any other.
 */
export function createPlainHttpHandler(ctx: ServerContext): (req: IncomingMessage, res: PierResponse) => void {
  return (req, res) => {
    res.ctx = ctx;
    res.startedAt = performance.now();
    const ip = req.socket.remoteAddress ?? '';
    res.ip = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    try {
      const url = req.url ?? '';
      const pathname = url.split('?', 1)[0];
      if (pathname === TRUST_PAGE_PATH) return void trustPageEndpoint(res, ctx, 'trust');
      if (pathname === CA_CERT_PATH) return void caCertEndpoint(res, ctx, 'ca.crt');
      const host = hostOf(req);
      if (!host || !url.startsWith('/')) {
        return send(res, 400, { 'Content-Type': 'text/html; charset=utf-8', ...PAGE_HEADERS }, errorHtml(400, 'This server speaks HTTPS; open it with https://.'));
      }
      send(res, 308, { Location: `https://${host}${url}`, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, `This server speaks HTTPS: https://${host}${url}\n`);
    } catch (error) {
      ctx.onError(error);
      if (!res.headersSent) send(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Pier could not answer this request.\n');
      else res.destroy();
    }
  };
}
