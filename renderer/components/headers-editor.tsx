import { useEffect, useRef } from 'react';
import { newHeaderRow, type HeaderDraft } from '../settings-draft';
import { CloseIcon, PlusIcon } from './icons';

interface HeadersEditorProps {
  headers: HeaderDraft[];
  errors: Record<number, string>;
  onChange: (headers: HeaderDraft[]) => void;
}

/** Extra response headers, one row each (e.g. the cross-origin isolation pair a WebAssembly build needs). */
export function HeadersEditor({ headers, errors, onChange }: HeadersEditorProps) {
  const addButton = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  // After a row is added its name field gets focus; after one is removed, the Add button does.
  const focusAfter = useRef<'added' | 'removed' | null>(null);

  useEffect(() => {
    if (focusAfter.current === 'added') list.current?.querySelector<HTMLInputElement>('.header-row:last-child input')?.focus();
    if (focusAfter.current === 'removed') addButton.current?.focus();
    focusAfter.current = null;
  }, [headers.length]);

  const edit = (key: number, change: Partial<HeaderDraft>) => onChange(headers.map((h) => (h.key === key ? { ...h, ...change } : h)));

  return (
    <div className="headers-editor">
      {headers.length > 0 ? (
        <div className="header-columns" aria-hidden="true">
          <span>Name</span>
          <span>Value</span>
        </div>
      ) : (
        <p className="field-hint headers-empty">Add headers to every response, e.g. Cross-Origin-Opener-Policy: same-origin.</p>
      )}
      <div ref={list}>
        {headers.map((header, index) => {
          const error = errors[header.key];
          const errorId = `header-${header.key}-error`;
          return (
            <div className="header-row" key={header.key}>
              <input
                className="input mono"
                aria-label={`Header ${index + 1} name`}
                placeholder="X-Header-Name"
                spellCheck={false}
                value={header.name}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                onChange={(event) => edit(header.key, { name: event.target.value })}
              />
              <input
                className="input mono"
                aria-label={`Header ${index + 1} value`}
                placeholder="value"
                spellCheck={false}
                value={header.value}
                onChange={(event) => edit(header.key, { value: event.target.value })}
              />
              <button
                type="button"
                className="btn btn-ghost btn-icon"
                aria-label={`Remove header ${header.name.trim() || index + 1}`}
                title="Remove header"
                onClick={() => {
                  focusAfter.current = 'removed';
                  onChange(headers.filter((h) => h.key !== header.key));
                }}
              >
                <CloseIcon />
              </button>
              {error ? (
                <p className="field-message field-error" id={errorId}>
                  {error}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      <button
        ref={addButton}
        type="button"
        className="btn btn-small"
        onClick={() => {
          focusAfter.current = 'added';
          onChange([...headers, newHeaderRow()]);
        }}
      >
        <PlusIcon />
        Add header
      </button>
    </div>
  );
}
