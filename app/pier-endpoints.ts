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
import { CLIENT_SCRIPT } from './live-reload-client';
import type { PierResponse, ServerContext } from './pier-response';
import { sendError, sendPage } from './responder';
import { trustEndpoints } from './trust-page';

/** The reserved prefix, with both slashes. */
export const PIER_PREFIX = '/.pier/';

/** Answers one endpoint; `name` is what follows `/.pier/` (no query). */
export type PierEndpoint = (res: PierResponse, ctx: ServerContext, name: string) => void | Promise<void>;

/** Endpoints anyone who can reach the port may use (no password). */
export const publicEndpoints = new Map<string, PierEndpoint>([
  // The certificate page for phones and the CA certificate (trust-page.ts).
  ...trustEndpoints,
]);

/** The answer for a name that is no endpoint (or one that is switched off). */
export const noEndpoint = (res: PierResponse, ctx: ServerContext): void => sendError(res, ctx, 404, 'There is nothing at this address.');

/** Endpoints behind the server's password, when it has one. */
export const privateEndpoints = new Map<string, PierEndpoint>([
  // Live reload (live-reload.ts): the pages' event stream, and the script that listens to it.
  ['live', (res, ctx) => (ctx.liveReload ? ctx.liveReload.accept(res, ctx) : noEndpoint(res, ctx))],
  ['live.js', (res, ctx) => (ctx.liveReload ? sendPage(res, ctx, 200, CLIENT_SCRIPT, 'text/javascript; charset=utf-8') : noEndpoint(res, ctx))],
]);
