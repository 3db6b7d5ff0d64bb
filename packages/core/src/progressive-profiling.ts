import { GatehouseError } from './gatehouse-error.js';
import type { JsonValue, Metadata, User } from './user.js';

/*
 * Progressive profiling: rules that ask a user for a few more profile fields at successive logins
 * (Auth0 does it in a post-login Action that checks logins_count and missing user_metadata).
 * Which rule is due, which of its fields are missing and whether submitted answers are valid are
 * decided here, framework-neutral; identity() renders the step and saves through the user service.
 */

/** The input types a field may have (the HTML input types `<gatehouse-progressive-profile>` renders). */
export const PROFILING_FIELD_TYPES = ['text', 'email', 'tel', 'url', 'date', 'select', 'checkbox'] as const;
export type ProfilingFieldType = (typeof PROFILING_FIELD_TYPES)[number];

/** Root profile fields a rule may ask for: the ones users may edit themselves (PATCH /me). */
export const PROFILING_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'name', 'given_name', 'family_name', 'nickname', 'username', 'phone_number', 'picture',
]);

/** Longest answer stored in user_metadata (root fields have their own limits). */
export const MAX_PROFILING_ANSWER_LENGTH = 1000;

/** One field of a rule, as configured. */
export interface ProfilingFieldInput {
  /** A root profile field (`given_name`, `phone_number`, ...) or a user_metadata key. */
  name: string;
  /** The label shown. */
  label: string;
  /** @default 'text' */
  type?: ProfilingFieldType;
  /** @default false */
  required?: boolean;
  /** For `select`: the choices, as values or `{value, label}`. */
  options?: (string | { value: string; label: string })[];
  /** A regular expression the whole answer must match (as HTML's `pattern` attribute). */
  pattern?: string;
  /** Where the answer is saved. @default 'root' for the root profile field names, else 'user_metadata' */
  target?: 'root' | 'user_metadata';
}

/** A rule, as configured in `identity({ progressiveProfiling: [...] })`. */
export interface ProfilingRuleInput {
  /** Asked from the user's Nth login on (logins_count, counting the login that just happened). */
  afterLogins: number;
  fields: ProfilingFieldInput[];
  /** The user may skip the step. @default false */
  skippable?: boolean;
  /** After a skip, the rule is asked again once the user has signed in this many more times. @default 2 */
  askAgainAfterLogins?: number;
  /** Names the rule (a remembered skip is kept under it). @default the field names joined by '+' */
  id?: string;
  /** The step's heading. @default the component's ("A few more details") */
  heading?: string;
}

/** A field with every default filled in: the shape `<gatehouse-progressive-profile>` takes. */
export interface ProfilingField {
  name: string;
  label: string;
  type: ProfilingFieldType;
  required: boolean;
  options?: { value: string; label: string }[];
  pattern?: string;
  target: 'root' | 'user_metadata';
}

/** A validated rule. */
export interface ProfilingRule {
  id: string;
  afterLogins: number;
  fields: ProfilingField[];
  skippable: boolean;
  askAgainAfterLogins: number;
  heading?: string;
}

/** The step a user is due: the rule, and the fields of it they have not answered yet. */
export interface ProfilingStep {
  rule: ProfilingRule;
  fields: ProfilingField[];
}

const DEFAULT_ASK_AGAIN_AFTER_LOGINS = 2;
const FIELD_KEYS = new Set(['name', 'label', 'type', 'required', 'options', 'pattern', 'target']);
const RULE_KEYS = new Set(['afterLogins', 'fields', 'skippable', 'askAgainAfterLogins', 'id', 'heading']);
const RULE_ID = /^[A-Za-z0-9_+.-]{1,100}$/u;
// The metadata key rules (no ".", "$" or prototype names), since the answer becomes a top-level key.
const METADATA_KEY = /^[A-Za-z0-9_-]{1,100}$/u;
const POISON_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function invalid(path: string, expected: string, got: unknown): never {
  throw new TypeError(`progressiveProfiling${path} must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nonEmptyString(path: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') invalid(path, 'a non-empty string', value);
  return value;
}

function unknownKeys(path: string, value: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(value)) if (!known.has(key)) invalid(`${path}.${key}`, `one of ${[...known].join(', ')} (unknown option)`, key);
}

/** HTML's pattern semantics: the whole value, with the `v` flag browsers use. */
function patternRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'v');
}

function resolveField(path: string, input: unknown): ProfilingField {
  if (!isObject(input)) invalid(path, 'an object { name, label, type?, required?, options?, pattern?, target? }', input);
  unknownKeys(path, input, FIELD_KEYS);
  const name = nonEmptyString(`${path}.name`, input.name);
  const label = nonEmptyString(`${path}.label`, input.label);
  const target = input.target ?? (PROFILING_ROOT_FIELDS.has(name) ? 'root' : 'user_metadata');
  if (target !== 'root' && target !== 'user_metadata') invalid(`${path}.target`, "'root' or 'user_metadata'", target);
  if (target === 'root' && !PROFILING_ROOT_FIELDS.has(name)) {
    invalid(`${path}.name`, `a root field users may edit (${[...PROFILING_ROOT_FIELDS].join(', ')}) with target 'root'`, name);
  }
  if (target === 'user_metadata' && (!METADATA_KEY.test(name) || POISON_KEYS.has(name))) {
    invalid(`${path}.name`, 'a user_metadata key of letters, digits, "_" and "-" (at most 100)', name);
  }
  const type = input.type ?? 'text';
  if (!(PROFILING_FIELD_TYPES as readonly unknown[]).includes(type)) invalid(`${path}.type`, `one of ${PROFILING_FIELD_TYPES.join(', ')}`, type);
  const fieldType = type as ProfilingFieldType;
  if (fieldType === 'checkbox' && target === 'root') invalid(`${path}.type`, "not 'checkbox' for a root field (root fields are text)", type);
  const required = input.required ?? false;
  if (typeof required !== 'boolean') invalid(`${path}.required`, 'true or false', required);
  const field: ProfilingField = { name, label, type: fieldType, required, target };

  if (fieldType === 'select') {
    if (!Array.isArray(input.options) || input.options.length === 0) invalid(`${path}.options`, 'a non-empty array for a select', input.options);
    field.options = input.options.map((o: unknown, i) => {
      if (typeof o === 'string' && o !== '') return { value: o, label: o };
      if (isObject(o) && typeof o.value === 'string' && o.value !== '' && typeof o.label === 'string' && o.label !== '') return { value: o.value, label: o.label };
      return invalid(`${path}.options[${i}]`, 'a non-empty string or { value, label }', o);
    });
  } else if (input.options !== undefined) {
    invalid(`${path}.options`, 'absent (options are for type select)', input.options);
  }
  if (input.pattern !== undefined) {
    if (fieldType === 'select' || fieldType === 'checkbox') invalid(`${path}.pattern`, 'absent for a select or checkbox', input.pattern);
    if (typeof input.pattern !== 'string' || input.pattern === '') invalid(`${path}.pattern`, 'a regular expression source', input.pattern);
    try {
      patternRegExp(input.pattern);
    } catch {
      invalid(`${path}.pattern`, 'a valid regular expression (HTML pattern syntax)', input.pattern);
    }
    field.pattern = input.pattern;
  }
  return field;
}

function resolveRule(path: string, input: unknown): ProfilingRule {
  if (!isObject(input)) invalid(path, 'an object { afterLogins, fields, skippable? }', input);
  unknownKeys(path, input, RULE_KEYS);
  const { afterLogins } = input;
  if (typeof afterLogins !== 'number' || !Number.isInteger(afterLogins) || afterLogins < 1) {
    invalid(`${path}.afterLogins`, 'a positive integer (the login from which the rule asks)', afterLogins);
  }
  if (!Array.isArray(input.fields) || input.fields.length === 0) invalid(`${path}.fields`, 'a non-empty array of fields', input.fields);
  const fields = input.fields.map((f: unknown, i) => resolveField(`${path}.fields[${i}]`, f));
  const names = new Set<string>();
  for (const f of fields) {
    // The form posts one value per name: two fields of one name could never both be answered.
    if (names.has(f.name)) invalid(`${path}.fields`, 'fields of distinct names', f.name);
    names.add(f.name);
  }
  const skippable = input.skippable ?? false;
  if (typeof skippable !== 'boolean') invalid(`${path}.skippable`, 'true or false', skippable);
  const again = input.askAgainAfterLogins ?? DEFAULT_ASK_AGAIN_AFTER_LOGINS;
  if (typeof again !== 'number' || !Number.isInteger(again) || again < 1) invalid(`${path}.askAgainAfterLogins`, 'a positive integer', again);
  if (input.askAgainAfterLogins !== undefined && !skippable) invalid(`${path}.askAgainAfterLogins`, 'set only with skippable: true', again);
  const id = input.id ?? fields.map((f) => f.name).join('+');
  if (typeof id !== 'string' || !RULE_ID.test(id)) invalid(`${path}.id`, 'letters, digits and "_+.-" (at most 100)', id);
  const rule: ProfilingRule = { id, afterLogins, fields, skippable, askAgainAfterLogins: again };
  if (input.heading !== undefined) rule.heading = nonEmptyString(`${path}.heading`, input.heading);
  return rule;
}

/**
 * Validates progressive-profiling rules once, at start-up, and fills the defaults. Mistakes throw
 * a TypeError naming the option path (`progressiveProfiling[1].fields[0].type must be ...`).
 * Rules are kept in the order given; the first one due is asked.
 *
 * @example
 * resolveProfilingRules([
 *   { afterLogins: 2, fields: [{ name: 'given_name', label: 'First name', required: true }] },
 *   { afterLogins: 3, skippable: true, fields: [{ name: 'company', label: 'Company' }] },
 * ]);
 */
export function resolveProfilingRules(input: unknown): ProfilingRule[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) invalid('', 'an array of rules', input);
  const rules = input.map((r: unknown, i) => resolveRule(`[${i}]`, r));
  const ids = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    if (ids.has(rule.id)) invalid(`[${i}].id`, 'unique (two rules ask for the same fields: give them distinct ids)', rule.id);
    ids.add(rule.id);
  }
  return rules;
}

/** The stored answer to a field, or undefined when there is none. */
export function profilingAnswer(user: User, field: ProfilingField): JsonValue | undefined {
  const value = field.target === 'root' ? (user as unknown as Record<string, JsonValue>)[field.name] : Object.hasOwn(user.user_metadata, field.name) ? user.user_metadata[field.name] : undefined;
  if (value === undefined || value === null || value === '') return undefined;
  // An unticked box the rule requires (terms, consent) is not an answer yet.
  if (field.type === 'checkbox' && field.required && value !== true) return undefined;
  return value;
}

/** The fields of a rule the user has not answered. */
export function missingProfileFields(rule: ProfilingRule, user: User): ProfilingField[] {
  return rule.fields.filter((f) => profilingAnswer(user, f) === undefined);
}

/**
 * True while a rule still needs the user: a required field is unanswered, or (a rule of optional
 * fields only) none is answered. So an optional field left empty once is not asked at every login.
 */
export function isRulePending(rule: ProfilingRule, user: User): boolean {
  const missing = new Set(missingProfileFields(rule, user));
  if (rule.fields.some((f) => f.required)) return rule.fields.some((f) => f.required && missing.has(f));
  return missing.size === rule.fields.length;
}

/**
 * The step a user is due, or null: the first rule (in configuration order) whose `afterLogins` the
 * user's logins_count has reached and that is still pending, unless the user skipped it fewer than
 * `askAgainAfterLogins` logins ago. `skippedAt` gives, by rule id, the logins_count at a
 * remembered skip.
 */
export function activeProfilingStep(
  rules: readonly ProfilingRule[],
  user: User,
  skippedAt: Readonly<Record<string, number>> = {},
): ProfilingStep | null {
  for (const rule of rules) {
    if (user.logins_count < rule.afterLogins || !isRulePending(rule, user)) continue;
    const skipped = Object.hasOwn(skippedAt, rule.id) ? skippedAt[rule.id] : undefined;
    if (rule.skippable && skipped !== undefined && user.logins_count < skipped + rule.askAgainAfterLogins) continue;
    return { rule, fields: missingProfileFields(rule, user) };
  }
  return null;
}

/** The rules that may be due for this user (reached and pending): whose skips are worth looking up. */
export function dueProfilingRules(rules: readonly ProfilingRule[], user: User): ProfilingRule[] {
  return rules.filter((r) => user.logins_count >= r.afterLogins && isRulePending(r, user));
}

/** Checked answers: the PATCH /me body to save, the values by field name, and the errors by field name. */
export interface ProfilingAnswers {
  /** Root fields at the top level, the rest under `user_metadata` (what PATCH /me takes). */
  patch: { user_metadata?: Metadata } & Record<string, JsonValue>;
  values: Record<string, JsonValue>;
  errors: Record<string, string>;
}

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]+$/u;
const TEL = /^\+?[0-9][0-9 ()\-.]{2,31}$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/u;
// Control characters (CR/LF included) never belong in an answer.
const CONTROL = /[\u0000-\u001f\u007f]/u;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** One answer as posted (form text, or a JSON value), or undefined when left empty; throws its error message. */
function checkAnswer(field: ProfilingField, raw: unknown): JsonValue | undefined {
  if (field.type === 'checkbox') {
    // A form sends a ticked box's value ("on", or what the page set) and leaves an unticked one out.
    const checked = raw === true || (typeof raw === 'string' && raw !== '' && raw !== 'false');
    if (field.required && !checked) throw new Error('Tick this box to continue.');
    if (raw !== undefined && raw !== null && typeof raw !== 'boolean' && typeof raw !== 'string') throw new Error('Tick the box or leave it empty.');
    return checked;
  }
  if (raw === undefined || raw === null) {
    if (field.required) throw new Error('This field is required.');
    return undefined;
  }
  if (typeof raw !== 'string') throw new Error('Enter text here.');
  const value = raw.trim();
  if (value === '') {
    if (field.required) throw new Error('This field is required.');
    return undefined;
  }
  if (CONTROL.test(value)) throw new Error('This answer contains characters that are not allowed.');
  if (field.target === 'user_metadata' && value.length > MAX_PROFILING_ANSWER_LENGTH) throw new Error(`Use at most ${MAX_PROFILING_ANSWER_LENGTH} characters.`);
  switch (field.type) {
    case 'email': if (!EMAIL.test(value)) throw new Error('Enter a valid email address.'); break;
    case 'tel': if (!TEL.test(value)) throw new Error('Enter a valid phone number, like +14155550123.'); break;
    case 'url': if (!isHttpUrl(value)) throw new Error('Enter an http(s) address.'); break;
    case 'date': if (!isCalendarDate(value)) throw new Error('Enter a date as YYYY-MM-DD.'); break;
    case 'select': if (!field.options?.some((o) => o.value === value)) throw new Error('Choose one of the options.'); break;
    default: break;
  }
  if (field.pattern !== undefined && !patternRegExp(field.pattern).test(value)) throw new Error('The answer is not in the expected format.');
  return value;
}

/**
 * Checks the answers to a step's fields (form fields or a JSON object, by field name) against the
 * rule: required, type, options and pattern. Fields left empty are not saved. The returned patch
 * still has to pass the self-service rules of PATCH /me (UserService.updateUser with 'self'),
 * which normalize root fields (phone numbers, usernames, picture URLs).
 */
export function checkProfilingAnswers(fields: readonly ProfilingField[], input: unknown): ProfilingAnswers {
  const body = isObject(input) ? input : {};
  const result: ProfilingAnswers = { patch: {}, values: {}, errors: {} };
  const metadata: Metadata = {};
  for (const field of fields) {
    let value: JsonValue | undefined;
    try {
      value = checkAnswer(field, Object.hasOwn(body, field.name) ? body[field.name] : undefined);
    } catch (err) {
      result.errors[field.name] = (err as Error).message;
      continue;
    }
    if (value === undefined) continue;
    result.values[field.name] = value;
    if (field.target === 'root') result.patch[field.name] = value;
    else metadata[field.name] = value;
  }
  if (Object.keys(metadata).length > 0) result.patch.user_metadata = metadata;
  return result;
}

/** Like checkProfilingAnswers, but throws the first error as 400 `invalid_body` naming its field (for JSON callers). */
export function parseProfilingAnswers(fields: readonly ProfilingField[], input: unknown): Omit<ProfilingAnswers, 'errors'> {
  const { patch, values, errors } = checkProfilingAnswers(fields, input);
  const [field, message] = Object.entries(errors)[0] ?? [];
  if (field !== undefined) throw new GatehouseError('invalid_body', { field, message });
  return { patch, values };
}
