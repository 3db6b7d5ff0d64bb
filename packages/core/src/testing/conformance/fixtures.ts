import { randomBytes } from 'node:crypto';
import type { NewUserRecord, Storage } from '../../ports.js';

/** How each part of the suite reaches the storage under test, created once in the suite's `before`. */
export type StorageRef = () => Storage;

/**
 * A random suffix: every test writes rows nobody else has written, so the suite runs against a
 * shared database without a reset and next to rows of earlier runs.
 */
export function unique(): string {
  return randomBytes(6).toString('hex');
}

/** A database connection name, as the user service would pass it. */
export const DATABASE_CONNECTION = 'Username-Password-Authentication';

/** A date with milliseconds, so a store that drops them is caught. */
export function msDate(offsetMs = 0): Date {
  return new Date(Date.UTC(2024, 4, 17, 9, 30, 15, 123) + offsetMs);
}

/** A valid new database user with a unique id, email, username and identity. */
export function newUserRecord(overrides: Partial<NewUserRecord> = {}): NewUserRecord {
  const id = unique();
  const connection = overrides.connection ?? DATABASE_CONNECTION;
  return {
    user_id: `auth0|${id}`,
    connection,
    email: `user-${id}@example.com`,
    email_verified: false,
    username: `user_${id}`,
    phone_number: null,
    phone_verified: false,
    name: `User ${id}`,
    given_name: null,
    family_name: null,
    nickname: `user-${id}`,
    picture: null,
    blocked: false,
    user_metadata: {},
    app_metadata: {},
    identity: { connection, provider: 'auth0', user_id: id, isSocial: false },
    password_hash: `$argon2id$v=19$m=19456,t=2,p=1$${id}`,
    created_at: msDate(),
    ...overrides,
  };
}

/** A social user (no password, no username) for `provider`. */
export function socialUserRecord(provider: string, overrides: Partial<NewUserRecord> = {}): NewUserRecord {
  const id = unique();
  return newUserRecord({
    user_id: `${provider}|${id}`,
    connection: provider,
    username: null,
    password_hash: null,
    identity: { connection: provider, provider, user_id: id, isSocial: true, profileData: { locale: 'en' } },
    ...overrides,
  });
}

/** Resolves to the rejection of `promise`; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('Expected the call to reject, but it resolved.');
}

/** The `code` of a rejection (GatehouseError), or undefined. */
export async function rejectionCode(promise: Promise<unknown>): Promise<unknown> {
  const err = await rejectionOf(promise);
  return typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
}
