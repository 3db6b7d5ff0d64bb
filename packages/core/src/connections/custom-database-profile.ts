import { GatehouseError, isGatehouseError } from '../gatehouse-error.js';
import { validateMetadata } from '../metadata.js';
import { normalizeEmail, normalizeUsername } from '../profile-rules.js';
import type { Metadata } from '../user.js';
import { DATABASE_PROVIDER } from '../user-id.js';
import { normalizeExternalProfile, type ExternalProfile } from './external-profile.js';

/** A script's profile once checked: the external profile, plus the metadata copied at creation. */
export interface CheckedScriptProfile {
  profile: ExternalProfile;
  user_metadata: Metadata;
  app_metadata: Metadata;
}

const ROOT = ['phone_number', 'name', 'given_name', 'family_name', 'nickname', 'picture'] as const;

/** Thrown for an unusable profile; `reason` is for the server log only. */
function unusable(reason: string, cause?: unknown): never {
  throw new GatehouseError('invalid_profile', { message: `The custom database sent an unusable profile: ${reason}.`, cause });
}

function userIdOf(value: unknown): string {
  const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof id !== 'string') unusable('user_id must be a string or an integer');
  // The host may hand back ids Auth0 gave it; the provider prefix is Gatehouse's to add.
  return id.startsWith(`${DATABASE_PROVIDER}|`) ? id.slice(DATABASE_PROVIDER.length + 1) : id;
}

function checked<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (isGatehouseError(err)) unusable(`${field}: ${err.message}`, err);
    throw err;
  }
}

/**
 * Checks what a `login` or `getUser` script resolved to before anything is stored: a user_id
 * (string or integer), a valid email if any, a username in Auth0's character set, root fields
 * without control characters, metadata under Gatehouse's rules. Anything else the script put in
 * the object is dropped (scripts often return the legacy row, password hash included). A profile
 * that fails is `invalid_profile` (502): the host's data is at fault, not the user.
 */
export function checkScriptProfile(raw: unknown): CheckedScriptProfile {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) unusable('not an object');
  const input = raw as Record<string, unknown>;
  const profile: ExternalProfile = { provider: DATABASE_PROVIDER, user_id: userIdOf(input.user_id) };
  if (input.email !== undefined && input.email !== null) profile.email = checked('email', () => normalizeEmail(input.email));
  if (input.email_verified !== undefined) {
    if (typeof input.email_verified !== 'boolean') unusable('email_verified must be true or false');
    profile.email_verified = input.email_verified;
  }
  if (input.username !== undefined && input.username !== null) profile.username = checked('username', () => normalizeUsername(input.username, 128));
  for (const field of ROOT) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') unusable(`${field} must be a string`);
    profile[field] = value;
  }
  if (profile.email === undefined && profile.username === undefined) unusable('neither email nor username');
  return {
    profile: checked('profile', () => normalizeExternalProfile(profile)),
    user_metadata: input.user_metadata === undefined ? {} : checked('user_metadata', () => validateMetadata('user_metadata', input.user_metadata)),
    app_metadata: input.app_metadata === undefined ? {} : checked('app_metadata', () => validateMetadata('app_metadata', input.app_metadata)),
  };
}
