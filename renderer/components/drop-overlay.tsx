import { DropIcon } from './icons';

/** Shown while files are dragged over the window (see window-input.ts). */
export function DropOverlay() {
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-target">
        <span className="drop-target-icon">
          <DropIcon />
        </span>
        <p>Drop to serve this folder</p>
      </div>
    </div>
  );
}
