import { serveFolder } from '../serve-folder';
import { FolderIcon } from './icons';

function Illustration() {
  return (
    <svg className="empty-illustration" width="112" height="96" viewBox="0 0 112 96" aria-hidden="true" focusable="false">
      <circle cx="56" cy="50" r="44" className="ill-halo" />
      <path d="M26 36a8 8 0 0 1 8-8h13l6 6h25a8 8 0 0 1 8 8v28a8 8 0 0 1-8 8H34a8 8 0 0 1-8-8z" className="ill-folder" />
      <circle cx="56" cy="55" r="11" className="ill-globe" />
      <path d="M45 55h22M56 44c3.5 3.5 3.5 18.5 0 22M56 44c-3.5 3.5-3.5 18.5 0 22" className="ill-line" />
      <path d="M84 18a10 10 0 0 1 10 10M84 9a19 19 0 0 1 19 19" className="ill-line ill-waves" />
    </svg>
  );
}

export function EmptyState() {
  return (
    <main className="empty-state" aria-labelledby="empty-title">
      <div className="empty-card">
        <Illustration />
        <h2 id="empty-title">Serve your first folder</h2>
        <p>
          Pier turns a folder into a local web server: preview it in your browser, open it on your phone, and watch every
          request as it arrives.
        </p>
        {/* Not "Serve a folder": that name belongs to the sidebar button and must stay unique. */}
        <button type="button" className="btn btn-primary btn-large" onClick={() => void serveFolder()}>
          <FolderIcon />
          Choose a folder…
        </button>
        <p className="empty-drop">or drop a folder onto this window</p>
      </div>
    </main>
  );
}
