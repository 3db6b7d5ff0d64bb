import type { JsonValue, User } from '../user.js';
import type { FieldRef, QueryNode } from './ast.js';
import { dateBounds } from './date-bounds.js';
import { fieldType } from './search-fields.js';

/**
 * What a search query means, as plain code: the reference semantics that the in-memory store
 * uses and every SQL compilation must agree with (the conformance suite checks both).
 *
 * - email, name, given_name, family_name, nickname, email.domain and username compare
 *   case-insensitively (usernames are stored lower-case); everything else, metadata included, exactly.
 * - Metadata paths skip array levels; a JSON null is no value; texts longer than 255 characters
 *   exist (for _exists_) but match no value.
 * - NOT keeps users that lack the field.
 */
export function matchesQuery(user: User, node: QueryNode): boolean {
  switch (node.type) {
    case 'and':
      return node.children.every((c) => matchesQuery(user, c));
    case 'or':
      return node.children.some((c) => matchesQuery(user, c));
    case 'not':
      return !matchesQuery(user, node.child);
    case 'exists':
      // An object exists when any value lies below it (as Elasticsearch's exists on an object field).
      return values(user, node.field, true).length > 0;
    case 'term':
      return values(user, node.field).some((v) => equals(node.field, v, node.value.text));
    case 'wildcard': {
      const re = wildcardRegExp(node.parts, caseInsensitive(node.field));
      return values(user, node.field).some((v) => typeof v === 'string' && re.test(v));
    }
    case 'range':
      return values(user, node.field).some((v) => inRange(node, v));
    case 'any':
      return DEFAULT_TERM_FIELDS.some((path) => {
        const field: FieldRef = { path, kind: 'root', keys: [] };
        if (node.parts) {
          const re = wildcardRegExp(node.parts, caseInsensitive(field));
          return values(user, field).some((v) => typeof v === 'string' && re.test(v));
        }
        return values(user, field).some((v) => equals(field, v, node.value.text));
      });
  }
}

/** The fields a bare term (no `field:`) is matched against. */
export const DEFAULT_TERM_FIELDS = ['user_id', 'email', 'username', 'name', 'given_name', 'family_name', 'nickname'] as const;

/** Longest metadata text that is matched by value. */
export const MAX_MATCHED_METADATA_TEXT = 255;

/** A value as the index sees it: text, number, boolean, Date, or LONG for an unmatchable long text. */
type Indexed = string | number | boolean | Date | typeof LONG;
const LONG = Symbol('long text');

function caseInsensitive(field: FieldRef): boolean {
  return fieldType(field) === 'ci_string' || field.path === 'username';
}

function values(user: User, field: FieldRef, descend = false): Indexed[] {
  switch (field.kind) {
    case 'root': {
      const value = (user as unknown as Record<string, unknown>)[field.path];
      return value === null || value === undefined ? [] : [value as Indexed];
    }
    case 'email_domain':
      return user.email ? [user.email.slice(user.email.lastIndexOf('@') + 1)] : [];
    case 'identity_connection':
      return user.identities.map((i) => i.connection);
    case 'user_metadata':
    case 'app_metadata': {
      const out: Indexed[] = [];
      collect(user[field.kind], field.keys, out, descend);
      return out;
    }
  }
}

function collect(value: JsonValue | undefined, keys: string[], out: Indexed[], descend: boolean): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, keys, out, descend);
    return;
  }
  if (keys.length === 0) {
    if (typeof value === 'object') {
      if (descend) for (const child of Object.values(value)) collect(child, [], out, descend);
      return;
    }
    // Texts too long to index, or with a NUL (no database indexes it as text), exist but match no value.
    out.push(typeof value === 'string' && (value.length > MAX_MATCHED_METADATA_TEXT || value.includes('\u0000')) ? LONG : value);
    return;
  }
  if (typeof value !== 'object') return;
  const [key, ...rest] = keys;
  if (Object.prototype.hasOwnProperty.call(value, key!)) collect((value as Record<string, JsonValue>)[key!], rest, out, descend);
}

function equals(field: FieldRef, value: Indexed, text: string): boolean {
  if (value === LONG) return false;
  if (value instanceof Date) {
    const { start, end } = dateBounds(text);
    return value >= start && value < end;
  }
  if (typeof value === 'number') return field.kind === 'root' ? value === Number(text) : String(value) === text;
  if (typeof value === 'boolean') return String(value) === text;
  return caseInsensitive(field) ? value.toLowerCase() === text.toLowerCase() : value === text;
}

function wildcardRegExp(parts: string[], ci: boolean): RegExp {
  const body = parts.map((p) => (ci ? p.toLowerCase() : p).replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, ci ? 'isu' : 'su');
}

const NUMERIC = /^-?\d+(\.\d+)?$/u;

function inRange(node: Extract<QueryNode, { type: 'range' }>, value: Indexed): boolean {
  if (value === LONG || typeof value === 'boolean') return false;
  const { lower, upper, includeLower, includeUpper, field } = node;
  if (value instanceof Date) {
    if (lower !== null) {
      const { start, end } = dateBounds(lower);
      if (value < (includeLower ? start : end)) return false;
    }
    if (upper !== null) {
      const { start, end } = dateBounds(upper);
      if (value >= (includeUpper ? end : start)) return false;
    }
    return true;
  }
  const metadata = field.kind === 'user_metadata' || field.kind === 'app_metadata';
  const numericBounds = (lower === null || NUMERIC.test(lower)) && (upper === null || NUMERIC.test(upper));
  let v: string | number;
  let lo: string | number | null;
  let hi: string | number | null;
  if (typeof value === 'number' && (!metadata || numericBounds)) {
    [v, lo, hi] = [value, lower === null ? null : Number(lower), upper === null ? null : Number(upper)];
  } else if (metadata && numericBounds) {
    return false; // Numeric bounds compare numbers only.
  } else {
    const ci = caseInsensitive(field);
    const norm = (s: string) => (ci ? s.toLowerCase() : s);
    [v, lo, hi] = [norm(String(value)), lower === null ? null : norm(lower), upper === null ? null : norm(upper)];
  }
  if (lo !== null && (includeLower ? v < lo : v <= lo)) return false;
  if (hi !== null && (includeUpper ? v > hi : v >= hi)) return false;
  return true;
}
