import { useEffect, useId, useRef, useState, type CSSProperties } from 'react';
import type { LogFormat, ServerId } from '../../app/contract';
import { pier } from '../pier';
import { showNotice } from '../stores/notices-store';
import { ChevronIcon } from './icons';
import { HIDEABLE_COLUMNS, type LogColumnId } from './log-columns';

interface LogMenuProps {
  serverId: ServerId;
  hidden: ReadonlySet<LogColumnId>;
  onToggle(id: LogColumnId): void;
}

/** Under `button`, right edges aligned, no taller than the room left below it. */
function placeUnder(button: HTMLElement | null): CSSProperties {
  if (!button) return {};
  const rect = button.getBoundingClientRect();
  return { top: rect.bottom + 4, right: window.innerWidth - rect.right, maxHeight: window.innerHeight - rect.bottom - 12 };
}

/** "View": which columns the log shows, and export of the log as HAR or CSV (written where the user chooses). */
export function LogMenu({ serverId, hidden, onToggle }: LogMenuProps) {
  const [open, setOpen] = useState(false);
  /** Where the panel shows: fixed under its button, so the log card's clipping can't cut it in a short window. */
  const [place, setPlace] = useState<CSSProperties>({});
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    // A press anywhere else closes it, as a native menu would.
    const onPointerDown = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    // A scroll would leave the panel beside nothing, so it closes it; a resize moves it with its button.
    const onScroll = (event: Event) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onResize = () => setPlace(placeUnder(button.current));
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onResize);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', onResize);
    };
  }, [open]);

  const toggle = () => {
    if (!open) setPlace(placeUnder(button.current));
    setOpen(!open);
  };

  const save = async (format: LogFormat) => {
    setOpen(false);
    const result = await pier().saveLog(serverId, format);
    if (!result.ok) showNotice(result.message);
    else if (result.value) showNotice(`Saved the request log to ${result.value}`, 'info');
  };

  return (
    <div
      className="log-menu"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="btn"
        aria-expanded={open}
        aria-controls={menuId}
        title="Columns and export"
        onClick={toggle}
      >
        View
        <ChevronIcon className="log-menu-chevron" />
      </button>
      {open ? (
        <div className="log-menu-panel" id={menuId} style={place}>
          <fieldset className="log-menu-group">
            <legend>Columns</legend>
            <label className="log-menu-check">
              <input type="checkbox" checked disabled />
              Path
            </label>
            {HIDEABLE_COLUMNS.map((column) => (
              <label key={column.id} className="log-menu-check">
                <input type="checkbox" checked={!hidden.has(column.id)} onChange={() => onToggle(column.id)} />
                {column.title}
              </label>
            ))}
          </fieldset>
          <div className="log-menu-group" role="group" aria-labelledby={`${menuId}-export`}>
            <span className="log-menu-legend" id={`${menuId}-export`}>
              Export log
            </span>
            <button type="button" className="btn btn-small log-menu-item" onClick={() => void save('har')}>
              HAR (DevTools)…
            </button>
            <button type="button" className="btn btn-small log-menu-item" onClick={() => void save('csv')}>
              CSV (spreadsheet)…
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
