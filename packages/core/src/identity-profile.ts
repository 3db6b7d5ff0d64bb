import { GatehouseError } from './gatehouse-error.js';
import type { NewUserRecord } from './ports.js';
import { formatUserId } from './user-id.js';
import type { Identity, JsonValue, User } from './user.js';

/*
 * The pure rules of account linking, shared by every storage adapter so they cannot disagree:
 * which identity is a user's main one, what a linked identity carries, and what user an unlinked
 * identity becomes.
 */

/** The root profile fields a linked identity carries in `profileData` (Auth0 keeps the secondary's profile there). */
export const LINKED_PROFILE_FIELDS = [
  'email',
  'email_verified',
  'username',
  'name',
  'given_name',
  'family_name',
  'nickname',
  'picture',
  'phone_number',
  'phone_verified',
] as const satisfies readonly (keyof User)[];

/** The identity a user_id was made from (`provider|user_id` equals it): it can never be unlinked. */
export function isMainIdentity(user: Pick<User, 'user_id'>, identity: Pick<Identity, 'provider' | 'user_id'>): boolean {
  return formatUserId(identity.provider, identity.user_id) === user.user_id;
}

/**
 * The identities of `secondary` as they land on the primary: its main identity gets the
 * secondary's root profile (non-null fields) as `profileData`, over what it had; identities the
 * secondary had linked before keep theirs.
 */
export function linkedIdentities(secondary: User): Identity[] {
  return secondary.identities.map((identity) => {
    if (!isMainIdentity(secondary, identity)) return structuredClone(identity);
    const profileData: Record<string, JsonValue> = { ...structuredClone(identity.profileData ?? {}) };
    for (const field of LINKED_PROFILE_FIELDS) {
      const value = secondary[field];
      if (value !== null) profileData[field] = value;
    }
    return { ...structuredClone(identity), profileData };
  });
}

/**
 * The user an unlinked identity becomes, as Auth0 does: user_id `provider|user_id`, the signup
 * connection of the identity, the root profile from its profileData, no password (a database
 * identity gets one by a reset), empty metadata.
 */
export function unlinkedUserRecord(identity: Identity, at: Date): NewUserRecord {
  const data = identity.profileData ?? {};
  const text = (key: string): string | null => (typeof data[key] === 'string' ? data[key] : null);
  const rest: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(LINKED_PROFILE_FIELDS as readonly string[]).includes(key)) rest[key] = structuredClone(value);
  }
  const { profileData: _profileData, ...bare } = identity;
  return {
    user_id: formatUserId(identity.provider, identity.user_id),
    connection: identity.connection,
    email: text('email'),
    email_verified: data.email_verified === true,
    username: text('username'),
    phone_number: text('phone_number'),
    phone_verified: data.phone_verified === true,
    name: text('name'),
    given_name: text('given_name'),
    family_name: text('family_name'),
    nickname: text('nickname'),
    picture: text('picture'),
    blocked: false,
    user_metadata: {},
    app_metadata: {},
    identity: Object.keys(rest).length > 0 ? { ...bare, profileData: rest } : bare,
    password_hash: null,
    created_at: at,
  };
}

/** `invalid_body` for unlinking a main identity, in Auth0's words. */
export function mainIdentityError(): GatehouseError {
  return new GatehouseError('invalid_body', { message: 'Main identity cannot be removed.' });
}

/** `invalid_body` for linking a user to itself. */
export function selfLinkError(): GatehouseError {
  return new GatehouseError('invalid_body', { field: 'user_id', message: 'A user cannot be linked to itself.' });
}
