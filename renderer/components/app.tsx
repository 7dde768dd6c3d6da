import { useMenuCommands } from '../commands';
import { useSelection } from '../stores/selection-store';
import { useServers, useServersLoaded } from '../stores/servers-store';
import { useDraggingFiles } from '../window-input';
import { DropOverlay } from './drop-overlay';
import { EmptyState } from './empty-state';
import { NoticeBanners } from './notice-banners';
import { openPreferences, PreferencesDialog, usePreferencesOpen } from './preferences-dialog';
import { ServerPane } from './server-pane';
import { Sidebar } from './sidebar';

export function App() {
  const loaded = useServersLoaded();
  const selected = useSelection();
  const dragging = useDraggingFiles();
  const preferencesOpen = usePreferencesOpen();
  // The application menu's commands (Find, Copy URL, Start/Stop, Ctrl/Cmd+1…9) act on what is shown here.
  useMenuCommands({ servers: useServers(), selected, openPreferences });

  return (
    <div className="app">
      <Sidebar />
      <div className="main-column">
        <NoticeBanners />
        {/* Nothing until the first list arrives: the empty state must not flash at launch. */}
        {!loaded ? null : selected ? <ServerPane key={selected.id} server={selected} /> : <EmptyState />}
      </div>
      {dragging ? <DropOverlay /> : null}
      {preferencesOpen ? <PreferencesDialog /> : null}
    </div>
  );
}
