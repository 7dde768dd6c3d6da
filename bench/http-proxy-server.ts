/**
 * The plain reverse proxy the proxy case compares Pier with: http-proxy-3
 * (what Pier's proxy is built on) in a bare node:http server, with a
 * keep-alive agent, no logging and nothing else.
 *
 *   node --import tsx bench/http-proxy-server.ts PORT UPSTREAM_PORT
 */
import http from 'node:http';

import { createProxyServer } from 'http-proxy-3';

const [port, upstream] = process.argv.slice(2).map(Number);
if (!port || !upstream) {
  process.stderr.write('usage: http-proxy-server.ts PORT UPSTREAM_PORT\n');
  process.exit(2);
}
const proxy = createProxyServer({
  target: `http://127.0.0.1:${upstream}`,
  agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
});
proxy.on('error', (_error, _req, res) => {
  if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
});
http.createServer((req, res) => proxy.web(req, res)).listen(port, '127.0.0.1');
