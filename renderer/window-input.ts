import { serveDroppedFiles, serveFolder } from './serve-folder';
import { createStore, useStore } from './stores/create-store';

// Window-wide input, attached when the script runs rather than in a React
// effect: effects run after the first render, which can be after the page's
// load event, and a drop or Cmd+O in that gap would be lost.

const draggingStore = createStore(false);

/** True while files are dragged over the window (the drop overlay shows). */
export function useDraggingFiles(): boolean {
  return useStore(draggingStore);
}

const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

/** A folder dropped anywhere on the window is served. Call once at startup. */
export function listenForDrops(): void {
  // dragenter/dragleave fire for every child crossed; count them to know when the window is left.
  let depth = 0;
  window.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth++;
    draggingStore.set(true);
  });
  window.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    // Without this the drop would make the window navigate to the file.
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) draggingStore.set(false);
  });
  window.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0;
    draggingStore.set(false);
    void serveDroppedFiles(Array.from(event.dataTransfer?.files ?? []));
  });
}

/** Cmd+O (Ctrl+O elsewhere) serves a folder, like "Open…" in any desktop app. Call once at startup. */
export function listenForShortcuts(): void {
  window.addEventListener('keydown', (event) => {
    if (!(event.metaKey || event.ctrlKey) || event.altKey || event.shiftKey) return;
    if (event.key.toLowerCase() !== 'o') return;
    event.preventDefault();
    void serveFolder();
  });
}
