import { GatehouseError } from './gatehouse-error.js';
import type { JsonValue, Metadata } from './user.js';

/** Names Auth0 refuses at the top of app_metadata: they shadow profile fields or internal data. */
export const RESERVED_APP_METADATA_KEYS: ReadonlySet<string> = new Set([
  '__tenant', '_id', 'blocked', 'clientID', 'created_at', 'email_verified', 'email', 'globalClientID',
  'global_client_id', 'identities', 'lastIP', 'lastLogin', 'loginsCount', 'metadata',
  'multifactor_last_modified', 'multifactor', 'updated_at', 'user_id',
]);

/** Keys that would reach Object.prototype through naive merging, refused at every depth. */
const POISON_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** How a metadata patch is applied. */
export type MetadataMergeMode =
  /** Auth0's behaviour: top-level keys are set or (with null) deleted; nested objects are replaced whole. */
  | 'shallow'
  /** Objects are merged recursively; null deletes at any depth. */
  | 'deep';

export type MetadataKind = 'user_metadata' | 'app_metadata';

/** The most bytes a metadata object may take as JSON (Auth0 searches profiles up to 1 MB). */
export const MAX_METADATA_BYTES = 1024 * 1024;

/**
 * Checks a metadata patch or document and returns it as a plain JSON object. Throws
 * `invalid_metadata` naming the offending path.
 */
export function validateMetadata(kind: MetadataKind, value: unknown): Metadata {
  if (!isPlainObject(value)) {
    throw new GatehouseError('invalid_metadata', { field: kind, message: `${kind} must be a JSON object.` });
  }
  for (const key of Object.keys(value)) {
    if (kind === 'app_metadata' && RESERVED_APP_METADATA_KEYS.has(key)) {
      throw new GatehouseError('invalid_metadata', {
        field: kind,
        message: `app_metadata cannot contain the reserved name "${key}".`,
      });
    }
  }
  checkValue(kind, value, kind, 0);
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) {
    throw new GatehouseError('invalid_metadata', { field: kind, message: `${kind} is larger than 1 MB.` });
  }
  return value as Metadata;
}

function checkValue(kind: MetadataKind, value: unknown, path: string, depth: number): void {
  if (depth > 32) {
    throw new GatehouseError('invalid_metadata', { field: kind, message: `${path} is nested too deeply.` });
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new GatehouseError('invalid_metadata', { field: kind, message: `${path} is not a finite number.` });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkValue(kind, item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (!isPlainObject(value)) {
    throw new GatehouseError('invalid_metadata', { field: kind, message: `${path} is not a JSON value.` });
  }
  // Own keys, including a literal "__proto__" that JSON.parse creates as an own property.
  for (const key of Object.keys(value)) {
    if (POISON_KEYS.has(key) || key.includes('.') || key.includes('$') || key === '') {
      throw new GatehouseError('invalid_metadata', {
        field: kind,
        message: `${path} has a field name that is not allowed: "${key}" (no ".", "$", empty names, __proto__, constructor or prototype).`,
      });
    }
    checkValue(kind, (value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Applies a validated patch to a metadata document and returns a new document; the input is not
 * changed. `null` deletes a key. Only patches that passed validateMetadata reach here, so no key
 * can be `__proto__` and plain assignment cannot touch a prototype.
 */
export function applyMetadataPatch(current: Metadata, patch: Metadata, mode: MetadataMergeMode = 'shallow'): Metadata {
  const result: Metadata = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else if (mode === 'deep' && isPlainObject(value) && isPlainObject(result[key])) {
      result[key] = applyMetadataPatch(result[key] as Metadata, value as Metadata, 'deep');
    } else {
      result[key] = stripNulls(value, mode);
    }
  }
  return result;
}

/** In deep mode a null inside a new object means "absent", so it is not stored. */
function stripNulls(value: JsonValue, mode: MetadataMergeMode): JsonValue {
  if (mode !== 'deep' || !isPlainObject(value)) return value;
  const out: Metadata = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v as JsonValue, mode);
  return out;
}
