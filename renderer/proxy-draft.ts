import type { BalancePolicy, ProxyRule as ProxyRuleValue } from '../app/contract';
// The contract's own schemas check a rule while it is typed, so the window says
// exactly what main would answer. contract.ts is pure (zod and channel names);
// eslint.config.js lets the renderer import values only from app/contract and app/format.
import { describeIssues, ProxyRule, ServerOptions, UpstreamUrl } from '../app/contract';

export interface UpstreamDraft {
  /** Stable React key: rows can be removed from the middle. */
  key: number;
  url: string;
}

/** One proxy rule as the settings form edits it: text as typed, timeouts in seconds. */
export interface ProxyRuleDraft {
  key: number;
  prefix: string;
  upstreams: UpstreamDraft[];
  stripPrefix: boolean;
  keepHost: boolean;
  policy: BalancePolicy;
  /** Seconds, as typed. */
  connectTimeout: string;
  /** Seconds, as typed. */
  timeout: string;
  /** Empty: passive checks only. */
  healthPath: string;
}

/** Messages for one rule, by field; upstream messages by UpstreamDraft.key. */
export interface ProxyRuleErrors {
  prefix?: string;
  upstreams?: string;
  upstream: Record<number, string>;
  connectTimeout?: string;
  timeout?: string;
  healthPath?: string;
}

export interface ProxyErrors {
  /** By ProxyRuleDraft.key; only rules with something wrong. */
  rules: Record<number, ProxyRuleErrors>;
  /** About the rules together (two with the same prefix, too many). */
  list?: string;
}

const defaults = ProxyRule.parse({ prefix: '/', upstreams: ['http://127.0.0.1'] });
/** The defaults a new rule shows, in seconds. */
export const DEFAULT_CONNECT_TIMEOUT_S = defaults.connectTimeoutMs / 1000;
export const DEFAULT_TIMEOUT_S = defaults.timeoutMs / 1000;

let nextKey = 1;
export const newUpstreamRow = (url = ''): UpstreamDraft => ({ key: nextKey++, url });

export function newRuleDraft(): ProxyRuleDraft {
  return {
    key: nextKey++,
    prefix: '',
    upstreams: [newUpstreamRow()],
    stripPrefix: defaults.stripPrefix,
    keepHost: defaults.keepHost,
    policy: defaults.policy,
    connectTimeout: String(DEFAULT_CONNECT_TIMEOUT_S),
    timeout: String(DEFAULT_TIMEOUT_S),
    healthPath: '',
  };
}

export function ruleDraftFromConfig(rule: ProxyRuleValue): ProxyRuleDraft {
  return {
    key: nextKey++,
    prefix: rule.prefix,
    upstreams: rule.upstreams.map((url) => newUpstreamRow(url)),
    stripPrefix: rule.stripPrefix,
    keepHost: rule.keepHost,
    policy: rule.policy,
    connectTimeout: String(rule.connectTimeoutMs / 1000),
    timeout: String(rule.timeoutMs / 1000),
    healthPath: rule.healthPath ?? '',
  };
}

const filledUpstreams = (rule: ProxyRuleDraft) => rule.upstreams.filter((u) => u.url.trim() !== '');

// A rule just added and left blank is ignored rather than refused, like an empty header row.
const isBlank = (rule: ProxyRuleDraft) => rule.prefix.trim() === '' && filledUpstreams(rule).length === 0 && rule.healthPath.trim() === '';
export const filledRules = (rules: readonly ProxyRuleDraft[]) => rules.filter((rule) => !isBlank(rule));

/** Seconds as typed → whole milliseconds, or NaN when it isn't a number. */
function toMs(seconds: string): number {
  const text = seconds.trim();
  return /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Math.round(Number(text) * 1000) : NaN;
}

/** The rule as the contract has it (unchecked: run validateRule first). */
function ruleInput(rule: ProxyRuleDraft) {
  return {
    prefix: rule.prefix.trim(),
    upstreams: filledUpstreams(rule).map((u) => u.url.trim()),
    stripPrefix: rule.stripPrefix,
    keepHost: rule.keepHost,
    policy: rule.policy,
    connectTimeoutMs: toMs(rule.connectTimeout),
    timeoutMs: toMs(rule.timeout),
    healthPath: rule.healthPath.trim() === '' ? null : rule.healthPath.trim(),
  };
}

/** Each field through the contract's own schema, so each message sits beside its field. */
function validateRule(rule: ProxyRuleDraft): ProxyRuleErrors | null {
  const input = ruleInput(rule);
  const errors: ProxyRuleErrors = { upstream: {} };
  const check = (schema: { safeParse(value: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
    const result = schema.safeParse(value);
    return result.success ? undefined : describeIssues(result.error as Parameters<typeof describeIssues>[0]);
  };
  errors.prefix = check(ProxyRule.shape.prefix, input.prefix);
  for (const upstream of filledUpstreams(rule)) {
    const message = check(UpstreamUrl, upstream.url);
    if (message) errors.upstream[upstream.key] = message;
  }
  // The count only: each URL has its own message above.
  if (input.upstreams.length === 0 || input.upstreams.length > 16) errors.upstreams = check(ProxyRule.shape.upstreams, input.upstreams);
  errors.connectTimeout = Number.isNaN(input.connectTimeoutMs)
    ? 'The connect timeout is a number of seconds, such as 5.'
    : check(ProxyRule.shape.connectTimeoutMs, input.connectTimeoutMs);
  errors.timeout = Number.isNaN(input.timeoutMs) ? 'The timeout is a number of seconds, such as 60.' : check(ProxyRule.shape.timeoutMs, input.timeoutMs);
  errors.healthPath = input.healthPath === null ? undefined : check(ProxyRule.shape.healthPath, input.healthPath);
  const wrong = errors.prefix || errors.upstreams || Object.keys(errors.upstream).length || errors.connectTimeout || errors.timeout || errors.healthPath;
  if (wrong) return errors;
  // Anything the fields don't cover (the schema has the last word).
  const whole = ProxyRule.safeParse(input);
  return whole.success ? null : { upstream: {}, prefix: describeIssues(whole.error) };
}

export function validateProxies(rules: readonly ProxyRuleDraft[]): ProxyErrors {
  const errors: ProxyErrors = { rules: {} };
  const filled = filledRules(rules);
  for (const rule of filled) {
    const ruleErrors = validateRule(rule);
    if (ruleErrors) errors.rules[rule.key] = ruleErrors;
  }
  if (Object.keys(errors.rules).length === 0) {
    const list = ServerOptions.shape.proxies.safeParse(filled.map(ruleInput));
    if (!list.success) errors.list = describeIssues(list.error);
  }
  return errors;
}

export const hasProxyErrors = (errors: ProxyErrors) => Boolean(errors.list || Object.keys(errors.rules).length);

/** The rules to send, in the contract's shape and key order. */
export function proxiesFromDraft(rules: readonly ProxyRuleDraft[]): ProxyRuleValue[] {
  return filledRules(rules).map((rule) => canonical(ruleInput(rule)));
}

/** Same keys in the same order, so two rules compare by JSON. */
export function canonical(rule: ProxyRuleValue): ProxyRuleValue {
  const { prefix, upstreams, stripPrefix, keepHost, policy, connectTimeoutMs, timeoutMs, healthPath } = rule;
  return { prefix, upstreams, stripPrefix, keepHost, policy, connectTimeoutMs, timeoutMs, healthPath };
}
