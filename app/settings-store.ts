/**
 * The settings store: every server's options in one JSON file.
 *
 * Promises to the user, all of them "never lose data":
 * - A file we cannot understand as a whole (not JSON, not an object, an
 *   unknown version, `servers` not a list) is kept aside as a backup
 *   (`settings.corrupt-<time>.json`), never overwritten; Pier starts empty.
 * - One bad server is not a bad file. Each entry of `servers` is checked on
 *   its own: the valid ones load; an invalid one (a port of 70000, a
 *   duplicate id, not an object at all) stays in the file exactly as it was,
 *   after the loaded servers, and every save writes it back unchanged, until
 *   the user corrects or deletes it by hand. The load says which server and
 *   why (status `partial`). Kept in place, not under a separate key, so a
 *   newer Pier that wrote the entry reads it back as its own.
 * - Unknown keys (at the top, in a server, in its `auth` or a header rule) are
 *   ignored: the app never sees them, and every save writes them back where
 *   they were (a header rule's only while the header list keeps its length).
 *   What is written back is what the last load found; a save without a load
 *   replaces the file.
 * - A save either lands whole or leaves the previous file as it was (temp
 *   file + fsync + rename), and the file is private (0600, created so before
 *   a byte is written): it holds passwords. A backup is made private too.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SettingsFile, describeIssues, fail, ok } from './contract';
import type { Result } from './contract';
import { nothingKept, parseSettings, settingsText, type KeptContent, type SetAsideServer } from './settings-file';

export type { SetAsideServer } from './settings-file';

// Owner read and write only: the file holds Basic-auth passwords.
const PRIVATE_MODE = 0o600;

/** What {@link SettingsStore.load} found. Every variant carries settings the app can start with. */
export type LoadResult =
  /** The file was read and every server in it is valid. */
  | { status: 'ok'; settings: SettingsFile }
  /**
   * The file was read, but some server entries could not be loaded. `settings`
   * holds the others; the entries stay in the file as they were (saves write
   * them back). `message` names each one and says why, for the user.
   */
  | { status: 'partial'; settings: SettingsFile; setAside: SetAsideServer[]; message: string }
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
  /** What the last load found beyond the settings the app uses; written back by every save. */
  private kept: KeptContent = nothingKept();

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
    // Serialize now: the caller may mutate its object while we wait in the queue
    // (and a load queued before this save must set `kept` first).
    const settingsNow = structuredClone(parsed.data);
    return this.enqueue(() => this.writeNow(settingsText(settingsNow, this.kept)));
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
        this.kept = nothingKept();
        return { status: 'missing', settings: emptySettings() };
      }
      return this.unreadable(
        `Pier's settings file ${this.file} could not be read (${reason(error)}). ` +
          `Pier started with no servers and will not save any changes, so the file is not overwritten. ` +
          `Fix or remove the file and restart Pier.`,
      );
    }

    const read = parseSettings(text);
    if (typeof read !== 'string') {
      this.refuseWrites = null;
      this.kept = read.kept;
      if (read.setAside.length === 0) return { status: 'ok', settings: read.settings };
      return {
        status: 'partial',
        settings: read.settings,
        setAside: read.setAside,
        message: setAsideMessage(this.file, read.setAside),
      };
    }
    const problem = read;

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
    this.kept = nothingKept();
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
    try {
      await writeFileAtomically(this.file, text);
    } catch (error) {
      return fail('SETTINGS_UNWRITABLE', `Could not save Pier's settings to ${this.file}: ${reason(error)}.`);
    }
    return ok(undefined);
  }
}

/**
 * Write `text` to `file` so that it either lands whole or the previous file
 * stays as it was: a temp file beside it, fsync, rename, fsync the folder.
 * Created with `mode` before a byte is written (private by default: a chmod
 * after writing would leave a password readable for a moment). Throws the
 * file system's error; the temp file is gone either way.
 */
export async function writeFileAtomically(file: string, text: string, mode = PRIVATE_MODE): Promise<void> {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.mkdir(dir, { recursive: true });
    const handle = await fs.open(temp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    await syncDirectory(dir);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => {
      // Best effort: the write already failed and that is what the caller reports.
    });
    throw error;
  }
}

/** For the user: which saved servers did not load, why, and that they are not lost. */
function setAsideMessage(file: string, setAside: SetAsideServer[]): string {
  const count = setAside.length === 1 ? '1 saved server' : `${setAside.length} saved servers`;
  const which = setAside.map(({ label, reason }) => `${label} (${reason})`).join('; ');
  const it = setAside.length === 1 ? 'It is' : 'They are';
  return (
    `Pier could not load ${count} from ${file}: ${which}. ${it} kept in the file unchanged. ` +
    `Correct or remove ${setAside.length === 1 ? 'it' : 'them'} there and restart Pier.`
  );
}

/**
 * Rename `file` to `<name>.corrupt-<timestamp>.json` next to it and return the
 * new path. rename() would silently replace an existing file, so the name is
 * first claimed with an exclusive create; a taken name gets a numeric suffix.
 */
export async function moveAside(file: string): Promise<string> {
  const { dir, name } = path.parse(file);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const backup = path.join(dir, `${name}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}.json`);
    try {
      await (await fs.open(backup, 'wx', PRIVATE_MODE)).close();
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
    // The rename brought the original's mode along; an older Pier wrote it world-readable.
    await fs.chmod(backup, PRIVATE_MODE).catch(() => {
      // Best effort (Windows has no such modes): the backup itself is made, which is what matters.
    });
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
export function reason(error: unknown): string {
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
