import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import type { LogEntry } from '../../app/contract';
import { plural } from '../format';
import { ArrowDownIcon } from './icons';
import type { LogColumnId } from './log-columns';
import { LogColumnTitles, LogRow } from './log-row';

/** Every row has this height (px), so positions are arithmetic and nothing is measured. Keep in sync with --log-row in log.css. */
export const ROW_HEIGHT = 26;

/** Index of the first entry with seq >= `seq` (entries are sorted by seq). */
function lowerBound(entries: readonly LogEntry[], seq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface LogListProps {
  entries: readonly LogEntry[];
  /** Shown in place of rows when there are none. */
  empty: ReactNode;
  /** Floats over the top of the rows (the "Paused" note). */
  overlay?: ReactNode;
  /** A line above the rows (older requests were dropped). */
  notice?: ReactNode;
  /** The columns shown, in order, and their grid template. */
  columns: readonly { id: LogColumnId; title: string }[];
  template: string;
  /** The request whose details are open, if any. */
  selectedSeq: number | null;
  /** Click or Enter on a row. */
  onOpen(entry: LogEntry): void;
  /** Esc on a row. */
  onEscape(): void;
}

const rowSeq = (target: EventTarget) => {
  const row = (target as HTMLElement).closest?.<HTMLElement>('[data-seq]');
  return row ? Number(row.dataset.seq) : null;
};

/**
 * The request rows, virtualized: only the rows in view (plus a few) exist in
 * the DOM, whatever the number of entries. It sticks to the newest entry until
 * the user scrolls up; then the rows they look at stay put while new ones
 * arrive and old ones are dropped, and "Jump to newest" brings them back.
 */
export function LogList({ entries, empty, overlay, notice, columns, template, selectedSeq, onOpen, onEscape }: LogListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  // The newest seq the user had seen when they scrolled up: later ones are "new".
  const [seenSeq, setSeenSeq] = useState(0);
  // The row at the top of the view and how far into it, to hold the view still while scrolled up.
  const anchor = useRef<{ seq: number; offset: number } | null>(null);
  // The row Tab lands on (roving tabindex), and one to focus once the virtualizer has rendered it.
  const [activeSeq, setActiveSeq] = useState<number | null>(null);
  const pendingFocus = useRef<number | null>(null);

  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (following) {
      el.scrollTop = el.scrollHeight;
      return;
    }
    // Filtered down to less than a screenful: there is nothing left to look back at.
    if (el.scrollHeight <= el.clientHeight) {
      setFollowing(true);
      return;
    }
    const held = anchor.current;
    if (!held) return;
    const target = lowerBound(entries, held.seq) * ROW_HEIGHT + held.offset;
    if (Math.abs(el.scrollTop - target) >= 1) el.scrollTop = target;
  }, [entries, following]);

  const stopFollowing = () => {
    const el = scroller.current;
    // Nothing to scroll back to: keep following, or "Jump to newest" would show with nowhere to jump from.
    if (!following || !el || el.scrollTop <= 0 || el.scrollHeight <= el.clientHeight) return;
    setFollowing(false);
    setSeenSeq(entries[entries.length - 1]?.seq ?? 0);
  };

  // The user's wish to look back is read from the input itself: its scroll
  // event comes a frame later, and a batch landing in between would otherwise
  // snap the view back to the newest entry.
  const focusIndex = (index: number) => {
    const entry = entries[Math.max(0, Math.min(entries.length - 1, index))];
    if (!entry) return;
    setActiveSeq(entry.seq);
    virtualizer.scrollToIndex(lowerBound(entries, entry.seq), { align: 'auto' });
    // A row already rendered takes focus now; one scrolled into view gets it once the virtualizer has drawn it.
    const row = scroller.current?.querySelector<HTMLElement>(`[data-seq="${entry.seq}"]`);
    if (row) row.focus();
    else pendingFocus.current = entry.seq;
  };

  useEffect(() => {
    const seq = pendingFocus.current;
    if (seq === null) return;
    const row = scroller.current?.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
    if (row) {
      pendingFocus.current = null;
      row.focus({ preventScroll: true });
    }
  });

  const onKeyDown = (event: KeyboardEvent) => {
    if (['ArrowUp', 'PageUp', 'Home'].includes(event.key)) stopFollowing();
    const seq = rowSeq(event.target);
    if (seq === null) {
      // On the list itself: the arrows step into the rows, starting where the eye is.
      if (event.target === scroller.current && (event.key === 'ArrowDown' || event.key === 'ArrowUp') && entries.length > 0) {
        event.preventDefault();
        const top = Math.floor((scroller.current?.scrollTop ?? 0) / ROW_HEIGHT);
        focusIndex(event.key === 'ArrowUp' || following ? entries.length - 1 : top);
      }
      return;
    }
    const index = lowerBound(entries, seq);
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in step) focusIndex(index + step[event.key]!);
    else if (event.key === 'Home') focusIndex(0);
    else if (event.key === 'End') focusIndex(entries.length - 1);
    else if (event.key === 'Enter' || event.key === ' ') {
      const entry = entries[index];
      if (entry) onOpen(entry);
    } else if (event.key === 'Escape') onEscape();
    else return;
    event.preventDefault();
  };

  const onClick = (event: MouseEvent) => {
    const seq = rowSeq(event.target);
    const entry = seq === null ? undefined : entries[lowerBound(entries, seq)];
    if (!entry || entry.seq !== seq) return;
    setActiveSeq(seq);
    onOpen(entry);
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const top = Math.floor(el.scrollTop / ROW_HEIGHT);
    const topEntry = entries[top];
    anchor.current = topEntry ? { seq: topEntry.seq, offset: el.scrollTop - top * ROW_HEIGHT } : null;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT / 2;
    if (atBottom && !following) setFollowing(true);
    else if (!atBottom) stopFollowing();
  };

  const newCount = following ? 0 : entries.length - lowerBound(entries, seenSeq + 1);
  const columnIds = useMemo(() => columns.map((column) => column.id), [columns]);
  const tabbableSeq = activeSeq ?? selectedSeq;

  return (
    // The grid template comes through the style property (CSSOM), which the CSP allows.
    <div className="log-frame" style={{ ['--log-columns' as string]: template }}>
      <LogColumnTitles columns={columns} />
      {notice}
      {overlay}
      <div
        ref={scroller}
        className="log-scroller"
        role="log"
        aria-label="Request log"
        // role="log" is a polite live region by default; reading out thousands of requests a second would drown a screen reader.
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(event) => event.deltaY < 0 && stopFollowing()}
        onKeyDown={onKeyDown}
        onClick={onClick}
        // A row that gets focus holds still: new requests arriving would otherwise scroll it away.
        onFocus={(event) => {
          if (event.target !== scroller.current) stopFollowing();
        }}
        // A press on the scroll bar (right of the content box) starts a drag.
        onPointerDown={(event) => {
          const el = event.currentTarget;
          if (event.clientX >= el.getBoundingClientRect().left + el.clientWidth) stopFollowing();
        }}
      >
        {entries.length === 0 ? (
          <div className="log-empty">{empty}</div>
        ) : (
          <div className="log-rows" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const entry = entries[item.index];
              return entry ? (
                <LogRow
                  key={entry.seq}
                  entry={entry}
                  top={item.start}
                  columns={columnIds}
                  selected={entry.seq === selectedSeq}
                  tabbable={entry.seq === tabbableSeq}
                />
              ) : null;
            })}
          </div>
        )}
      </div>
      {!following && entries.length > 0 ? (
        <div className="jump-to-newest">
          {newCount > 0 ? <span className="jump-count">{plural(newCount, 'new', 'new')}</span> : null}
          <button type="button" className="btn btn-small" onClick={() => setFollowing(true)}>
            <ArrowDownIcon />
            Jump to newest
          </button>
        </div>
      ) : null}
    </div>
  );
}
