import { GatehouseError } from '@gatehouse/core';

/** What a directory login needs from the request. */
export interface LoginCredentials {
  username: string;
  password: string;
}

/** Longer than any directory name or passphrase; a bigger value is not a login attempt. */
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

function field(body: Record<string, unknown>, name: keyof LoginCredentials, max: number): string {
  const value = body[name];
  // An empty password is an "unauthenticated bind" (RFC 4513 §5.1.2), which many directories
  // answer with success: it must never reach the directory. Arrays and objects (`password[]=`,
  // JSON) are refused rather than coerced, so nothing but the typed string is ever bound.
  if (typeof value !== 'string' || value === '') {
    throw new GatehouseError('invalid_body', { field: name, message: `A non-empty ${name} is required.` });
  }
  if (value.length > max) throw new GatehouseError('invalid_body', { field: name, message: `The ${name} is too long.` });
  return value;
}

/**
 * Reads `username` and `password` from a parsed request body, and only from there (never the
 * query string, where passwords end up in access logs). Throws `invalid_body` (400) for anything
 * but two non-empty strings; the caller must not contact the directory then.
 */
export function readCredentials(body: unknown): LoginCredentials {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatehouseError('invalid_body', { field: 'username', message: 'A username and a password are required.' });
  }
  const record = body as Record<string, unknown>;
  return { username: field(record, 'username', MAX_USERNAME), password: field(record, 'password', MAX_PASSWORD) };
}
