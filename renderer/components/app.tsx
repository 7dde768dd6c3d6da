import { useSelection } from '../stores/selection-store';
import { useServersLoaded } from '../stores/servers-store';
import { useDraggingFiles } from '../window-input';
import { DropOverlay } from './drop-overlay';
import { EmptyState } from './empty-state';
import { NoticeBanners } from './notice-banners';
import { ServerPane } from './server-pane';
import { Sidebar } from './sidebar';

export function App() {
  const loaded = useServersLoaded();
  const selected = useSelection();
  const dragging = useDraggingFiles();

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
