import { useId } from 'react';
import type { BalancePolicy } from '../../app/contract';
import {
  DEFAULT_CONNECT_TIMEOUT_S,
  DEFAULT_TIMEOUT_S,
  newRuleDraft,
  newUpstreamRow,
  type ProxyErrors,
  type ProxyRuleDraft,
  type ProxyRuleErrors,
} from '../proxy-draft';
import { AddRowButton } from './add-row-button';
import { CloseIcon } from './icons';
import { SwitchField } from './switch-field';
import { useRowFocus } from './use-row-focus';

const POLICIES: { value: BalancePolicy; label: string; hint: string }[] = [
  { value: 'round-robin', label: 'Round robin', hint: 'Each request goes to the next upstream in turn.' },
  { value: 'least-connections', label: 'Fewest in flight', hint: 'Each request goes to the upstream with the fewest requests in flight.' },
  { value: 'sticky', label: 'Sticky by client', hint: 'A client keeps the same upstream while it is up, for apps that keep sessions in memory.' },
];

const NO_ERRORS: ProxyRuleErrors = { upstream: {} };

/** A message beside its field, which names it through aria-describedby. */
function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p className="field-message field-error" id={id}>
      {message}
    </p>
  ) : null;
}

const described = (id: string, message: string | undefined) =>
  message ? { 'aria-invalid': true as const, 'aria-describedby': id } : { 'aria-describedby': undefined };

interface RuleEditorProps {
  rule: ProxyRuleDraft;
  index: number;
  errors: ProxyRuleErrors;
  onChange: (change: Partial<ProxyRuleDraft>) => void;
  onRemove: () => void;
}

function RuleEditor({ rule, index, errors, onChange, onRemove }: RuleEditorProps) {
  const id = useId();
  const focus = useRowFocus(rule.upstreams.length, '.upstream-row:last-of-type input');

  const name = rule.prefix.trim() || `${index + 1}`;
  const policy = POLICIES.find((p) => p.value === rule.policy) ?? POLICIES[0]!;
  const editUpstream = (key: number, url: string) => onChange({ upstreams: rule.upstreams.map((u) => (u.key === key ? { ...u, url } : u)) });

  return (
    <div className="proxy-rule" role="group" aria-label={`Proxy rule ${index + 1}`}>
      <div className="proxy-rule-head">
        <div className="stacked-field proxy-prefix">
          <label htmlFor={`${id}-prefix`}>Path prefix</label>
          <input
            id={`${id}-prefix`}
            className="input mono"
            placeholder="/api"
            spellCheck={false}
            value={rule.prefix}
            {...described(`${id}-prefix-error`, errors.prefix)}
            onChange={(event) => onChange({ prefix: event.target.value })}
          />
        </div>
        <button type="button" className="btn btn-ghost btn-icon" aria-label={`Remove proxy rule ${name}`} title="Remove rule" onClick={onRemove}>
          <CloseIcon />
        </button>
        <FieldError id={`${id}-prefix-error`} message={errors.prefix} />
      </div>

      <div className="proxy-upstreams" ref={focus.list} role="group" aria-labelledby={`${id}-upstreams-title`}>
        <span className="proxy-sub-title" id={`${id}-upstreams-title`}>
          Upstreams
        </span>
        {rule.upstreams.map((upstream, n) => {
          const error = errors.upstream[upstream.key];
          const errorId = `${id}-upstream-${upstream.key}-error`;
          return (
            <div className="upstream-row" key={upstream.key}>
              <input
                className="input mono"
                aria-label={`Upstream ${n + 1} URL`}
                placeholder="http://127.0.0.1:3000"
                spellCheck={false}
                value={upstream.url}
                {...described(errorId, error)}
                onChange={(event) => editUpstream(upstream.key, event.target.value)}
              />
              <button
                type="button"
                className="btn btn-ghost btn-icon"
                aria-label={`Remove upstream ${upstream.url.trim() || n + 1}`}
                title="Remove upstream"
                onClick={() => {
                  focus.removed();
                  onChange({ upstreams: rule.upstreams.filter((u) => u.key !== upstream.key) });
                }}
              >
                <CloseIcon />
              </button>
              <FieldError id={errorId} message={error} />
            </div>
          );
        })}
        <FieldError id={`${id}-upstreams-error`} message={errors.upstreams} />
        <AddRowButton focus={focus} onAdd={() => onChange({ upstreams: [...rule.upstreams, newUpstreamRow()] })}>
          Add upstream
        </AddRowButton>
      </div>

      <div className="proxy-switches">
        <SwitchField
          label="Strip prefix"
          hint={`${rule.prefix.trim().startsWith('/') ? rule.prefix.trim() : '/api'}/users is forwarded as /users.`}
          checked={rule.stripPrefix}
          onChange={(stripPrefix) => onChange({ stripPrefix })}
        />
        <SwitchField
          label="Keep the client’s Host"
          hint="Send the Host header the browser sent, instead of the upstream’s own."
          checked={rule.keepHost}
          onChange={(keepHost) => onChange({ keepHost })}
        />
        {rule.upstreams.length > 1 ? (
          <div className="field-row field-row-select">
            <div className="field-label">
              <label htmlFor={`${id}-policy`}>Balancing</label>
            </div>
            <select
              id={`${id}-policy`}
              className="select"
              value={rule.policy}
              aria-describedby={`${id}-policy-hint`}
              onChange={(event) => onChange({ policy: event.target.value as BalancePolicy })}
            >
              {POLICIES.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            <p className="field-hint field-hint-wide" id={`${id}-policy-hint`}>
              {policy.hint}
            </p>
          </div>
        ) : null}
      </div>

      <div className="proxy-numbers">
        <div className="stacked-field">
          <label htmlFor={`${id}-health`}>Health check path</label>
          <input
            id={`${id}-health`}
            className="input mono"
            placeholder="none"
            spellCheck={false}
            value={rule.healthPath}
            {...described(`${id}-health-error`, errors.healthPath)}
            onChange={(event) => onChange({ healthPath: event.target.value })}
          />
          <FieldError id={`${id}-health-error`} message={errors.healthPath} />
        </div>
        <SecondsField
          id={`${id}-connect`}
          label="Connect timeout (s)"
          fallback={DEFAULT_CONNECT_TIMEOUT_S}
          value={rule.connectTimeout}
          error={errors.connectTimeout}
          onChange={(connectTimeout) => onChange({ connectTimeout })}
        />
        <SecondsField
          id={`${id}-timeout`}
          label="Response timeout (s)"
          fallback={DEFAULT_TIMEOUT_S}
          value={rule.timeout}
          error={errors.timeout}
          onChange={(timeout) => onChange({ timeout })}
        />
      </div>
    </div>
  );
}

interface SecondsFieldProps {
  id: string;
  label: string;
  /** The default, shown while the field is empty. */
  fallback: number;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}

/** A timeout typed in seconds, with its error below it. */
function SecondsField({ id, label, fallback, value, error, onChange }: SecondsFieldProps) {
  return (
    <div className="stacked-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input number-input"
        inputMode="decimal"
        placeholder={String(fallback)}
        value={value}
        {...described(`${id}-error`, error)}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

interface ProxyEditorProps {
  rules: ProxyRuleDraft[];
  errors: ProxyErrors;
  onChange: (rules: ProxyRuleDraft[]) => void;
}

/** Reverse-proxy rules: requests under a path prefix go to one or more upstream servers. */
export function ProxyEditor({ rules, errors, onChange }: ProxyEditorProps) {
  const focus = useRowFocus(rules.length, '.proxy-rule:last-child input');

  return (
    <div className="proxy-editor">
      {rules.length === 0 ? (
        <p className="field-hint proxy-empty">Send requests under a path, such as /api, to another server (a dev API, a backend on another port) and serve the rest from the folder.</p>
      ) : null}
      <div className="proxy-rules" ref={focus.list}>
        {rules.map((rule, index) => (
          <RuleEditor
            key={rule.key}
            rule={rule}
            index={index}
            errors={errors.rules[rule.key] ?? NO_ERRORS}
            onChange={(change) => onChange(rules.map((r) => (r.key === rule.key ? { ...r, ...change } : r)))}
            onRemove={() => {
              focus.removed();
              onChange(rules.filter((r) => r.key !== rule.key));
            }}
          />
        ))}
      </div>
      {errors.list ? <p className="field-message field-error proxy-list-error">{errors.list}</p> : null}
      <AddRowButton focus={focus} onAdd={() => onChange([...rules, newRuleDraft()])}>
        Add proxy rule
      </AddRowButton>
    </div>
  );
}
