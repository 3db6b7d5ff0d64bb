import type { JsonValue, Metadata } from './user.js';

/**
 * Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and the bidi
 * controls: what lets a value forge a line in a text log, or show something else than it stores.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A log value made safe against log injection: each unsafe character becomes its `\uXXXX`
 * escape, as text, so `"bob\r\n2024-01-01 admin login"` stays one visible line, and the
 * original is still readable. A backslash is doubled first, so an escape typed by a user cannot
 * pass for an encoded one.
 */
export function encodeLogText(value: string): string {
  return value.replace(/\\/gu, '\\\\').replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encodeValue(value: JsonValue): JsonValue {
  if (typeof value === 'string') return encodeLogText(value);
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value !== null && typeof value === 'object') return encodeLogDetails(value);
  return value;
}

/** Log details with every string (keys too) encoded by encodeLogText. */
export function encodeLogDetails(details: Metadata): Metadata {
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [encodeLogText(k), encodeValue(v)]));
}
