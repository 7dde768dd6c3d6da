/**
 * Small upstream servers for the proxy tests: real node:http servers on
 * 127.0.0.1 that answer with their own name (or a handler of the test's),
 * and can be stopped and started again on the same port.
 */
import http from 'node:http';
import type net from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Upstream {
  name: string;
  port: number;
  url: string;
  /** Requests this upstream received (the last one last). */
  seen: http.IncomingMessage[];
  server: http.Server;
  /** Stop listening and drop every open connection. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
}

/** Answers `name` as text, unless `handler` answers. */
export async function startUpstream(name: string, handler?: Handler, port = 0): Promise<Upstream> {
  const seen: http.IncomingMessage[] = [];
  const listener: Handler = (req, res) => {
    seen.push(req);
    if (handler) return handler(req, res);
    req.resume();
    res.setHeader('content-type', 'text/plain');
    res.end(name);
  };
  let server = http.createServer(listener);
  const listen = (on: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(on, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const bound = await listen(port);
  const upstream: Upstream = {
    name,
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    seen,
    get server() {
      return server;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: async () => {
      server = http.createServer(listener);
      await listen(bound);
    },
  };
  return upstream;
}

