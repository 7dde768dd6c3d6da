import { serveFolder } from '../serve-folder';
import { DropIcon, PlusIcon, SlidersIcon } from './icons';
import { PierMark } from './pier-mark';
import { openPreferences } from './preferences-dialog';
import { ServerList } from './server-list';

const isMac = /Mac|iPhone|iPad/.test(navigator.platform);

export function Sidebar() {
  return (
    <aside className="sidebar">
      <div className="sidebar-brand">
        <PierMark />
        <h1>Pier</h1>
      </div>
      <button
        type="button"
        className="btn btn-primary btn-block serve-button"
        aria-keyshortcuts={isMac ? 'Meta+O' : 'Control+O'}
        onClick={() => void serveFolder()}
      >
        <PlusIcon />
        Serve a folder
        {/* aria-hidden keeps the accessible name exactly "Serve a folder"; aria-keyshortcuts says it instead. */}
        <kbd aria-hidden="true">{isMac ? '⌘O' : 'Ctrl+O'}</kbd>
      </button>
      <ServerList />
      <p className="sidebar-hint">
        <DropIcon />
        Drop a folder anywhere to serve it
      </p>
      <button
        type="button"
        className="btn btn-ghost btn-block sidebar-preferences"
        aria-keyshortcuts={isMac ? 'Meta+,' : 'Control+,'}
        onClick={openPreferences}
      >
        <SlidersIcon />
        Preferences
      </button>
    </aside>
  );
}
