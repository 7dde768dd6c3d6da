import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { LogEntry } from '../../app/contract';
import { plural } from '../format';
import { ArrowDownIcon } from './icons';
import { LogColumns, LogRow } from './log-row';

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
}

/**
 * The request rows, virtualized: only the rows in view (plus a few) exist in
 * the DOM, whatever the number of entries. It sticks to the newest entry until
 * the user scrolls up; then the rows they look at stay put while new ones
 * arrive and old ones are dropped, and "Jump to newest" brings them back.
 */
export function LogList({ entries, empty, overlay }: LogListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  // The newest seq the user had seen when they scrolled up: later ones are "new".
  const [seenSeq, setSeenSeq] = useState(0);
  // The row at the top of the view and how far into it, to hold the view still while scrolled up.
  const anchor = useRef<{ seq: number; offset: number } | null>(null);

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
  const onKeyDown = (event: KeyboardEvent) => {
    if (['ArrowUp', 'PageUp', 'Home'].includes(event.key)) stopFollowing();
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

  return (
    <div className="log-frame">
      <LogColumns />
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
              return entry ? <LogRow key={entry.seq} entry={entry} top={item.start} /> : null;
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
