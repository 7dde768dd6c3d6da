import { newHeaderRow, type HeaderDraft } from '../settings-draft';
import { AddRowButton } from './add-row-button';
import { CloseIcon } from './icons';
import { useRowFocus } from './use-row-focus';

interface HeadersEditorProps {
  headers: HeaderDraft[];
  errors: Record<number, string>;
  onChange: (headers: HeaderDraft[]) => void;
}

/** Extra response headers, one row each (e.g. the cross-origin isolation pair a WebAssembly build needs). */
export function HeadersEditor({ headers, errors, onChange }: HeadersEditorProps) {
  const focus = useRowFocus(headers.length, '.header-row:last-child input');

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
      <div ref={focus.list}>
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
                  focus.removed();
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
      <AddRowButton focus={focus} onAdd={() => onChange([...headers, newHeaderRow()])}>
        Add header
      </AddRowButton>
    </div>
  );
}
