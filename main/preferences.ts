import { fail, type AppPreferences, type PierApi, type PreferencesPatch, type Result } from '../app/contract';
import type { PreferencesStore, StoredPreferences } from './preferences-store';

/** Starting Pier at login, as the system keeps it; Electron's login items or the XDG autostart entry in the app. */
export interface LoginItem {
  /** Whether the system will start Pier at login now (the user may have changed it outside Pier). */
  enabled(): Promise<boolean>;
  set(on: boolean): Promise<void>;
}

export interface Preferences {
  handlers: Pick<PierApi, 'getPreferences' | 'setPreferences'>;
  /** What is saved now, including what Pier remembers for itself. */
  current(): StoredPreferences;
  /** Remember that closing into the tray was explained once. */
  markBackgroundExplained(): Promise<void>;
}

const visible = ({ keepRunningInTray, startAtLogin }: StoredPreferences): AppPreferences => ({ keepRunningInTray, startAtLogin });

/**
 * The window's view of the app preferences. Start at login is read from the
 * system where there is one to ask (the switch shows what will happen, also
 * after the user turned it off in their desktop's settings) and written there
 * before it is saved; without one (the e2e harness) the saved value is all
 * there is.
 */
export function createPreferences(store: PreferencesStore, loginItem: LoginItem | undefined, onChange: (prefs: StoredPreferences) => void): Preferences {
  const withSystem = async (): Promise<AppPreferences> => {
    const prefs = visible(store.current());
    return loginItem ? { ...prefs, startAtLogin: await loginItem.enabled() } : prefs;
  };

  const setPreferences = async (patch: PreferencesPatch): Promise<Result<AppPreferences>> => {
    if (patch.startAtLogin !== undefined && loginItem) {
      try {
        await loginItem.set(patch.startAtLogin);
      } catch (error) {
        const what = patch.startAtLogin ? 'turn on' : 'turn off';
        return fail('SAVE_FAILED', `Could not ${what} starting Pier at login: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const saved = await store.update(patch);
    if (!saved.ok) return saved;
    onChange(saved.value);
    return { ok: true, value: await withSystem() };
  };

  return {
    handlers: { getPreferences: withSystem, setPreferences },
    current: () => store.current(),
    async markBackgroundExplained() {
      // Not worth a message if it fails: the worst case is one more explanation next time.
      await store.update({ backgroundExplained: true });
    },
  };
}
