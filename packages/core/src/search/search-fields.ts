import { GatehouseError } from '../gatehouse-error.js';
import type { FieldRef, FieldType } from './ast.js';

/**
 * The fields a user search may name, with their value types (Auth0's searchable-fields list).
 * Metadata paths (`user_metadata.*`, `app_metadata.*`) are not listed: any valid key path below
 * them is searchable, as a case-sensitive `string`.
 */
export const SEARCHABLE_FIELDS: ReadonlyMap<string, FieldType> = new Map<string, FieldType>([
  ['user_id', 'string'],
  ['email', 'ci_string'],
  ['email_verified', 'boolean'],
  ['username', 'string'],
  ['phone_number', 'string'],
  ['phone_verified', 'boolean'],
  ['name', 'ci_string'],
  ['given_name', 'ci_string'],
  ['family_name', 'ci_string'],
  ['nickname', 'ci_string'],
  ['created_at', 'date'],
  ['updated_at', 'date'],
  ['last_login', 'date'],
  ['last_ip', 'string'],
  ['logins_count', 'number'],
  ['blocked', 'boolean'],
  ['email.domain', 'ci_string'],
  ['identities.connection', 'string'],
]);

const METADATA_ROOTS: ReadonlySet<string> = new Set(['user_metadata', 'app_metadata']);

/**
 * The same key rules validateMetadata applies on write: a key that could never be stored is not
 * searchable either, and these names would reach Object.prototype in an adapter that walks
 * documents naively, or act as operators in a JSON/Mongo-style path (`$where`).
 */
const POISON_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Resolves a field path as written in a query (escapes already removed) to a `FieldRef`.
 * Throws `invalid_query` for an unknown field or a metadata path that breaks the metadata key
 * rules (no `$`, no empty segment, no `__proto__`/`constructor`/`prototype`).
 *
 * @param position where the path starts in the query, for the error message
 * @example
 * resolveField('user_metadata.addresses.city');
 * // { path: 'user_metadata.addresses.city', kind: 'user_metadata', keys: ['addresses', 'city'] }
 */
export function resolveField(path: string, position?: number): FieldRef {
  const at = position === undefined ? '' : ` at position ${position}`;
  if (path === 'email.domain') return { path, kind: 'email_domain', keys: [] };
  if (path === 'identities.connection') return { path, kind: 'identity_connection', keys: [] };
  if (SEARCHABLE_FIELDS.has(path)) return { path, kind: 'root', keys: [] };

  const [root = '', ...keys] = path.split('.');
  if (!METADATA_ROOTS.has(root)) {
    throw invalid(`Unknown field ${quote(path)}${at}`);
  }
  if (keys.length === 0) {
    throw invalid(`${root} needs a key path, like ${root}.plan (${quote(path)}${at})`);
  }
  for (const key of keys) {
    if (key === '' || key.includes('$') || POISON_KEYS.has(key)) {
      throw invalid(
        `Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype (${quote(path)}${at})`,
      );
    }
  }
  return { path, kind: root as 'user_metadata' | 'app_metadata', keys };
}

/**
 * The value type of a resolved field: metadata is always a case-sensitive `string`.
 *
 * @example
 * fieldType(resolveField('logins_count')); // 'number'
 */
export function fieldType(field: FieldRef): FieldType {
  if (field.kind === 'user_metadata' || field.kind === 'app_metadata') return 'string';
  return SEARCHABLE_FIELDS.get(field.path) ?? 'string';
}

function invalid(message: string): GatehouseError {
  return new GatehouseError('invalid_query', { field: 'q', message });
}

/** A value for an error message: JSON-quoted (so odd characters stay visible) and cut short. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
