import { useId, useState } from 'react';

interface PasswordFieldsProps {
  on: boolean;
  username: string;
  password: string;
  errors: { username?: string; password?: string };
  onChange: (change: { authOn?: boolean; username?: string; password?: string }) => void;
}

/** HTTP Basic auth: a checkbox that reveals the user name and password fields. */
export function PasswordFields({ on, username, password, errors, onChange }: PasswordFieldsProps) {
  const id = useId();
  // An empty field is not an error until the user has been in it: ticking the box shouldn't shout at once.
  const [touched, setTouched] = useState({ username: false, password: false });
  const shown = { username: touched.username ? errors.username : undefined, password: touched.password ? errors.password : undefined };
  return (
    <div className="field-row field-row-stack">
      <div className="field-label">
        <label className="checkbox-label" htmlFor={id}>
          <input id={id} type="checkbox" className="checkbox" data-setting="password" checked={on} aria-describedby={`${id}-hint`} onChange={(event) => onChange({ authOn: event.target.checked })} />
          Require a password
        </label>
        <p className="field-hint" id={`${id}-hint`}>
          Visitors sign in with a user name and password (HTTP Basic). On a shared network, turn on HTTPS too.
        </p>
      </div>
      {on ? (
        <div className="auth-fields">
          <div className="stacked-field">
            <label htmlFor={`${id}-user`}>User name</label>
            <input
              id={`${id}-user`}
              className="input"
              autoComplete="off"
              spellCheck={false}
              value={username}
              aria-invalid={shown.username ? true : undefined}
              aria-describedby={shown.username ? `${id}-user-error` : undefined}
              onBlur={() => setTouched((t) => ({ ...t, username: true }))}
              onChange={(event) => onChange({ username: event.target.value })}
            />
            {shown.username ? (
              <p className="field-message field-error" id={`${id}-user-error`}>
                {shown.username}
              </p>
            ) : null}
          </div>
          <div className="stacked-field">
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              id={`${id}-password`}
              className="input"
              type="password"
              autoComplete="new-password"
              value={password}
              aria-invalid={shown.password ? true : undefined}
              aria-describedby={shown.password ? `${id}-password-error` : undefined}
              onBlur={() => setTouched((t) => ({ ...t, password: true }))}
              onChange={(event) => onChange({ password: event.target.value })}
            />
            {shown.password ? (
              <p className="field-message field-error" id={`${id}-password-error`}>
                {shown.password}
              </p>
            ) : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}
