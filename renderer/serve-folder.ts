import type { ErrorCode, ServerId } from '../app/contract';
import { pier } from './pier';
import { selectServer } from './stores/selection-store';
import { addServerIfMissing, serversStore } from './stores/servers-store';
import { showNotice } from './stores/notices-store';

/** Failures of a start: main keeps the server, in status `error` with this reason, and the pane shows it. */
export const START_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PORT_IN_USE',
  'PORT_FORBIDDEN',
  'NO_FREE_PORT',
  'FOLDER_MISSING',
  'NOT_A_FOLDER',
  'FOLDER_UNREADABLE',
  'TLS_FAILED',
  'LISTEN_FAILED',
]);

/** Resolves with a server that is in the list now but not in `before`, waiting briefly for its snapshot. */
function newServerSince(before: ReadonlySet<ServerId>, waitMs: number): Promise<ServerId | null> {
  const find = () => serversStore.get().list.findLast((s) => !before.has(s.id))?.id ?? null;
  const now = find();
  if (now !== null || waitMs <= 0) return Promise.resolve(now);
  return new Promise((resolve) => {
    const stop = serversStore.subscribe(() => {
      const id = find();
      if (id !== null) finish(id);
    });
    const timer = setTimeout(() => finish(null), waitMs);
    function finish(id: ServerId | null) {
      stop();
      clearTimeout(timer);
      resolve(id);
    }
  });
}

/** Serve `root` and show the new server; a refusal (not a folder, missing…) becomes a notice. */
export async function serveRoot(root: string): Promise<void> {
  const before = new Set(serversStore.get().list.map((s) => s.id));
  const result = await pier().createServer({ root });
  if (result.ok) {
    addServerIfMissing(result.value);
    selectServer(result.value.id);
    return;
  }
  // A server that was added but could not start (e.g. its port is taken) is
  // listed in status `error`: show it, its pane explains and offers the fix.
  const added = START_FAILURES.has(result.code) ? await newServerSince(before, 500) : null;
  if (added !== null) selectServer(added);
  else showNotice(result.message);
}

let picking = false;

/** "Serve a folder": the native picker, then serve what was picked. */
export async function serveFolder(): Promise<void> {
  // Cmd+O pressed again while the picker is open would stack a second dialog.
  if (picking) return;
  picking = true;
  try {
    const root = await pier().pickFolder();
    if (root) await serveRoot(root);
  } finally {
    picking = false;
  }
}

/** Serve every folder dropped onto the window; the last one ends up selected. */
export async function serveDroppedFiles(files: readonly File[]): Promise<void> {
  for (const file of files) {
    let root = '';
    try {
      root = pier().pathForDroppedFile(file);
    } catch (error) {
      // Reported below as a notice the user can act on; the detail is for developers.
      console.error('No path for a dropped item', error);
    }
    if (!root) {
      showNotice(`“${file.name}” is not a folder on this computer, so it can't be served.`);
      continue;
    }
    await serveRoot(root);
  }
}
