import { useEffect, useRef, type RefObject } from 'react';

export interface RowFocus {
  list: RefObject<HTMLDivElement | null>;
  addButton: RefObject<HTMLButtonElement | null>;
  added(): void;
  removed(): void;
}

/**
 * Focus for a list of editable rows with an Add button: after a row is added
 * the first field of the last row (`lastRowInput`, a selector inside `list`)
 * gets focus; after one is removed, the Add button does, so keyboard users
 * never lose their place. Call `added()` or `removed()` before changing the rows.
 */
export function useRowFocus(count: number, lastRowInput: string): RowFocus {
  const list = useRef<HTMLDivElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const focusAfter = useRef<'added' | 'removed' | null>(null);
  useEffect(() => {
    if (focusAfter.current === 'added') list.current?.querySelector<HTMLInputElement>(lastRowInput)?.focus();
    if (focusAfter.current === 'removed') addButton.current?.focus();
    focusAfter.current = null;
  }, [count, lastRowInput]);
  return {
    list,
    addButton,
    added: () => {
      focusAfter.current = 'added';
    },
    removed: () => {
      focusAfter.current = 'removed';
    },
  };
}
