/**
 * Pier's own endpoints, all under `/.pier/`. Dot-prefixed paths are never
 * served from disk (path-guard.ts), so no file in a site can shadow them.
 *
 * Two kinds:
 * - public ones, answered before the password check: the certificate page a
 *   phone opens over plain HTTP holds nothing secret, and asking for the
 *   password there would send it in the clear;
 * - the rest (live reload), answered after the password check like any file.
 */
import type { PierResponse, ServerContext } from './pier-response';

/** The reserved prefix, with both slashes. */
export const PIER_PREFIX = '/.pier/';

/** Answers one endpoint; `name` is what follows `/.pier/` (no query). */
export type PierEndpoint = (res: PierResponse, ctx: ServerContext, name: string) => void | Promise<void>;

/** Endpoints anyone who can reach the port may use (no password). */
export const publicEndpoints = new Map<string, PierEndpoint>();

/** Endpoints behind the server's password, when it has one. */
export const privateEndpoints = new Map<string, PierEndpoint>();
