/**
 * The one place where shapes that cross a boundary are defined: the engine's
 * public types, the settings file, and (for the desktop app) the IPC channels
 * and the `window.pier` API. Types are inferred from the zod schemas so the
 * runtime check and the compile-time type can never drift apart.
 *
 * This module must stay importable from every layer: no Node built-ins, no
 * electron, no React.
 */
import { z } from 'zod';

import { events, requestChannels } from './channels';

/** Lowest port tried when a server asks for `port: 'auto'`. */
export const AUTO_PORT_START = 8080;

// RFC 7230 token: what a header name may contain.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Header values may not contain CR, LF or NUL (response splitting).
const HEADER_VALUE = /^[^\r\n\0]*$/;

export const HeaderRule = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'A header needs a name.')
    .regex(HEADER_NAME, 'A header name may use only letters, digits and - _ . ! # $ % & \' * + ^ ` | ~.'),
  value: z.string().regex(HEADER_VALUE, 'A header value must fit on one line.'),
});
export type HeaderRule = z.infer<typeof HeaderRule>;

export const BasicAuth = z.strictObject({
  username: z
    .string()
    .min(1, 'The user name cannot be empty.')
    .refine((u) => !u.includes(':'), 'The user name cannot contain a colon.'),
  password: z.string().min(1, 'The password cannot be empty.'),
});
export type BasicAuth = z.infer<typeof BasicAuth>;

export const Port = z
  .number({ error: 'The port must be a number from 1 to 65535.' })
  .int('The port must be a whole number from 1 to 65535.')
  .min(1, 'The port must be a number from 1 to 65535.')
  .max(65535, 'The port must be a number from 1 to 65535.');

/**
 * How responses may be cached by the browser.
 * - `revalidate` (default): `Cache-Control: no-cache` plus ETag/Last-Modified,
 *   so the browser always asks and gets a cheap 304 when nothing changed.
 * - `no-store`: never cached, no validators.
 * - `max-age`: cached for an hour, like a production CDN would.
 */
export const Caching = z.enum(['revalidate', 'no-store', 'max-age']);
export type Caching = z.infer<typeof Caching>;

/** Longest server name, in UTF-16 units (what `string.length` counts). */
export const SERVER_NAME_MAX = 80;

/**
 * What a kind of build needs from the server. `cross-origin-isolated`: COOP
 * same-origin and COEP require-corp, so SharedArrayBuffer and WASM threads
 * work (Godot web exports, Emscripten with pthreads). `unity`: a Unity WebGL
 * build's compressed files (`Build/*.data.br`, `*.wasm.br`,
 * `*.framework.js.br` and their `.gz` twins) are sent with `Content-Encoding`
 * and the type of the file inside (`application/wasm` for the wasm).
 */
export const Preset = z.enum(['cross-origin-isolated', 'unity'], {
  error: 'Unknown preset. Pier knows: cross-origin-isolated, unity.',
});
export type Preset = z.infer<typeof Preset>;

/**
 * How a proxy rule with several upstreams picks one: in turn (`round-robin`),
 * the one with the fewest requests in flight (`least-connections`), or always
 * the same one for the same client address while it is up (`sticky`, for apps
 * that keep sessions in memory).
 */
export const BalancePolicy = z.enum(['round-robin', 'least-connections', 'sticky'], {
  error: 'Unknown balancing policy. Pier knows: round-robin, least-connections, sticky.',
});
export type BalancePolicy = z.infer<typeof BalancePolicy>;

/** A path on the proxying side: "/api", "/api/v2". No query, no trailing slash except "/" itself. */
const ProxyPrefix = z
  .string()
  .trim()
  .regex(/^\/([A-Za-z0-9._~!$&'()*+,;=:@%-]+(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*)?$/, 'A proxy prefix is a path such as /api: it starts with /, has no spaces, ? or #, and no / at the end.')
  .refine((prefix) => !prefix.split('/').some((segment) => segment.startsWith('.')), "A proxy prefix can't have a segment starting with a dot (/.pier/ is Pier's own).");

/** Where a proxy rule sends requests: an http or https origin, optionally with a base path. */
export const UpstreamUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.search && !url.hash && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'An upstream is an http:// or https:// URL such as http://127.0.0.1:3000 (no query, no user name or password).');

export const ProxyRule = z.strictObject({
  /** Requests whose path is this prefix or starts with it and a "/" go to the upstreams. */
  prefix: ProxyPrefix,
  upstreams: z.array(UpstreamUrl).min(1, 'A proxy rule needs at least one upstream URL.').max(16, 'A proxy rule can have at most 16 upstreams.'),
  /** Remove the prefix before forwarding ("/api/users" → "/users"). */
  stripPrefix: z.boolean().default(false),
  /** Send the client's Host header instead of the upstream's (the default rewrites it, like changeOrigin). */
  keepHost: z.boolean().default(false),
  policy: BalancePolicy.default('round-robin'),
  /** Milliseconds to wait for the upstream's TCP (and TLS) connection. */
  connectTimeoutMs: z.number().int().min(100, 'The connect timeout must be at least 100 ms.').max(120_000, 'The connect timeout can be at most 2 minutes.').default(5_000),
  /** Milliseconds from sending the request to the end of the response head (streams may then run on). */
  timeoutMs: z.number().int().min(100, 'The timeout must be at least 100 ms.').max(3_600_000, 'The timeout can be at most an hour.').default(60_000),
  /** A path checked every few seconds on each upstream (2xx/3xx = up), or null for passive checks only. */
  healthPath: z
    .string()
    .regex(/^\/[^\s?#]*$/, 'A health check path starts with / and has no spaces, ? or #.')
    .nullable()
    .default(null),
});
export type ProxyRule = z.infer<typeof ProxyRule>;
export type ProxyRuleInput = z.input<typeof ProxyRule>;

const serverOptionsShape = {
  name: z
    .string()
    .trim()
    .min(1, 'The name cannot be empty.')
    .max(SERVER_NAME_MAX, `The name can be at most ${SERVER_NAME_MAX} characters.`),
  /** Absolute path of the folder to serve. */
  root: z.string().min(1, 'Choose a folder to serve.'),
  port: z.union([z.literal('auto'), Port]).default('auto'),
  /** false: this machine only (127.0.0.1). true: every interface, reachable on the LAN. */
  lan: z.boolean().default(false),
  listing: z.boolean().default(true),
  spa: z.boolean().default(false),
  cleanUrls: z.boolean().default(false),
  cors: z.boolean().default(false),
  /** brotli or gzip for text types, as the client accepts (never for ranges); a precompressed sibling (app.js.br, app.js.gz) first. */
  compress: z.boolean().default(true),
  caching: Caching.default('revalidate'),
  headers: z.array(HeaderRule).max(50).default([]),
  presets: z.array(Preset).max(8).default([]),
  /** Watch the folder; HTML pages get a small script that reloads them (or swaps a changed stylesheet) on save. */
  liveReload: z.boolean().default(false),
  /** Reverse-proxy rules, matched before files, longest prefix first. */
  proxies: z
    .array(ProxyRule)
    .max(32, 'A server can have at most 32 proxy rules.')
    .refine((rules) => new Set(rules.map((rule) => rule.prefix)).size === rules.length, 'Two proxy rules have the same prefix.')
    .default([]),
  https: z.boolean().default(false),
  auth: BasicAuth.nullable().default(null),
};
/** Everything a user can set on one server. Defaults are what a new server gets. */
export const ServerOptions = z.strictObject(serverOptionsShape);
export type ServerOptions = z.infer<typeof ServerOptions>;
/** What a caller passes to create a server: only `root` is required. */
export const ServerInput = ServerOptions.partial({ name: true }).extend({ root: z.string().min(1, 'Choose a folder to serve.') });
export type ServerInput = z.input<typeof ServerInput>;
type WithoutDefaults<T extends z.ZodRawShape> = {
  [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K];
};
// zod 4 fills defaults in also for keys a partial() leaves out, so a patch
// { spa: true } would reset every other option: strip the defaults first.
const patchShape = Object.fromEntries(
  Object.entries(serverOptionsShape).map(([key, schema]) => [key, schema instanceof z.ZodDefault ? schema.unwrap() : schema]),
) as WithoutDefaults<typeof serverOptionsShape>;
/** A partial change to a server's options: only the keys given change. */
export const ServerPatch = z.strictObject(patchShape).partial();
export type ServerPatch = z.input<typeof ServerPatch>;

export const ServerId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Unknown server.');
export type ServerId = z.infer<typeof ServerId>;

export const ServerConfig = ServerOptions.extend({ id: ServerId });
export type ServerConfig = z.infer<typeof ServerConfig>;

export type ServerStatus = 'starting' | 'running' | 'stopped' | 'error';

/** Expected failures, each with a message that tells the user what to do. */
export type ErrorCode =
  | 'PORT_IN_USE'
  | 'PORT_FORBIDDEN'
  | 'NO_FREE_PORT'
  | 'FOLDER_MISSING'
  | 'NOT_A_FOLDER'
  | 'FOLDER_UNREADABLE'
  | 'INVALID_OPTIONS'
  | 'UNKNOWN_SERVER'
  | 'NOT_RUNNING'
  | 'TLS_FAILED'
  | 'LISTEN_FAILED'
  | 'SETTINGS_CORRUPT'
  | 'SETTINGS_UNWRITABLE'
  | 'SAVE_FAILED';

export interface PierError {
  code: ErrorCode;
  message: string;
  /** For PORT_IN_USE: the next port that was free when we looked. */
  suggestedPort?: number;
  /** A change to a running server that could not start: it was undone, and the server runs on as before. */
  reverted?: boolean;
}

export type Result<T> = { ok: true; value: T } | ({ ok: false } & PierError);

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, extra: Partial<PierError> = {}): { ok: false } & PierError => ({
  ok: false,
  code,
  message,
  ...extra,
});

export interface RequestCounters {
  requests: number;
  bytes: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
}

/**
 * A kind of build Pier recognized in a served folder, with the presets it
 * needs; the window offers to switch on the ones that are off.
 */
export interface DetectedBuild {
  kind: 'unity' | 'godot';
  /** What was seen, for the user: e.g. "Build/game.wasm.br". */
  evidence: string;
  presets: Preset[];
}

/** One upstream of a proxy rule, as the window shows it. */
export interface UpstreamState {
  /** The rule's prefix. */
  prefix: string;
  url: string;
  up: boolean;
  /** Epoch ms it was taken out, when down. */
  downSince: number | null;
  /** The last failure, in words ("connection refused", "no response within 5 s"), or null. */
  lastError: string | null;
  /** Requests it answered (any status). */
  requests: number;
  /** Requests in flight now. */
  active: number;
  /** Mean time to the response head over the last requests, in ms, or null before the first. */
  latencyMs: number | null;
}

/** A snapshot of one server, as the UI and the CLI see it. */
export interface ServerState {
  id: ServerId;
  config: ServerConfig;
  status: ServerStatus;
  /** Set when status is 'error'. */
  error: PierError | null;
  /** The port actually bound, once running. */
  port: number | null;
  /** e.g. http://127.0.0.1:8080/ once running. */
  url: string | null;
  /** One URL per LAN address when `lan` is on and the server runs. */
  lanUrls: string[];
  counters: RequestCounters;
  /** A build recognized in the folder when the server started, or null. */
  build: DetectedBuild | null;
  /** Every upstream of every proxy rule, while the server runs; [] otherwise. */
  upstreams: UpstreamState[];
}

/** One place a certificate authority can be trusted from: a browser's database, a keychain, a system store. */
export interface TrustStoreState {
  /** Stable id, e.g. "nss:/home/ann/.pki/nssdb", "firefox:default-release", "system". */
  id: string;
  /** For people: "Chromium and Chrome (NSS database ~/.pki/nssdb)". */
  label: string;
  /** Pier's authority is in it now. */
  trusted: boolean;
  /** Null when Pier can change it; else why not, and what to do (e.g. "Install libnss3-tools (certutil)."). */
  unavailable: string | null;
  /** Needs administrator rights (only with `pier trust --system`; never from the window). */
  system: boolean;
}

/** Pier's local certificate authority and where it is trusted. */
export interface TrustStatus {
  /** Path of the authority's certificate (PEM). Its key stays beside it, owner-only. */
  certPath: string;
  /** SHA-256 fingerprint, colon-separated hex, as browsers show it. */
  fingerprint: string;
  /** ISO date the authority expires. */
  expires: string;
  stores: TrustStoreState[];
}

/** What trusting or untrusting changed, store by store. */
export interface TrustOutcome {
  status: TrustStatus;
  /** One line per store touched: "Added to …", "Removed from …", or why it failed. */
  changes: { id: string; ok: boolean; message: string }[];
}

/** One address this machine has on a network, and the adapter it is on. */
export interface LanAddress {
  address: string;
  /** The adapter's name as the system calls it ("en0", "Wi-Fi", "utun3"); empty when unknown. */
  interface: string;
  /** On an adapter made by a VPN, a VM or a container: a phone on the Wi-Fi usually can't reach it. */
  virtual: boolean;
}

/** One finished request. */
export interface LogEntry {
  /** Increases by one per request on a server, from 1. */
  seq: number;
  /** Epoch milliseconds when the response finished. */
  time: number;
  method: string;
  path: string;
  status: number;
  bytes: number;
  /** Milliseconds from request to the end of the response. */
  ms: number;
  ip: string;
  userAgent: string;
  referer: string;
  /** For a proxied request: the upstream that answered (or was tried last), e.g. "http://127.0.0.1:3001". */
  upstream?: string;
}

/** One header, as sent. */
export interface HeaderField {
  name: string;
  value: string;
}

/** What Pier still keeps of one request beyond its log entry (fetched when someone opens it). */
export interface RequestDetails {
  /** The URL the client asked for: scheme, its Host header (or the server's address), path. */
  url: string;
  /** "HTTP/1.1". */
  httpVersion: string;
  /** The status code's reason phrase ("Not Found"); '' for a code without one. */
  statusText: string;
  requestHeaders: HeaderField[];
  /** [] when the response ended before its head went out. */
  responseHeaders: HeaderField[];
  /** From Content-Length, when the request had a body of known size; else null. */
  requestBodyBytes: number | null;
  /** Authorization and cookie values were replaced by "[redacted]": the server has a password. */
  redacted: boolean;
  /** The headers were longer than Pier keeps per request: the last ones are missing. */
  truncated: boolean;
  /** A POSIX-shell curl command that makes the same request (without its body, which is not kept). */
  curl: string;
}

/** What the request log exports as: HAR 1.2 (browsers' DevTools read it) or CSV. */
export const LogFormat = z.enum(['har', 'csv']);
export type LogFormat = z.infer<typeof LogFormat>;

/**
 * One server in the settings file. Unknown keys, also inside `auth` and a
 * header rule, are stripped rather than refused: a file written by a newer
 * Pier must still load (the settings store writes them back untouched).
 */
export const SavedServer = z.object({
  ...serverOptionsShape,
  headers: z.array(z.object(HeaderRule.shape)).max(50).default([]),
  proxies: z.array(z.object(ProxyRule.shape)).max(32).default([]),
  auth: z.object(BasicAuth.shape).nullable().default(null),
  id: ServerId,
  running: z.boolean().default(false),
  /** Where an `auto` server listened last time; it asks for that port first. */
  lastPort: Port.nullable().default(null),
});
export type SavedServer = z.infer<typeof SavedServer>;

/** The settings file: every server and whether it was running. */
export const SettingsFile = z.object({
  version: z.literal(1),
  servers: z.array(SavedServer),
});
export type SettingsFile = z.infer<typeof SettingsFile>;

/**
 * Turn a zod error into one sentence a person can act on. Our schemas carry
 * their own sentences; zod's generic ones ("Invalid input…") get the field's
 * name in front so they still point somewhere. `withPath` always names the
 * field (for a file, where "which server" matters).
 */
export function describeIssues(error: z.ZodError, options: { withPath?: boolean } = {}): string {
  const issue = error.issues[0];
  if (!issue) return 'The options are not valid.';
  if (options.withPath && issue.path.length) return `${issue.path.join('.')}: ${issue.message}`;
  // A leading index is the argument position of an IPC call, not a field.
  const path = typeof issue.path[0] === 'number' ? issue.path.slice(1) : issue.path;
  const generic = /^(Invalid|Unrecognized|Too )/.test(issue.message);
  return generic && path.length ? `${path.join('.')}: ${issue.message}` : issue.message;
}

// ---------------------------------------------------------------------------
// The desktop app: what crosses between the Electron main process and the UI.
// ---------------------------------------------------------------------------

/** A message for the user that is not tied to one action (e.g. settings were unreadable at launch). */
export interface Notice {
  id: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** New log entries of one server since the last push, with its counters (snapshots don't follow every request). */
export interface LogBatch {
  id: ServerId;
  entries: LogEntry[];
  counters: RequestCounters;
  /** Entries that arrived since the last push but were skipped (more than 5,000 at once); counted, never queued. */
  dropped?: number;
  /**
   * For a server with proxy rules: its upstreams now. Their numbers (served,
   * in flight, latency) move with every proxied request, so like the counters
   * they travel with the log rather than in snapshots.
   */
  upstreams?: UpstreamState[];
}

/** Which of a server's URLs: the local one, or the LAN URL at this index. */
export const UrlChoice = z.union([z.literal('local'), z.number().int().min(0).max(63)]);
export type UrlChoice = z.infer<typeof UrlChoice>;

/** What the window may do to trust Pier's certificate authority (always for this user only; `pier trust --system` does the machine). */
export const TrustAction = z.enum(['install', 'uninstall']);
export type TrustAction = z.infer<typeof TrustAction>;

/** A QR code for a page of one of Pier's servers, with the URL it holds. */
export interface QrImage {
  url: string;
  /** SVG markup. */
  svg: string;
}

/** A server a Caddyfile or nginx config can be written for (`pier export --to`). */
export const ExportTarget = z.enum(['caddy', 'nginx']);
export type ExportTarget = z.infer<typeof ExportTarget>;

/** A Caddyfile or nginx config reproducing a server, as app/export.ts writes it. */
export interface ExportedConfig {
  text: string;
  /** Files the config refers to (nginx's htpasswd), each under the path the config uses. */
  files?: Array<{ name: string; content: string }>;
  /** What has no equivalent or needs attention, one sentence each. */
  notes: string[];
}

/** The name a save dialog suggests: a file name, never a path. */
export const SuggestedFileName = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[^/\\\0:]+$/, 'A file name, not a path.')
  .refine((name) => name !== '.' && name !== '..', 'A file name, not a path.');

/** The most text the window may hand main to copy or save (an export is a few kB). */
const MAX_SAVED_TEXT = 1_000_000;

/**
 * App-level preferences (not per server), kept by main in `preferences.json`
 * beside the settings file. Defaults are what a fresh install gets.
 */
export const AppPreferences = z.object({
  /** Closing the window hides it; the servers run on behind the tray icon until Quit. */
  keepRunningInTray: z.boolean().default(false),
  /** Pier opens when the user logs in (a login item on macOS and Windows, an XDG autostart entry on Linux). */
  startAtLogin: z.boolean().default(false),
});
export type AppPreferences = z.infer<typeof AppPreferences>;
/** A change to some preferences: only the keys given change. */
export const PreferencesPatch = z.strictObject({ keepRunningInTray: z.boolean(), startAtLogin: z.boolean() }).partial();
export type PreferencesPatch = z.infer<typeof PreferencesPatch>;

/**
 * What an application-menu item (or its shortcut) asks the window to do; the
 * window acts on the selected server. `select-server` takes the 0-based
 * position in the list (Ctrl/Cmd+1 is 0).
 */
export type MenuCommand =
  | { type: 'find' }
  | { type: 'copy-url' }
  | { type: 'open-in-browser' }
  | { type: 'start-stop' }
  | { type: 'next-server' }
  | { type: 'previous-server' }
  | { type: 'select-server'; index: number }
  | { type: 'preferences' };

export interface PortCheck {
  free: boolean;
  /** When taken: the next free port. */
  suggestedPort: number | null;
}

/**
 * `window.pier`: everything the UI can ask of the app. Requests resolve with
 * values (expected failures are `{ ok: false, code, message }`, never throws);
 * `on*` subscribe to pushes from main and return an unsubscribe function.
 */
export interface PierApi {
  listServers(): Promise<ServerState[]>;
  /** The native folder picker; null when the user cancels. */
  pickFolder(): Promise<string | null>;
  /** Add a server for a folder and start it. */
  createServer(input: ServerInput): Promise<Result<ServerState>>;
  /** Change options; a running server restarts with them. */
  updateServer(id: ServerId, patch: ServerPatch): Promise<Result<ServerState>>;
  removeServer(id: ServerId): Promise<Result<null>>;
  startServer(id: ServerId): Promise<Result<ServerState>>;
  stopServer(id: ServerId): Promise<Result<ServerState>>;
  /** The entries a server holds now, oldest first (for a freshly opened log view). */
  getLog(id: ServerId): Promise<LogEntry[]>;
  clearLog(id: ServerId): Promise<Result<null>>;
  /** The headers (and a curl command) of the request with this seq; null when they are no longer kept. */
  getRequestDetails(id: ServerId, seq: number): Promise<Result<RequestDetails | null>>;
  /** Export the server's log (HAR or CSV) to where the user chooses in the save dialog; the path, or null on cancel. */
  saveLog(id: ServerId, format: LogFormat): Promise<Result<string | null>>;
  /** Open one of the server's own URLs in the default browser (main builds the URL; nothing else can be opened). */
  openUrl(id: ServerId, which: UrlChoice): Promise<Result<null>>;
  /** Copy one of the server's URLs to the clipboard; resolves with the URL copied. */
  copyUrl(id: ServerId, which: UrlChoice): Promise<Result<string>>;
  /** A QR code (SVG markup) for one of the server's URLs. */
  qrCode(id: ServerId, which: UrlChoice): Promise<Result<string>>;
  /**
   * A QR code for the certificate page (`/.pier/trust`) of a running server
   * at its LAN address `which`, over plain HTTP on the server's own port (a
   * phone can't check the certificate before it trusts it).
   */
  trustQrCode(id: ServerId, which: number): Promise<Result<QrImage>>;
  /** Pier's certificate authority (created if missing) and where it is trusted. */
  trustStatus(): Promise<Result<TrustStatus>>;
  /** Add Pier's authority to (or remove it from) this user's stores that Pier can change. */
  trust(action: TrustAction): Promise<Result<TrustOutcome>>;
  /** This machine's LAN addresses now, each with its adapter, real adapters first. */
  networkAddresses(): Promise<LanAddress[]>;
  /** Show the served folder in the system file manager. */
  revealFolder(id: ServerId): Promise<Result<null>>;
  /** Is this port free for a server with this reach? `exceptId`: a server whose own port doesn't count. */
  checkPort(port: number, lan: boolean, exceptId: ServerId | null): Promise<PortCheck>;
  /** Notices raised before the window could listen (e.g. at launch). */
  getNotices(): Promise<Notice[]>;
  dismissNotice(id: string): Promise<null>;
  /** A Caddyfile (`caddy`) or nginx server block (`nginx`) reproducing the server's current settings. */
  exportConfig(id: ServerId, target: ExportTarget): Promise<Result<ExportedConfig>>;
  /**
   * Ask where to save `text` with the native save dialog (suggesting
   * `suggestedName`) and write it there: only ever to the path the user chose.
   * Resolves with that path, or null when the user cancels.
   */
  saveExport(text: string, suggestedName: string): Promise<Result<string | null>>;
  /** Put text on the clipboard (an export, which main has no other way to know). */
  copyText(text: string): Promise<null>;
  /** The app-level preferences as they are now (start at login as the system has it, where it can tell). */
  getPreferences(): Promise<AppPreferences>;
  /** Change preferences; saved at once and applied (the login item written) before it resolves. */
  setPreferences(patch: PreferencesPatch): Promise<Result<AppPreferences>>;
  /** The file-system path of a file or folder dropped onto the window. */
  pathForDroppedFile(file: File): string;
  onServers(listener: (servers: ServerState[]) => void): () => void;
  onLog(listener: (batches: LogBatch[]) => void): () => void;
  onNotice(listener: (notice: Notice) => void): () => void;
  /** Main asks the UI to select a server (e.g. after a second launch with a folder). */
  onSelectServer(listener: (id: ServerId) => void): () => void;
  /** An application-menu command (Find, Copy URL, Start/Stop, …) for the window to carry out. */
  onCommand(listener: (command: MenuCommand) => void): () => void;
}

/** Requests (invoke/handle), each with the schema of its arguments. */
export const requests = {
  listServers: { channel: requestChannels.listServers, args: z.tuple([]) },
  pickFolder: { channel: requestChannels.pickFolder, args: z.tuple([]) },
  createServer: { channel: requestChannels.createServer, args: z.tuple([ServerInput]) },
  updateServer: { channel: requestChannels.updateServer, args: z.tuple([ServerId, ServerPatch]) },
  removeServer: { channel: requestChannels.removeServer, args: z.tuple([ServerId]) },
  startServer: { channel: requestChannels.startServer, args: z.tuple([ServerId]) },
  stopServer: { channel: requestChannels.stopServer, args: z.tuple([ServerId]) },
  getLog: { channel: requestChannels.getLog, args: z.tuple([ServerId]) },
  clearLog: { channel: requestChannels.clearLog, args: z.tuple([ServerId]) },
  openUrl: { channel: requestChannels.openUrl, args: z.tuple([ServerId, UrlChoice]) },
  copyUrl: { channel: requestChannels.copyUrl, args: z.tuple([ServerId, UrlChoice]) },
  qrCode: { channel: requestChannels.qrCode, args: z.tuple([ServerId, UrlChoice]) },
  revealFolder: { channel: requestChannels.revealFolder, args: z.tuple([ServerId]) },
  trustQrCode: { channel: requestChannels.trustQrCode, args: z.tuple([ServerId, z.number().int().min(0).max(63)]) },
  trustStatus: { channel: requestChannels.trustStatus, args: z.tuple([]) },
  trust: { channel: requestChannels.trust, args: z.tuple([TrustAction]) },
  networkAddresses: { channel: requestChannels.networkAddresses, args: z.tuple([]) },
  checkPort: { channel: requestChannels.checkPort, args: z.tuple([Port, z.boolean(), ServerId.nullable()]) },
  getNotices: { channel: requestChannels.getNotices, args: z.tuple([]) },
  dismissNotice: { channel: requestChannels.dismissNotice, args: z.tuple([z.string().max(100)]) },
  exportConfig: { channel: requestChannels.exportConfig, args: z.tuple([ServerId, ExportTarget]) },
  saveExport: { channel: requestChannels.saveExport, args: z.tuple([z.string().max(MAX_SAVED_TEXT), SuggestedFileName]) },
  copyText: { channel: requestChannels.copyText, args: z.tuple([z.string().max(MAX_SAVED_TEXT)]) },
  getRequestDetails: { channel: requestChannels.getRequestDetails, args: z.tuple([ServerId, z.number().int().min(1)]) },
  saveLog: { channel: requestChannels.saveLog, args: z.tuple([ServerId, LogFormat]) },
  getPreferences: { channel: requestChannels.getPreferences, args: z.tuple([]) },
  setPreferences: { channel: requestChannels.setPreferences, args: z.tuple([PreferencesPatch]) },
} as const satisfies Record<keyof typeof requestChannels, { channel: string; args: z.ZodTuple }>;
export type RequestName = keyof typeof requests;
export { events, requestChannels };
export type EventName = keyof typeof events;

// Every API member is exactly one request, one event, or the one local helper.
type Exhaustive<T extends never> = T;
export type _ApiCovered = Exhaustive<Exclude<keyof PierApi, RequestName | EventName | 'pathForDroppedFile'>>;
export type _NoExtraRequests = Exhaustive<Exclude<RequestName | EventName, keyof PierApi>>;
