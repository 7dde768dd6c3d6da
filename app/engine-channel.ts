/**
 * One small adapter so the same engine host runs under Electron's
 * `utilityProcess` (in the app) and Node's `child_process.fork` (the e2e
 * harness and the tests): the two have the same shape with other names.
 *
 *   engine side:  process.parentPort.on('message', e => e.data)  |  process.on('message', m => m)
 *                 process.parentPort.postMessage(m)                |  process.send(m)
 *   main side:    child.on('message', m => m), child.postMessage(m) | child.on('message', m => m), child.send(m)
 *                 child.on('exit', code)                           |  child.on('exit', (code, signal))
 *
 * Plain Node: neither side imports electron; Electron's objects are described
 * here by the members we use.
 */
import type { EngineToMain, MainToEngine } from './engine-protocol';

/** The engine host's line to the process that started it. */
export interface ParentChannel {
  send(message: EngineToMain): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The parent is gone (Node: the IPC channel closed); a utility process is ended by Electron itself. */
  onDisconnect(listener: () => void): void;
}

/** The members of Electron's `process.parentPort` that we use. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The members of `process` that we use, in a utility process or a forked Node child. */
export interface HostProcessLike {
  parentPort?: ParentPortLike | null;
  send?: (message: unknown, sendHandle?: undefined, options?: undefined, callback?: (error: Error | null) => void) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/**
 * The channel to the parent: Electron's parentPort where there is one,
 * otherwise Node's IPC channel.
 * @throws Error when the process was started by neither (e.g. run by hand).
 */
export function parentChannel(proc: HostProcessLike = process as HostProcessLike): ParentChannel {
  const port = proc.parentPort;
  if (port) {
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => void port.on('message', (event) => listener(event.data)),
      onDisconnect: () => undefined,
    };
  }
  const send = proc.send?.bind(proc);
  if (send) {
    return {
      // The callback keeps a closed channel (the parent is going away) from becoming an uncaught 'error'.
      send: (message) => void send(message, undefined, undefined, () => undefined),
      onMessage: (listener) => void proc.on('message', listener),
      onDisconnect: (listener) => void proc.on('disconnect', listener),
    };
  }
  throw new Error('The engine host runs only as a child of Pier (utilityProcess.fork or child_process.fork).');
}

/** Main's handle on one engine process, whichever way it was started. */
export interface EngineProcess {
  /** Undefined until the process has spawned, and after it exited. */
  readonly pid: number | undefined;
  send(message: MainToEngine): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Once, when the process has ended, with how it ended ("exit code 1", "killed by SIGKILL"). */
  onExit(listener: (reason: string) => void): void;
  /** Ask it to end (SIGTERM on POSIX). */
  kill(): void;
}

/** The members of Electron's `UtilityProcess` that we use. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** The members of Node's `ChildProcess` (from `fork`) that we use. */
export interface ForkedChildLike {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  send(message: unknown, sendHandle?: undefined, options?: undefined, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  kill(signal?: NodeJS.Signals): boolean;
}

/** An engine started with Electron's `utilityProcess.fork`. */
export function fromUtilityProcess(child: UtilityProcessLike): EngineProcess {
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', (code) => listener(`exit code ${code}`)),
    kill: () => void child.kill(),
  };
}

/** An engine started with Node's `child_process.fork` (use `serialization: 'advanced'`, as a utility process clones). */
export function fromChildProcess(child: ForkedChildLike): EngineProcess {
  let exited = false;
  const exitListeners: ((reason: string) => void)[] = [];
  const exit = (reason: string) => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener(reason);
  };
  child.on('exit', (code, signal) => exit(signal ? `killed by ${signal}` : `exit code ${code}`));
  // 'error' without 'exit' means it never ran (a failed spawn); other errors (a failed send or kill) change nothing.
  child.on('error', (error) => {
    if (child.pid === undefined) exit(`could not start: ${error.message}`);
  });
  return {
    get pid() {
      return exited ? undefined : child.pid;
    },
    // A send to a process that just died fails; its 'exit' is on the way and says why.
    send: (message) => void child.send(message, undefined, undefined, () => undefined),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void exitListeners.push(listener),
    kill: () => void child.kill('SIGTERM'),
  };
}
