import { useRef } from 'react';
import type { ServerState } from '../../app/contract';
import { ModalDialog } from './modal-dialog';

export function RemoveDialog({ server, onCancel, onRemove }: { server: ServerState; onCancel: () => void; onRemove: () => void }) {
  // Cancel first: Enter on a freshly opened confirmation must not destroy anything.
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <ModalDialog labelledBy="remove-title" describedBy="remove-text" onClose={onCancel} initialFocus={cancel} className="dialog-confirm">
      <h2 id="remove-title">Remove “{server.config.name}”?</h2>
      <p id="remove-text">
        The server stops and leaves Pier. The folder and its files stay where they are.
      </p>
      <div className="dialog-actions">
        <button ref={cancel} type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" onClick={onRemove}>
          Remove
        </button>
      </div>
    </ModalDialog>
  );
}
