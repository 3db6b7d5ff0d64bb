import type { JsonValue, Metadata } from '@gatehouse/core';

/** A metadata textarea's text, parsed: the object, or why it is not one. */
export type ParsedMetadata = { ok: true; value: Metadata } | { ok: false; reason: 'json'; message: string } | { ok: false; reason: 'object' };

/** Parses a metadata textarea: JSON, and an object at the top (empty text is `{}`). */
export function parseMetadata(text: string): ParsedMetadata {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'json', message: (err as Error).message };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'object' };
  return { ok: true, value: value as Metadata };
}

/**
 * The PATCH body that turns `before` into `after` under the API's top-level merge: changed and
 * new keys as they are now, removed keys as `null` (which deletes them). Null when nothing changed.
 */
export function metadataPatch(before: Metadata, after: Metadata): Record<string, JsonValue> | null {
  const patch: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) patch[key] = value;
  }
  for (const key of Object.keys(before)) {
    if (!(key in after)) patch[key] = null;
  }
  return Object.keys(patch).length === 0 ? null : patch;
}
