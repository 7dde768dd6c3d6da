/**
 * What Pier's main process and its engine host (the process the servers run
 * in) say to each other. Main sends `init` once, then calls; the engine
 * answers every call with a reply of the same id, and pushes events on its
 * own. Both ends are Pier's own code, so messages are checked for their shape
 * (a `type` and a known method), not parsed field by field: main already
 * parsed whatever came from the window against contract.ts.
 *
 * Like contract.ts, this module must stay importable from every layer.
 */
import type {
  ExportedConfig,
  ExportTarget,
  LanAddress,
  LogBatch,
  LogEntry,
  LogFormat,
  Notice,
  PortCheck,
  RequestDetails,
  Result,
  ServerId,
  ServerInput,
  ServerPatch,
  ServerState,
  TrustAction,
  TrustOutcome,
  TrustStatus,
} from './contract';

/** How often main pulls request logs (with each server's counters) from the engine. */
export const LOG_PULL_MS = 100;
/** The most entries one server hands over per pull; older ones that arrived since the last pull are dropped and counted. */
export const LOG_PULL_CAP = 5_000;

/** What an engine host needs to know to start. */
export interface EngineOptions {
  /** Where settings.json and the TLS material live (Electron's userData). */
  userDataDir: string;
  /** A test seam: LAN addresses the servers report instead of the machine's (never connected to). */
  lanAddresses: string[] | null;
  /** A test seam like `lanAddresses`, with adapter names: name → its IPv4 addresses (never connected to). Wins over `lanAddresses`. */
  lanInterfaces?: Record<string, string[]> | null;
}

/** Everything main can ask of the engine: one call, one reply. */
export interface EngineApi {
  listServers(): Promise<ServerState[]>;
  getServer(id: ServerId): Promise<Result<ServerState>>;
  /** Add a server; with `start`, start it too (a failed start still answers ok: the state carries the error). */
  createServer(input: ServerInput, start: boolean): Promise<Result<ServerState>>;
  updateServer(id: ServerId, patch: ServerPatch): Promise<Result<ServerState>>;
  removeServer(id: ServerId): Promise<Result<null>>;
  startServer(id: ServerId): Promise<Result<ServerState>>;
  stopServer(id: ServerId): Promise<Result<ServerState>>;
  getLog(id: ServerId): Promise<LogEntry[]>;
  /** Empties the log and its kept headers, and starts the server's counters again from zero. */
  clearLog(id: ServerId): Promise<Result<null>>;
  /** One request's kept headers, by the engine's own seq; null when no longer kept. */
  getRequestDetails(id: ServerId, seq: number): Promise<Result<RequestDetails | null>>;
  /** The log as a HAR or CSV file, with the name a save dialog should suggest. */
  exportLog(id: ServerId, format: LogFormat): Promise<Result<{ text: string; fileName: string }>>;
  checkPort(port: number, lan: boolean, exceptId: ServerId | null): Promise<PortCheck>;
  /** Pier's certificate authority (created if missing) and the stores it can be trusted from. */
  trustStatus(): Promise<Result<TrustStatus>>;
  /** Trust or untrust the authority in this user's stores (never the system's: that is `pier trust --system`). */
  trust(action: TrustAction): Promise<Result<TrustOutcome>>;
  /** The machine's LAN addresses now, with their adapters, real ones first. */
  lanAddresses(): Promise<LanAddress[]>;
  /** A Caddyfile or nginx config for the server's current settings (app/export.ts; Caddy's Basic auth gets an scrypt hash). */
  exportConfig(id: ServerId, target: ExportTarget): Promise<Result<ExportedConfig>>;
  /** New log entries of every server since the last pull, each batch with the server's counters. */
  pullLogs(): Promise<LogBatch[]>;
  /** Save, then stop every server; main ends the process once this answers. */
  shutdown(): Promise<null>;
}
export type EngineMethod = keyof EngineApi;
export type EngineArgs<M extends EngineMethod> = Parameters<EngineApi[M]>;
export type EngineValue<M extends EngineMethod> = Awaited<ReturnType<EngineApi[M]>>;

const methods: Record<EngineMethod, true> = {
  listServers: true,
  getServer: true,
  createServer: true,
  updateServer: true,
  removeServer: true,
  startServer: true,
  stopServer: true,
  getLog: true,
  clearLog: true,
  getRequestDetails: true,
  exportLog: true,
  checkPort: true,
  trustStatus: true,
  trust: true,
  lanAddresses: true,
  exportConfig: true,
  pullLogs: true,
  shutdown: true,
};

export type EngineCall = { [M in EngineMethod]: { type: 'call'; id: number; method: M; args: EngineArgs<M> } }[EngineMethod];

/** Main → engine. */
export type MainToEngine = { type: 'init'; options: EngineOptions } | EngineCall;

/** Engine → main, unasked. */
export type EngineEvent =
  /** Restored from settings and ready for calls. */
  | { type: 'ready' }
  /** Every server, after any of them changed (status, options, added, removed); not sent for request counters. */
  | { type: 'servers'; servers: ServerState[] }
  | { type: 'notice'; level: Notice['level']; message: string };

/** Engine → main. A reply with `ok: false` is a bug in the engine (expected failures are Result values). */
export type EngineToMain =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | EngineEvent;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function isEngineMethod(name: unknown): name is EngineMethod {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

/** A message main may send, by its shape. */
export function isMainToEngine(message: unknown): message is MainToEngine {
  if (!isObject(message)) return false;
  if (message.type === 'init') return isObject(message.options) && typeof message.options.userDataDir === 'string';
  return message.type === 'call' && typeof message.id === 'number' && isEngineMethod(message.method) && Array.isArray(message.args);
}

/** A message the engine may send, by its shape. */
export function isEngineToMain(message: unknown): message is EngineToMain {
  if (!isObject(message)) return false;
  switch (message.type) {
    case 'reply':
      return typeof message.id === 'number' && typeof message.ok === 'boolean';
    case 'ready':
      return true;
    case 'servers':
      return Array.isArray(message.servers);
    case 'notice':
      return typeof message.message === 'string' && ['info', 'warning', 'error'].includes(message.level as string);
    default:
      return false;
  }
}
