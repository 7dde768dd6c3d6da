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

const serverOptionsShape = {
  name: z.string().trim().min(1, 'The name cannot be empty.').max(80, 'The name can be at most 80 characters.'),
  /** Absolute path of the folder to serve. */
  root: z.string().min(1, 'Choose a folder to serve.'),
  port: z.union([z.literal('auto'), Port]).default('auto'),
  /** false: this machine only (127.0.0.1). true: every interface, reachable on the LAN. */
  lan: z.boolean().default(false),
  listing: z.boolean().default(true),
  spa: z.boolean().default(false),
  cleanUrls: z.boolean().default(false),
  cors: z.boolean().default(false),
  caching: Caching.default('revalidate'),
  headers: z.array(HeaderRule).max(50).default([]),
  https: z.boolean().default(false),
  auth: BasicAuth.nullable().default(null),
};
/** Everything a user can set on one server. Defaults are what a new server gets. */
export const ServerOptions = z.strictObject(serverOptionsShape);
export type ServerOptions = z.infer<typeof ServerOptions>;
/** What a caller passes to create a server: only `root` is required. */
export const ServerInput = ServerOptions.partial({ name: true }).extend({ root: z.string().min(1, 'Choose a folder to serve.') });
export type ServerInput = z.input<typeof ServerInput>;
/** A partial change to a server's options. */
export const ServerPatch = ServerOptions.partial();
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
  | 'TLS_FAILED'
  | 'LISTEN_FAILED'
  | 'SETTINGS_CORRUPT'
  | 'SETTINGS_UNWRITABLE';

export interface PierError {
  code: ErrorCode;
  message: string;
  /** For PORT_IN_USE: the next port that was free when we looked. */
  suggestedPort?: number;
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
}

/** The settings file: every server and whether it was running. */
export const SettingsFile = z.object({
  version: z.literal(1),
  // Not strict: a file written by a newer Pier with extra fields must still load.
  servers: z.array(z.object({ ...serverOptionsShape, id: ServerId, running: z.boolean().default(false) })),
});
export type SettingsFile = z.infer<typeof SettingsFile>;
export type SavedServer = SettingsFile['servers'][number];

/** Turn a zod error into one sentence a person can act on. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The options are not valid.';
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
