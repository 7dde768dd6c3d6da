import net from 'node:net';

import { AUTO_PORT_START } from './contract';

/** Resolve when `server` listens on host:port; reject with the listen error. */
export function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // exclusive: never share the port with another process through cluster/SO_REUSEPORT.
    server.listen({ port, host, exclusive: true });
  });
}

/** True when nothing listens on host:port (checked by binding it briefly). */
export async function isPortFree(port: number, host: string): Promise<boolean> {
  const probe = net.createServer();
  try {
    await listen(probe, port, host);
    return true;
  } catch {
    // Any bind error (EADDRINUSE, EACCES) means "not usable": exactly the answer.
    return false;
  } finally {
    await new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()));
  }
}

/** The first free port at or after `from` (default 8080), or null if none up to 65535. */
export async function findFreePort(host: string, from = AUTO_PORT_START): Promise<number | null> {
  for (let port = from; port <= 65535; port++) {
    if (await isPortFree(port, host)) return port;
  }
  return null;
}
