import type { ServerConfig, ServerId, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { START_FAILURES } from '../serve-folder';
import { isFolderError } from '../server-status';
import { draftFromConfig, hasErrors, isEmptyPatch, patchFromDraft, sameDraft, validateDraft, type SettingsDraft } from '../settings-draft';
import { createStore, useStore } from './create-store';
import { showNotice } from './notices-store';
import { serversStore } from './servers-store';

/**
 * Unapplied settings, one draft per server, kept while the user looks at
 * other servers: switching away must not throw edits away. A draft goes when
 * it is applied or discarded, when it comes to equal the server's settings,
 * or with its server.
 */
export interface DraftEntry {
  draft: SettingsDraft;
  /** Main's refusal of the last Apply, shown until the next edit. */
  error: string | null;
  /** A port the window was told is taken; Apply is refused while the draft asks for it. */
  takenPort: number | null;
  applying: boolean;
}

const draftsStore = createStore<ReadonlyMap<ServerId, DraftEntry>>(new Map());

// draftFromConfig numbers rows afresh each call: one per config, so React keys hold still while nothing is edited.
const pristine = new Map<ServerId, { configKey: string; draft: SettingsDraft }>();
function pristineDraft(config: ServerConfig): SettingsDraft {
  const configKey = JSON.stringify(config);
  const known = pristine.get(config.id);
  if (known?.configKey === configKey) return known.draft;
  const draft = draftFromConfig(config);
  pristine.set(config.id, { configKey, draft });
  return draft;
}

function put(id: ServerId, entry: DraftEntry | null): void {
  draftsStore.update((current) => {
    if (!entry && !current.has(id)) return current;
    const next = new Map(current);
    if (entry) next.set(id, entry);
    else next.delete(id);
    return next;
  });
}

const CLEAN = { error: null, takenPort: null, applying: false };

/** The server's draft: its unapplied edits, or its settings as they are. */
export function useDraft(server: ServerState): DraftEntry & { edited: boolean } {
  const entry = useStore(draftsStore).get(server.id);
  return entry ? { ...entry, edited: true } : { ...CLEAN, draft: pristineDraft(server.config), edited: false };
}

/** Servers with unapplied edits, for the sidebar's marker. */
export function useEditedServers(): ReadonlySet<ServerId> {
  return new Set(useStore(draftsStore).keys());
}

/** Change fields of a server's draft; a draft back to the server's settings is dropped. */
export function editDraft(server: ServerState, change: Partial<SettingsDraft>): void {
  const current = draftsStore.get().get(server.id);
  const draft = { ...(current?.draft ?? pristineDraft(server.config)), ...change };
  const back = !current?.applying && sameDraft(draft, pristineDraft(server.config));
  put(server.id, back ? null : { ...CLEAN, ...current, draft, error: null });
}

export function discardDraft(id: ServerId): void {
  put(id, null);
}

/** What the port field last heard from main about the port the draft asks for. */
export function notePortCheck(id: ServerId, port: number, free: boolean): void {
  const current = draftsStore.get().get(id);
  if (!current) return;
  const takenPort = free ? (current.takenPort === port ? null : current.takenPort) : port;
  if (takenPort !== current.takenPort) put(id, { ...current, takenPort });
}

/** The port a draft asks for that the window knows is taken, or null. */
export function takenPortOf(entry: DraftEntry): number | null {
  const { draft, takenPort } = entry;
  return draft.portMode === 'fixed' && takenPort !== null && Number(draft.port) === takenPort ? takenPort : null;
}

/**
 * Send a server's draft to main. A refusal (nothing changed) stays on the
 * draft; a restart that failed shows on the server itself, with its fix.
 */
export async function applyDraft(server: ServerState): Promise<void> {
  const entry = draftsStore.get().get(server.id);
  if (!entry || entry.applying || hasErrors(validateDraft(entry.draft)) || takenPortOf(entry) !== null) return;
  const patch = patchFromDraft(entry.draft, server.config);
  if (isEmptyPatch(patch)) return;
  put(server.id, { ...entry, applying: true, error: null });
  const result = await pier().updateServer(server.id, patch);
  if (!result.ok) {
    // Folder failures of a new folder come from the check made before anything stops: the server is as it was.
    const refused = result.reverted === true || !START_FAILURES.has(result.code) || (patch.root !== undefined && isFolderError(result.code));
    const latest = draftsStore.get().get(server.id) ?? entry;
    put(server.id, refused ? { ...latest, applying: false, error: result.message } : null);
    return;
  }
  put(server.id, null);
  // A server in error isn't running, so a new port isn't tried until it is started.
  if (patch.port !== undefined && result.value.status === 'error') {
    const started = await pier().startServer(server.id);
    if (!started.ok && !START_FAILURES.has(started.code)) showNotice(started.message);
  }
}

// Follow the servers: a removed server's draft goes with it, and one that
// now equals its server's settings (changed elsewhere to match) is done.
serversStore.subscribe(() => {
  const servers = new Map(serversStore.get().list.map((server) => [server.id, server]));
  for (const id of pristine.keys()) if (!servers.has(id)) pristine.delete(id);
  for (const [id, entry] of draftsStore.get()) {
    const server = servers.get(id);
    if (!server) put(id, null);
    else if (!entry.applying && sameDraft(entry.draft, pristineDraft(server.config))) put(id, null);
  }
});
