import { useEffect, useState } from 'react';

import type { AppPreferences, PreferencesPatch } from '../../app/contract';
import { pier } from '../pier';
import { createStore, useStore } from '../stores/create-store';
import { ModalDialog } from './modal-dialog';
import { SwitchField } from './switch-field';

// Opened from the menu (Preferences…, Ctrl/Cmd+,) and from the sidebar's button.
const openStore = createStore(false);

export function openPreferences(): void {
  openStore.set(true);
}

export function usePreferencesOpen(): boolean {
  return useStore(openStore);
}

/**
 * Pier's own preferences, for the app as a whole rather than one server. Each
 * switch is saved (and start at login registered with the system) as it is
 * flipped: there is nothing to apply.
 */
export function PreferencesDialog() {
  const [prefs, setPrefs] = useState<AppPreferences | null>(null);
  const [error, setError] = useState<string | null>(null);
  const close = () => openStore.set(false);

  useEffect(() => {
    let live = true;
    void pier()
      .getPreferences()
      .then((loaded) => live && setPrefs(loaded));
    return () => {
      live = false;
    };
  }, []);

  const change = async (patch: PreferencesPatch) => {
    if (!prefs) return;
    const before = prefs;
    setPrefs({ ...prefs, ...patch });
    setError(null);
    const result = await pier().setPreferences(patch);
    if (result.ok) setPrefs(result.value);
    else {
      setPrefs(before);
      setError(result.message);
    }
  };

  return (
    <ModalDialog labelledBy="preferences-title" describedBy="preferences-text" onClose={close} className="dialog-preferences">
      <h2 id="preferences-title">Preferences</h2>
      <p id="preferences-text">For Pier as a whole. Each server’s own options are in its Settings.</p>
      {prefs ? (
        <div className="group-box preferences-group">
          <SwitchField
            label="Keep servers running when the window is closed"
            hint="Closing the window hides it and Pier stays in the tray, still serving. Quit Pier from the tray icon’s menu to stop every server."
            checked={prefs.keepRunningInTray}
            onChange={(on) => void change({ keepRunningInTray: on })}
          />
          <SwitchField
            label="Start Pier at login"
            hint="Pier opens when you log in, with the servers that were running when it last quit. With the servers kept running, it starts in the tray, without a window."
            checked={prefs.startAtLogin}
            onChange={(on) => void change({ startAtLogin: on })}
          />
        </div>
      ) : (
        <p className="preferences-loading">Loading…</p>
      )}
      {error ? (
        <p role="alert" className="preferences-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={close}>
          Done
        </button>
      </div>
    </ModalDialog>
  );
}
