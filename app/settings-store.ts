/**
 * The settings store: every server's options in one JSON file.
 *
 * Two promises to the user: a file we cannot understand is kept aside as a
 * backup, never overwritten; and a save either lands whole or leaves the
 * previous file as it was (temp file + fsync + rename).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SettingsFile, describeIssues, fail, ok } from './contract';
import type { Result } from './contract';

/** What {@link SettingsStore.load} found. Every variant carries settings the app can start with. */
export type LoadResult =
  /** The file was read and valid (duplicate server ids, if any, were dropped). */
  | { status: 'ok'; settings: SettingsFile }
  /** No file yet (first start): empty settings. */
  | { status: 'missing'; settings: SettingsFile }
  /**
   * The file was not valid JSON, did not match the schema, or has an unknown
   * version. It was renamed to `backupPath`; `settings` is empty and saving is allowed.
   */
  | { status: 'corrupt'; settings: SettingsFile; backupPath: string; message: string }
  /**
   * The file exists but could not be read (permissions, a folder in its place),
   * or was corrupt and could not be moved aside. `settings` is empty and
   * {@link SettingsStore.save} refuses to write until a later load succeeds,
   * so a file we never understood is not clobbered.
   */
  | { status: 'unreadable'; settings: SettingsFile; message: string };

const emptySettings = (): SettingsFile => ({ version: 1, servers: [] });

/**
 * Reads and writes Pier's settings file. All operations on one store run one
 * after another in call order, so an older snapshot never lands after a newer one.
 */
export class SettingsStore {
  /** Tail of the operation queue; never rejects. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Set by a load that found a file it could neither read nor move aside. */
  private refuseWrites: string | null = null;

  /** @param file Absolute path of the settings file, e.g. `<userData>/settings.json`. */
  constructor(readonly file: string) {}

  /** Read the settings file. Never throws for anything wrong with the file itself. */
  load(): Promise<LoadResult> {
    return this.enqueue(() => this.loadNow());
  }

  /**
   * Write `settings` atomically. An invalid value is a bug in the caller and
   * rejects; a file system failure is an expected error and comes back as
   * `SETTINGS_UNWRITABLE` with the previous file intact.
   *
   * Saving without a prior `load()` replaces whatever file is there.
   */
  save(settings: SettingsFile): Promise<Result<void>> {
    const parsed = SettingsFile.safeParse(settings);
    if (!parsed.success) {
      return Promise.reject(new Error(`SettingsStore.save got invalid settings: ${describeIssues(parsed.error, { withPath: true })}`));
    }
    const ids = new Set<string>();
    for (const server of parsed.data.servers) {
      if (ids.has(server.id)) return Promise.reject(new Error(`SettingsStore.save got duplicate server id ${server.id}`));
      ids.add(server.id);
    }
    // Serialize now: the caller may mutate its object while we wait in the queue.
    const text = `${JSON.stringify(parsed.data, null, 2)}\n`;
    return this.enqueue(() => this.writeNow(text));
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    // Keep the chain alive whatever `op` does; the caller still sees its own rejection.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async loadNow(): Promise<LoadResult> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        this.refuseWrites = null;
        return { status: 'missing', settings: emptySettings() };
      }
      return this.unreadable(
        `Pier's settings file ${this.file} could not be read (${reason(error)}). ` +
          `Pier started with no servers and will not save any changes, so the file is not overwritten. ` +
          `Fix or remove the file and restart Pier.`,
      );
    }

    const problem = findProblem(text);
    if (typeof problem !== 'string') {
      this.refuseWrites = null;
      return { status: 'ok', settings: problem.settings };
    }

    let backupPath: string;
    try {
      backupPath = await moveAside(this.file);
    } catch (error) {
      return this.unreadable(
        `Pier's settings file ${this.file} could not be read (${problem}) and could not be kept aside as a backup ` +
          `(${reason(error)}). Pier started with no servers and will not save any changes, so the file is not overwritten. ` +
          `Fix or remove the file and restart Pier.`,
      );
    }
    this.refuseWrites = null;
    return {
      status: 'corrupt',
      settings: emptySettings(),
      backupPath,
      message: `Pier's settings file could not be read (${problem}). It was kept as ${backupPath} and Pier started with no servers.`,
    };
  }

  private unreadable(message: string): LoadResult {
    this.refuseWrites = message;
    return { status: 'unreadable', settings: emptySettings(), message };
  }

  private async writeNow(text: string): Promise<Result<void>> {
    if (this.refuseWrites !== null) {
      return fail(
        'SETTINGS_UNWRITABLE',
        `Pier did not save its settings to ${this.file}, because the existing file could not be read and would be lost. ` +
          `Fix or remove the file and restart Pier.`,
      );
    }
    const dir = path.dirname(this.file);
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.mkdir(dir, { recursive: true });
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.file);
      await syncDirectory(dir);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => {
        // Best effort: the save already failed and that is what we report.
      });
      return fail('SETTINGS_UNWRITABLE', `Could not save Pier's settings to ${this.file}: ${reason(error)}.`);
    }
    return ok(undefined);
  }
}

/** Parse and validate the file's text: the settings, or why they are unusable. */
function findProblem(text: string): { settings: SettingsFile } | string {
  // A BOM is what some Windows editors add; it says nothing about the content.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return 'the file is empty';
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    return jsonProblem(body, error);
  }
  if (typeof raw === 'object' && raw !== null && 'version' in raw && raw.version !== 1) {
    return `it has version ${JSON.stringify(raw.version)}, which this version of Pier does not know; it may come from a newer Pier`;
  }
  const parsed = SettingsFile.safeParse(raw);
  if (!parsed.success) return describeIssues(parsed.error, { withPath: true }).replace(/\.$/, '');
  // Duplicate ids would make two servers answer to one id; the first one wins.
  const seen = new Set<string>();
  const servers = parsed.data.servers.filter((server) => {
    if (seen.has(server.id)) return false;
    seen.add(server.id);
    return true;
  });
  return { settings: { ...parsed.data, servers } };
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

/**
 * Rename `file` to `<name>.corrupt-<timestamp>.json` next to it and return the
 * new path. rename() would silently replace an existing file, so the name is
 * first claimed with an exclusive create; a taken name gets a numeric suffix.
 */
async function moveAside(file: string): Promise<string> {
  const { dir, name } = path.parse(file);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const backup = path.join(dir, `${name}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}.json`);
    try {
      await (await fs.open(backup, 'wx')).close();
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && n < 1000) continue;
      throw error;
    }
    try {
      await fs.rename(file, backup);
    } catch (error) {
      await fs.rm(backup, { force: true }).catch(() => {
        // Only our empty placeholder; the original is untouched.
      });
      throw error;
    }
    return backup;
  }
}

/** Make the rename itself durable. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open a folder (EISDIR/EPERM) and some file systems refuse
    // fsync on one (EINVAL). The file content itself is synced and renamed, so
    // the save stands; only the rename's durability across a power cut is weaker.
    const code = errorCode(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** A short, human reason for a file system error. */
function reason(error: unknown): string {
  switch (errorCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'part of the path is a file, not a folder';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the disk is read-only';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
