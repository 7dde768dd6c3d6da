/**
 * App-level preferences in their own file, `preferences.json` beside
 * `settings.json`. Their own file because main owns them while the engine
 * process owns the settings file: two processes writing one file would lose
 * each other's changes.
 *
 * The same promises as the settings store, at the scale of a few switches:
 * - A value that is not valid (say `"keepRunningInTray": "yes"`) means the
 *   default for that preference, with a message naming it; the value stays in
 *   the file until the user changes that preference. A save writes back only
 *   what changed, merged into what the file held, unknown keys included.
 * - A file that is not a JSON object is kept aside as a backup
 *   (`preferences.corrupt-<time>.json`) and Pier starts with the defaults.
 * - A file that can't be read is never written over.
 * - Writes are atomic (temp file, fsync, rename) and in call order.
 */
import { promises as fs } from 'node:fs';
import { z } from 'zod';

import { AppPreferences, fail, ok, type Result } from '../app/contract';
import { moveAside, reason, writeFileAtomically } from '../app/settings-store';

/** What the file holds: the preferences people set, and what Pier remembers for itself. */
export const StoredPreferences = AppPreferences.extend({
  /** The first close into the tray was explained; it is not explained again. */
  backgroundExplained: z.boolean().default(false),
});
export type StoredPreferences = z.infer<typeof StoredPreferences>;

const defaults = (): StoredPreferences => StoredPreferences.parse({});
// Without defaults: zod 4 would fill every key left out of a partial() with its default.
const Patch = z.strictObject({ keepRunningInTray: z.boolean(), startAtLogin: z.boolean(), backgroundExplained: z.boolean() }).partial();
// Each key on its own, so one bad value costs only that preference.
const shape = StoredPreferences.shape;
type Key = keyof StoredPreferences;

export class PreferencesStore {
  private values: StoredPreferences = defaults();
  /** The file's object as last read or written: what a save merges into. */
  private raw: Record<string, unknown> = {};
  /** Set when the file exists but could not be read: writing would lose it. */
  private refuseWrites: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** @param file Absolute path, e.g. `<userData>/preferences.json`. */
  constructor(readonly file: string) {}

  /** The preferences as loaded or last saved. */
  current(): StoredPreferences {
    return { ...this.values };
  }

  /** Read the file. Returns a message for the user when something in it could not be used, else null. Never throws. */
  load(): Promise<string | null> {
    return this.enqueue(() => this.loadNow());
  }

  /** Change some preferences and save them; the file keeps everything else it held. */
  update(patch: Partial<StoredPreferences>): Promise<Result<StoredPreferences>> {
    const checked = Patch.parse(patch);
    return this.enqueue(() => this.updateNow(checked));
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async loadNow(): Promise<string | null> {
    this.values = defaults();
    this.raw = {};
    this.refuseWrites = null;
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      this.refuseWrites = `Pier's preferences file ${this.file} could not be read (${reason(error)}).`;
      return `${this.refuseWrites} Pier uses the default preferences and will not save changes to them, so the file is not overwritten.`;
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      try {
        const backup = await moveAside(this.file);
        return `Pier's preferences file could not be read (it is not a JSON object). It was kept as ${backup} and Pier uses the default preferences.`;
      } catch (error) {
        this.refuseWrites = `Pier's preferences file ${this.file} could not be read and could not be kept aside (${reason(error)}).`;
        return `${this.refuseWrites} Pier uses the default preferences and will not save changes to them.`;
      }
    }

    this.raw = parsed as Record<string, unknown>;
    const problems: string[] = [];
    const values: Record<string, unknown> = defaults();
    for (const key of Object.keys(shape) as Key[]) {
      if (!Object.hasOwn(this.raw, key)) continue;
      const value = shape[key].safeParse(this.raw[key]);
      if (value.success) values[key] = value.data;
      else problems.push(`${key} is ${JSON.stringify(this.raw[key])}, not true or false`);
    }
    this.values = values as StoredPreferences;
    if (problems.length === 0) return null;
    return (
      `Some of Pier's preferences in ${this.file} are not valid: ${problems.join('; ')}. ` +
      `Pier uses the default for ${problems.length === 1 ? 'it' : 'them'} until you change ${problems.length === 1 ? 'it' : 'them'} in Preferences.`
    );
  }

  private async updateNow(patch: Partial<StoredPreferences>): Promise<Result<StoredPreferences>> {
    if (this.refuseWrites !== null) {
      return fail('SETTINGS_UNWRITABLE', `${this.refuseWrites} Pier did not save the change, so the file is not lost. Fix or remove the file and restart Pier.`);
    }
    const raw = { ...this.raw, ...patch };
    try {
      // Not private like the settings file: nothing secret in here.
      await writeFileAtomically(this.file, `${JSON.stringify(raw, null, 2)}\n`, 0o644);
    } catch (error) {
      return fail('SETTINGS_UNWRITABLE', `Could not save Pier's preferences to ${this.file}: ${reason(error)}.`);
    }
    this.raw = raw;
    this.values = { ...this.values, ...patch };
    return ok(this.current());
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
