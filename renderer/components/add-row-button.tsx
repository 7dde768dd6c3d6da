import type { ReactNode } from 'react';

import { PlusIcon } from './icons';
import type { RowFocus } from './use-row-focus';

/** The "Add …" button under a list of editable rows: the new row's first field gets focus (useRowFocus). */
export function AddRowButton({ focus, onAdd, children }: { focus: RowFocus; onAdd(): void; children: ReactNode }) {
  return (
    <button
      ref={focus.addButton}
      type="button"
      className="btn btn-small"
      onClick={() => {
        focus.added();
        onAdd();
      }}
    >
      <PlusIcon />
      {children}
    </button>
  );
}
