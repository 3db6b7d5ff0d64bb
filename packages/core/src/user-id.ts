import { randomBytes } from 'node:crypto';

/**
 * The provider name of database connections in `user_id`. Auth0 uses `auth0`; keeping it means ids
 * imported from Auth0, and code that parses them, carry over unchanged.
 */
export const DATABASE_PROVIDER = 'auth0';

/** A new provider-local id: 24 hex characters, as Auth0's database ids. */
export function newLocalId(): string {
  return randomBytes(12).toString('hex');
}

/** `provider|id`. An id that already carries this provider's prefix is not prefixed twice. */
export function formatUserId(provider: string, localId: string): string {
  return localId.startsWith(`${provider}|`) ? localId : `${provider}|${localId}`;
}

/** Splits `provider|id` at the first `|`; null for an id without a provider. */
export function parseUserId(userId: string): { provider: string; id: string } | null {
  const at = userId.indexOf('|');
  if (at <= 0 || at === userId.length - 1) return null;
  return { provider: userId.slice(0, at), id: userId.slice(at + 1) };
}
