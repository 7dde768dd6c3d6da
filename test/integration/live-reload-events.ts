/**
 * A test client for `/.pier/live`: the event stream read as it arrives,
 * parsed into events (comments, which are heartbeats, counted apart).
 */
import http from 'node:http';
import https from 'node:https';

export interface StreamEvent {
  event: string;
  data: string;
  at: number;
}

export interface EventStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: StreamEvent[];
  /** Comment lines received (heartbeats). */
  comments: number;
  /** Resolves when the server ends the stream (or the socket closes). */
  ended: Promise<void>;
  /** The next event named `name` after `from` (an index into `events`), or a rejection after `timeoutMs`. */
  next(name: string, timeoutMs?: number, from?: number): Promise<StreamEvent>;
  close(): void;
}

/** Open `/.pier/live` (or `path`) on 127.0.0.1:port. Resolves once the head has arrived. */
export function openEvents(
  port: number,
  options: { tls?: boolean; headers?: http.OutgoingHttpHeaders; path?: string } = {},
): Promise<EventStream> {
  const { tls = false, headers = {}, path = '/.pier/live' } = options;
  return new Promise((resolve, reject) => {
    const init = { host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers }, agent: false as const };
    const req = tls ? https.get({ ...init, rejectUnauthorized: false }) : http.get(init);
    req.on('error', reject);
    req.on('response', (res) => {
      const events: StreamEvent[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      const stream: EventStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments: 0,
        ended: new Promise((done) => {
          res.on('close', () => done());
          res.on('error', () => done());
        }),
        next(name, timeoutMs = 3_000, from = 0) {
          return new Promise((found, fail) => {
            const look = () => {
              const hit = events.slice(from).find((e) => e.event === name);
              if (!hit) return false;
              waiters.delete(look);
              clearTimeout(timer);
              found(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(look);
              fail(new Error(`no "${name}" event within ${timeoutMs} ms (got ${JSON.stringify(events)})`));
            }, timeoutMs);
            if (!look()) waiters.add(look);
          });
        },
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          let comment = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comment = true;
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: data.join('\n'), at: performance.now() });
          else if (comment) stream.comments++;
          for (const waiter of [...waiters]) waiter();
        }
      });
      resolve(stream);
    });
  });
}
