/**
 * Clients that misbehave on purpose, for the attack tests: one that hangs up
 * as soon as it has the headers, one that reads at most a few bytes of a body
 * (so a server that sends 2 GB where it should send 200 bytes fails the test
 * instead of filling the test's memory), and a bounded pool to run many of
 * them. All of them talk to 127.0.0.1 only and always destroy their sockets.
 */
import http from 'node:http';
import net from 'node:net';
import { Worker } from 'node:worker_threads';

/**
 * Send one request on a fresh socket, wait for the response's header block,
 * then destroy the socket without reading the body. Resolves with the status
 * (0 when the server closed or `timeoutMs` passed before the headers came).
 */
export function hangUpAfterHeaders(port: number, target: string, headers: Record<string, string> = {}, timeoutMs = 3_000): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (status: number) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => finish(0), timeoutMs);
    socket.on('connect', () => {
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join('')}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) finish(Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0));
    });
    socket.on('error', () => finish(0));
    socket.on('close', () => finish(0));
  });
}

export interface CappedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The first `maxBody + 1` bytes of the body at most. */
  bytes: Buffer;
  /** True when the body was longer than `maxBody` and the client hung up. */
  cut: boolean;
}

/**
 * GET `target` and read at most `maxBody + 1` body bytes; past that, destroy
 * the connection and report `cut`. For answers that must be short.
 */
export function requestCapped(
  port: number,
  target: string,
  options: { headers?: http.OutgoingHttpHeaders; maxBody?: number; timeoutMs?: number } = {},
): Promise<CappedResponse> {
  const { headers = {}, maxBody = 1024, timeoutMs = 5_000 } = options;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, headers, agent: false });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`No answer to GET ${target} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const done = (cut: boolean) => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks), cut });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length > maxBody) {
          done(true);
          req.destroy();
        }
      });
      res.on('error', () => {
        // Our own destroy above; the answer is already out.
      });
      res.on('end', () => done(false));
    });
    req.end();
  });
}

/** Run `task(i)` for i = 0 … count-1 with at most `concurrency` at a time; resolves with the results in order. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/**
 * A tight loop of synchronous file-system calls on its own thread (so it
 * neither blocks the event loop the in-process server runs on nor takes a
 * thread of libuv's pool), until `stop()`. `body` is the loop body as
 * JavaScript, run with `fs` and `path` in scope and `dir` set to `dir`.
 * `stop()` resolves with the number of rounds done, after `cleanup` (also
 * JavaScript, same scope) has run on the worker.
 */
export function fsChurn(dir: string, body: string, cleanup = ''): { stop: () => Promise<number> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const fs = require('node:fs');
    const path = require('node:path');
    const { parentPort, workerData } = require('node:worker_threads');
    const dir = workerData.dir;
    const flag = workerData.flag;
    let rounds = 0;
    let errors = 0;
    while (Atomics.load(flag, 0) === 0) {
      try { ${body} } catch { errors++; }
      rounds++;
    }
    try { ${cleanup} } catch {}
    parentPort.postMessage({ rounds, errors });
  `;
  const worker = new Worker(code, { eval: true, workerData: { dir, flag } });
  const finished = new Promise<number>((resolve, reject) => {
    worker.once('message', (message: { rounds: number }) => resolve(message.rounds));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The file-system churn thread exited early (${code})`)));
  });
  finished.catch(() => undefined); // reported through stop()
  return {
    stop: async () => {
      Atomics.store(flag, 0, 1);
      try {
        return await finished;
      } finally {
        await worker.terminate();
      }
    },
  };
}

/**
 * Keep-alive load that is cheap for the client: `connections` raw sockets,
 * each writing `depth` requests at once and the next batch when all of them
 * are answered, until `count` requests are sent or `deadline` (epoch ms)
 * passes. Responses must be small; they are counted by their status lines.
 * Resolves with how many were sent and how many answered 200.
 */
export async function pipelinedLoad(
  port: number,
  options: { count: number; deadline: number; request: (i: number) => string; connections?: number; depth?: number },
): Promise<{ sent: number; ok: number; other: number }> {
  const { count, deadline, request, connections = 8, depth = 8 } = options;
  let sent = 0;
  let ok = 0;
  let other = 0;
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((resolve) => {
          const socket = net.connect({ host: '127.0.0.1', port });
          let pending = 0;
          let tail = '';
          const finish = () => {
            clearTimeout(timer);
            socket.destroy();
            resolve();
          };
          // A connection that stops answering ends at the deadline (plus a grace period), not never.
          const timer = setTimeout(finish, Math.max(0, deadline - Date.now()) + 3_000);
          const batch = () => {
            if (sent >= count || Date.now() >= deadline) return finish();
            let out = '';
            for (pending = 0; pending < depth && sent < count; pending++) out += request(sent++);
            socket.write(out);
          };
          socket.on('connect', batch);
          socket.on('data', (chunk: Buffer) => {
            const text = tail + chunk.toString('latin1');
            for (const match of text.matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
              if (match[1] === '200') ok++;
              else other++;
              pending--;
            }
            tail = text.slice(-16);
            // A status line cut at the chunk's end is counted with the next chunk.
            const cut = tail.lastIndexOf('HTTP/1.1 ');
            if (cut !== -1 && /HTTP\/1\.1 \d{3} /.test(tail.slice(cut))) tail = tail.slice(cut + 9);
            if (pending <= 0) batch();
          });
          socket.on('error', finish);
          socket.on('close', finish);
        }),
    ),
  );
  return { sent, ok, other };
}
