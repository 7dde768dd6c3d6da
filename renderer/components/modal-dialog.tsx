import { useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';

interface ModalDialogProps {
  labelledBy: string;
  describedBy?: string;
  onClose: () => void;
  /** What gets focus when it opens; by default the first control. */
  initialFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}

/**
 * A real modal <dialog>: the rest of the window is inert while it is open, so
 * Tab stays inside, and Escape closes it. Mount it to open, unmount to close;
 * focus goes back to where it was.
 */
export function ModalDialog({ labelledBy, describedBy, onClose, initialFocus, className, children }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  // Read in the effect without making it re-run when the parent passes a new function.
  const closeRef = useRef(onClose);
  useLayoutEffect(() => {
    closeRef.current = onClose;
  });

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    initialFocus?.current?.focus();
    return () => {
      // Close before React removes it, so the browser leaves the modal state cleanly.
      if (dialog.open) dialog.close();
      if (returnTo?.isConnected) returnTo.focus();
    };
  }, [initialFocus]);

  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(event) => {
        // Escape: let React unmount it instead of the browser closing it behind React's back.
        event.preventDefault();
        closeRef.current();
      }}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> itself.
        if (event.target === event.currentTarget) closeRef.current();
      }}
    >
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
