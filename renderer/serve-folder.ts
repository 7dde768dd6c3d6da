import { pier } from './pier';
import { selectServer } from './stores/selection-store';
import { addServerIfMissing } from './stores/servers-store';
import { showNotice } from './stores/notices-store';

/** Serve `root` and show the new server; a refusal (not a folder, missing…) becomes a notice. */
export async function serveRoot(root: string): Promise<void> {
  const result = await pier().createServer({ root });
  if (!result.ok) {
    showNotice(result.message);
    return;
  }
  addServerIfMissing(result.value);
  selectServer(result.value.id);
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
    let root: string;
    try {
      root = pier().pathForDroppedFile(file);
    } catch (error) {
      console.error('No path for a dropped item', error);
      root = '';
    }
    if (!root) {
      showNotice(`“${file.name}” is not a folder on this computer, so it can't be served.`);
      continue;
    }
    await serveRoot(root);
  }
}
