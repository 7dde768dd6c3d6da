import { useEffect } from 'react';
import { serveFolder } from '../serve-folder';
import { useSelection } from '../stores/selection-store';
import { useServersLoaded } from '../stores/servers-store';
import { DropOverlay, useFolderDrop } from './drop-overlay';
import { EmptyState } from './empty-state';
import { NoticeBanners } from './notice-banners';
import { ServerPane } from './server-pane';
import { Sidebar } from './sidebar';

/** Cmd+O (Ctrl+O elsewhere) serves a folder, like "Open…" in any desktop app. */
function useServeShortcut(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.metaKey || event.ctrlKey) || event.altKey || event.shiftKey) return;
      if (event.key.toLowerCase() !== 'o') return;
      event.preventDefault();
      void serveFolder();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

export function App() {
  const loaded = useServersLoaded();
  const selected = useSelection();
  const dragging = useFolderDrop();
  useServeShortcut();

  return (
    <div className="app">
      <Sidebar />
      <div className="main-column">
        <NoticeBanners />
        {/* Nothing until the first list arrives: the empty state must not flash at launch. */}
        {!loaded ? null : selected ? <ServerPane key={selected.id} server={selected} /> : <EmptyState />}
      </div>
      {dragging ? <DropOverlay /> : null}
    </div>
  );
}
