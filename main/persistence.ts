import type { ServerManager } from '../app/server-manager';
import type { SettingsStore } from '../app/settings-store';
import { oncePerTurn } from './once-per-turn';

/**
 * Restores the saved servers into the manager and starts those that were
 * running. Each server stands alone: one that cannot start (a folder on a
 * failing disk, a bug) shows its error and the others still start.
 * Returns a message for the user when the settings file, or some servers in
 * it, could not be used (they are kept, never lost), or null.
 */
export async function restoreServers(manager: ServerManager, store: SettingsStore): Promise<string | null> {
  const loaded = await store.load();
  for (const saved of loaded.settings.servers) {
    const { running: _running, lastPort, ...config } = saved;
    manager.add(config, lastPort);
  }
  // Start one after another: servers on 'auto' then take ports in the saved order.
  // start() never throws: a failure is that server's state.
  for (const saved of loaded.settings.servers) {
    if (saved.running) await manager.start(saved.id);
  }
  return loaded.status === 'ok' || loaded.status === 'missing' ? null : loaded.message;
}

export interface AutoSave {
  /** Save the current state now and wait for it. */
  flush(): Promise<void>;
  /** Stop saving (at quit, before every server is stopped, so "running" survives). */
  freeze(): void;
}

/**
 * Saves the manager's servers after every change, coalesced to one write per
 * turn of the event loop (the store writes atomically and in order).
 */
export function autoSave(manager: ServerManager, store: SettingsStore, onError: (message: string) => void): AutoSave {
  let frozen = false;
  let lastError: string | null = null;

  const save = async () => {
    const result = await store.save(manager.toSettings());
    if (!result.ok && result.message !== lastError) onError(result.message);
    lastError = result.ok ? null : result.message;
  };
  const schedule = oncePerTurn(() => {
    if (!frozen) void save();
  });
  manager.on('state', schedule);
  manager.on('removed', schedule);
  return {
    flush: () => save(),
    freeze: () => {
      frozen = true;
      manager.off('state', schedule);
      manager.off('removed', schedule);
    },
  };
}
