/**
 * The text of `settings.json`, both ways, with no file system: what the
 * settings store reads out of a file, and what it writes back. The policy
 * (which problems discard what) is described in settings-store.ts.
 */
import { SavedServer, describeIssues, type SettingsFile } from './contract';

/** What a file held beyond what this Pier understands, so a save can write it back. */
export interface KeptContent {
  /** Top-level keys other than `version` and `servers`. */
  extra: Record<string, unknown>;
  /** Each loaded server's entry as it was in the file, by id: its unknown keys are merged back in. */
  rawById: Map<string, unknown>;
  /** Entries that could not be loaded, as they were, in file order. */
  setAside: unknown[];
}

/** A server entry that could not be loaded. */
export interface SetAsideServer {
  /** `"docs"`, or failing a name, the folder, the id, or `server 3`. */
  label: string;
  reason: string;
}

export interface ParsedSettings {
  settings: SettingsFile;
  kept: KeptContent;
  setAside: SetAsideServer[];
}

export const nothingKept = (): KeptContent => ({ extra: {}, rawById: new Map(), setAside: [] });

/** Parse and validate the file's text: the settings, or why the file as a whole is unusable. */
export function parseSettings(text: string): ParsedSettings | string {
  // A BOM is what some Windows editors add; it says nothing about the content.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return 'the file is empty';
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    return jsonProblem(body, error);
  }
  if (!isPlainObject(raw)) return 'it does not hold settings (expected a JSON object with a version and servers)';
  if ('version' in raw && raw.version !== 1) {
    return `it has version ${JSON.stringify(raw.version)}, which this version of Pier does not know; it may come from a newer Pier`;
  }
  // The outer shape: anything wrong here makes the whole file unusable.
  if (raw.version !== 1) return 'it has no version number';
  if (!Array.isArray(raw.servers)) {
    const type = typeof raw.servers;
    const found = raw.servers === undefined ? 'nothing' : raw.servers === null ? 'null' : `${type === 'object' ? 'an' : 'a'} ${type}`;
    return `servers: expected a list of servers, found ${found}`;
  }

  const { version: _version, servers: entries, ...extra } = raw;
  const kept: KeptContent = { extra, rawById: new Map(), setAside: [] };
  const servers: SavedServer[] = [];
  const setAside: SetAsideServer[] = [];
  entries.forEach((entry: unknown, index: number) => {
    const parsed = SavedServer.safeParse(entry);
    if (parsed.success && !kept.rawById.has(parsed.data.id)) {
      servers.push(parsed.data);
      kept.rawById.set(parsed.data.id, entry);
      return;
    }
    kept.setAside.push(entry);
    setAside.push({
      label: labelOf(entry, index),
      reason: parsed.success
        ? // Two servers answering to one id would be one server in the app: the first one loads.
          `it has the same id as another server (${parsed.data.id})`
        : `servers.${index}${parsed.error.issues[0]?.path.length ? '.' : ': '}${describeIssues(parsed.error, { withPath: true }).replace(/\.$/, '')}`,
    });
  });
  return { settings: { version: 1, servers }, kept, setAside };
}

/**
 * The file's text for `settings` (already validated), with what a load kept:
 * unknown keys back where they were, set-aside entries after the servers.
 */
export function settingsText(settings: SettingsFile, kept: KeptContent): string {
  const servers = [
    ...settings.servers.map((server) => withUnknownKeys(server, kept.rawById.get(server.id))),
    ...kept.setAside,
  ];
  // Known keys first and from `settings`, so an old unknown "version" can't win.
  const file = Object.fromEntries([['version', settings.version], ['servers', servers], ...Object.entries(kept.extra)]);
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * `known` with every key of `raw` that `known` lacks, at every depth: objects
 * by key, arrays element by element while the two have the same length (a
 * header list the user changed in length keeps no unknown keys of its rules).
 */
function withUnknownKeys(known: unknown, raw: unknown): unknown {
  if (isPlainObject(known) && isPlainObject(raw)) {
    // fromEntries defines own properties: a "__proto__" key in the file stays a plain key.
    return Object.fromEntries([
      ...Object.entries(known).map(([key, value]) => [key, withUnknownKeys(value, raw[key])] as const),
      ...Object.entries(raw).filter(([key]) => !Object.hasOwn(known, key)),
    ]);
  }
  if (Array.isArray(known) && Array.isArray(raw) && known.length === raw.length) {
    return known.map((value, i) => withUnknownKeys(value, raw[i]));
  }
  return known;
}

/** How the user will recognise an entry: its name, else its folder, else its id, else its position. */
function labelOf(entry: unknown, index: number): string {
  if (isPlainObject(entry)) {
    for (const key of ['name', 'root', 'id']) {
      const value = entry[key];
      if (typeof value === 'string' && value.trim() !== '') return JSON.stringify(value.trim());
    }
  }
  return `server ${index + 1}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * "line 3: Unexpected token '}'" from V8's message. V8 gives a position for
 * some errors and only a quoted snippet (which may hold a password) for others.
 */
function jsonProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
  const offset = at ? Number(at[2]) : firstBadOffset(text);
  const what = at ? at[1]! : message.replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
  const line = text.slice(0, offset).split('\n').length;
  return `line ${line}: ${what.replace(/\s+/g, ' ')}`;
}

/**
 * Offset of the character that makes `text` invalid JSON: the shortest prefix
 * that fails for a reason other than ending too soon ends with it. Whether a
 * prefix is still a possible start of valid JSON is monotone, so bisect.
 */
function firstBadOffset(text: string): number {
  const failsEarly = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (message.startsWith('Unexpected end')) return false;
      const at = /at position (\d+)/.exec(message);
      return !at || Number(at[1]) < length;
    }
  };
  let lo = 0;
  let hi = text.length;
  if (!failsEarly(hi)) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsEarly(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}
