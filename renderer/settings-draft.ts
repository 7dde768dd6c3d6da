import type { Caching, Preset, ServerConfig, ServerPatch } from '../app/contract';
import { canonical, hasProxyErrors, proxiesFromDraft, ruleDraftFromConfig, validateProxies, type ProxyErrors, type ProxyRuleDraft } from './proxy-draft';

// The settings form edits a draft; Apply sends only what differs from the
// server's config. These checks mirror app/contract.ts closely enough to show
// a message while typing; main validates again and has the last word.

export interface HeaderDraft {
  /** Stable React key: rows can be removed from the middle. */
  key: number;
  name: string;
  value: string;
}

export interface SettingsDraft {
  name: string;
  /** The folder served, as an absolute path (picked, never typed). */
  root: string;
  portMode: 'auto' | 'fixed';
  /** As typed; checked by parsePort. */
  port: string;
  lan: boolean;
  listing: boolean;
  spa: boolean;
  cleanUrls: boolean;
  cors: boolean;
  compress: boolean;
  liveReload: boolean;
  crossOriginIsolated: boolean;
  unity: boolean;
  https: boolean;
  caching: Caching;
  authOn: boolean;
  username: string;
  password: string;
  headers: HeaderDraft[];
  proxies: ProxyRuleDraft[];
}

export interface DraftErrors {
  name?: string;
  port?: string;
  username?: string;
  password?: string;
  /** By HeaderDraft.key. */
  headers: Record<number, string>;
  proxies: ProxyErrors;
}

export const PORT_MESSAGE = 'The port must be a number from 1 to 65535.';
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The draft's switch for each preset. */
const PRESET_SWITCHES = [
  ['crossOriginIsolated', 'cross-origin-isolated'],
  ['unity', 'unity'],
] as const satisfies readonly (readonly [keyof SettingsDraft, Preset])[];

let nextHeaderKey = 1;
export const newHeaderRow = (name = '', value = ''): HeaderDraft => ({ key: nextHeaderKey++, name, value });

export function draftFromConfig(config: ServerConfig): SettingsDraft {
  return {
    name: config.name,
    root: config.root,
    portMode: config.port === 'auto' ? 'auto' : 'fixed',
    port: config.port === 'auto' ? '' : String(config.port),
    lan: config.lan,
    listing: config.listing,
    spa: config.spa,
    cleanUrls: config.cleanUrls,
    cors: config.cors,
    compress: config.compress,
    liveReload: config.liveReload,
    crossOriginIsolated: config.presets.includes('cross-origin-isolated'),
    unity: config.presets.includes('unity'),
    https: config.https,
    caching: config.caching,
    authOn: config.auth !== null,
    username: config.auth?.username ?? '',
    password: config.auth?.password ?? '',
    headers: config.headers.map((h) => newHeaderRow(h.name, h.value)),
    proxies: config.proxies.map(ruleDraftFromConfig),
  };
}

/** A whole number from 1 to 65535, or null. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

// A row left completely empty (just added) is ignored rather than refused.
const filledHeaders = (draft: SettingsDraft) => draft.headers.filter((h) => h.name.trim() !== '' || h.value !== '');

export function validateDraft(draft: SettingsDraft): DraftErrors {
  const errors: DraftErrors = { headers: {}, proxies: validateProxies(draft.proxies) };
  const name = draft.name.trim();
  if (!name) errors.name = 'The name cannot be empty.';
  else if (name.length > 80) errors.name = 'The name can be at most 80 characters.';
  if (draft.portMode === 'fixed' && parsePort(draft.port) === null) errors.port = PORT_MESSAGE;
  if (draft.authOn) {
    if (!draft.username) errors.username = 'The user name cannot be empty.';
    else if (draft.username.includes(':')) errors.username = 'The user name cannot contain a colon.';
    if (!draft.password) errors.password = 'The password cannot be empty.';
  }
  for (const header of filledHeaders(draft)) {
    const headerName = header.name.trim();
    if (!headerName) errors.headers[header.key] = 'A header needs a name.';
    else if (!HEADER_NAME.test(headerName)) {
      errors.headers[header.key] = "A header name may use only letters, digits and - _ . ! # $ % & ' * + ^ ` | ~.";
    }
  }
  if (filledHeaders(draft).length > 50) errors.headers[draft.headers.at(-1)!.key] = 'At most 50 headers.';
  return errors;
}

/**
 * Why Apply is unavailable, for the footer. Worded unlike the fields' own
 * messages, so each message appears once on screen.
 */
export function blockedReason(errors: DraftErrors): string {
  if (errors.name || errors.port || Object.keys(errors.headers).length || hasProxyErrors(errors.proxies)) return 'Fix what is marked above to apply.';
  return 'Enter a user name and a password to apply.';
}

export const hasErrors = (errors: DraftErrors) =>
  Boolean(errors.name || errors.port || errors.username || errors.password || Object.keys(errors.headers).length || hasProxyErrors(errors.proxies));

/** What Apply sends: the fields whose draft differs from `config`. */
export function patchFromDraft(draft: SettingsDraft, config: ServerConfig): ServerPatch {
  const patch: ServerPatch = {};
  if (draft.name.trim() !== config.name) patch.name = draft.name.trim();
  if (draft.root !== config.root) patch.root = draft.root;
  const port = draft.portMode === 'auto' ? 'auto' : (parsePort(draft.port) ?? draft.port);
  if (port !== config.port) patch.port = port as ServerPatch['port'];
  for (const key of ['lan', 'listing', 'spa', 'cleanUrls', 'cors', 'compress', 'liveReload', 'https'] as const) {
    if (draft[key] !== config[key]) patch[key] = draft[key];
  }
  if (draft.caching !== config.caching) patch.caching = draft.caching;
  // Each preset switch adds or removes its own preset; the order of the others is kept.
  let presets = config.presets;
  for (const [field, preset] of PRESET_SWITCHES) {
    if (draft[field] === presets.includes(preset)) continue;
    presets = draft[field] ? [...presets, preset] : presets.filter((p) => p !== preset);
  }
  if (presets !== config.presets) patch.presets = presets;
  const auth = draft.authOn ? { username: draft.username, password: draft.password } : null;
  if (JSON.stringify(auth) !== JSON.stringify(config.auth)) patch.auth = auth;
  const headers = filledHeaders(draft).map((h) => ({ name: h.name.trim(), value: h.value }));
  if (JSON.stringify(headers) !== JSON.stringify(config.headers.map((h) => ({ name: h.name, value: h.value })))) {
    patch.headers = headers;
  }
  const proxies = proxiesFromDraft(draft.proxies);
  if (JSON.stringify(proxies) !== JSON.stringify(config.proxies.map(canonical))) patch.proxies = proxies;
  return patch;
}

export const isEmptyPatch = (patch: ServerPatch) => Object.keys(patch).length === 0;

/** The same edits, whatever React keys the rows were given (an added, still empty row counts). */
export const sameDraft = (a: SettingsDraft, b: SettingsDraft) => JSON.stringify(a, withoutKeys) === JSON.stringify(b, withoutKeys);
const withoutKeys = (name: string, value: unknown) => (name === 'key' ? undefined : value);
