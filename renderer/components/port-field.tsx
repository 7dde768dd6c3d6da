import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ServerId } from '../../app/contract';
import { pier } from '../pier';
import { parsePort } from '../settings-draft';

interface PortFieldProps {
  serverId: ServerId;
  mode: 'auto' | 'fixed';
  value: string;
  lan: boolean;
  /** The port the server listens on now, if it runs. */
  boundPort: number | null;
  /** The draft asks for another port than the server's settings (checked again when the field comes back into view). */
  edited: boolean;
  error: string | undefined;
  /** The port the server's error alert already offers; its button is not repeated here. */
  offeredElsewhere: number | undefined;
  onChange: (change: { portMode: 'auto' | 'fixed'; port: string }) => void;
  /** Each answer from main, so Apply can be refused on a port known to be taken. */
  onChecked: (port: number, free: boolean) => void;
}

interface Check {
  port: number;
  lan: boolean;
  free: boolean;
  suggested: number | null;
}

export function PortField({ serverId, mode, value, lan, boundPort, edited, error, offeredElsewhere, onChange, onChecked }: PortFieldProps) {
  const id = useId();
  const [check, setCheck] = useState<Check | null>(null);
  // Ask main only once the user has touched the field: a saved port is checked when the server starts.
  const [touched, setTouched] = useState(edited);
  const port = mode === 'fixed' ? parsePort(value) : null;
  // The parent's callback is new every render; the check must not run again because of that.
  const checked = useRef(onChecked);
  checked.current = onChecked;

  const runCheck = useCallback(
    (candidate: number) => {
      pier()
        .checkPort(candidate, lan, serverId)
        .then(
          (result) => {
            setCheck({ port: candidate, lan, free: result.free, suggested: result.suggestedPort });
            checked.current(candidate, result.free);
          },
          (reason: unknown) => console.error('Could not check the port', reason),
        );
    },
    [lan, serverId],
  );

  useEffect(() => {
    if (!touched || port === null) return;
    const timer = setTimeout(() => runCheck(port), 300);
    return () => clearTimeout(timer);
  }, [touched, port, runCheck]);

  // An answer counts only for what the field says now.
  const taken = check && check.port === port && check.lan === lan && !check.free ? check : null;
  const offer = taken?.suggested ?? null;

  return (
    <div className="field-row field-row-port">
      <div className="field-label">
        <label htmlFor={id}>Port</label>
        <p className="field-hint" id={`${id}-hint`}>
          {mode === 'auto' ? 'The first free port from 8080.' : 'Always this port, so bookmarks keep working.'}
        </p>
      </div>
      <div className="port-control">
        <fieldset className="segmented">
          <legend className="visually-hidden">Port assignment</legend>
          {(['auto', 'fixed'] as const).map((choice) => (
            <label key={choice} className="segmented-option">
              <input
                type="radio"
                name={`${id}-mode`}
                value={choice}
                checked={mode === choice}
                onChange={() => {
                  setTouched(true);
                  onChange({ portMode: choice, port: choice === 'fixed' && value === '' ? String(boundPort ?? 8080) : value });
                }}
              />
              {choice === 'auto' ? 'Automatic' : 'Fixed'}
            </label>
          ))}
        </fieldset>
        <input
          id={id}
          className="input port-input mono"
          type="number"
          inputMode="numeric"
          min={1}
          max={65535}
          step={1}
          disabled={mode === 'auto'}
          placeholder={mode === 'auto' && boundPort !== null ? String(boundPort) : 'auto'}
          value={mode === 'auto' ? '' : value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : taken ? `${id}-taken` : `${id}-hint`}
          onChange={(event) => {
            setTouched(true);
            onChange({ portMode: mode, port: event.target.value });
          }}
          onBlur={() => {
            setTouched(true);
            if (port !== null) runCheck(port);
          }}
        />
      </div>
      {error ? (
        <p className="field-message field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : taken ? (
        <p className="field-message field-warning" id={`${id}-taken`}>
          <span>
            Port {taken.port} is in use.{offer !== null ? ` Use ${offer}?` : ''}
          </span>
          {offer !== null && offer !== offeredElsewhere ? (
            <button type="button" className="btn btn-small" onClick={() => onChange({ portMode: 'fixed', port: String(offer) })}>
              Use port {offer}
            </button>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
