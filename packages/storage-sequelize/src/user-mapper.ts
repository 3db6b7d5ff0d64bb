import type { Identity, JsonValue, Metadata, NewUserRecord, User, UserChanges } from '@gatehouse/core';
import type { IdentityRow } from './models/identity-model.js';
import type { UserRow } from './models/user-model.js';
import { searchCopies } from './search/searchable-columns.js';

/*
 * Rows <-> domain objects. Drivers disagree on types (SQLite returns 0/1 and date strings through
 * raw paths, MySQL TINYINT), so reads normalize defensively; JSON text is parsed here and nowhere
 * else.
 */

export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? new Date(value.getTime()) : new Date(value);
}

export function toNullableDate(value: Date | string | number | null): Date | null {
  return value === null ? null : toDate(value);
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

export function parseJson<T extends JsonValue | Metadata = Metadata>(text: string): T {
  return JSON.parse(text) as T;
}

const lower = (value: string | null): string | null => (value === null ? null : value.toLowerCase());

export function toIdentity(row: IdentityRow): Identity {
  const identity: Identity = {
    connection: row.connection,
    provider: row.provider,
    user_id: row.provider_user_id,
    isSocial: toBoolean(row.is_social),
  };
  if (row.profile_data !== null) identity.profileData = parseJson<Metadata>(row.profile_data);
  return identity;
}

/**
 * The columns a User is made of (not the search copies nor `connection`), for reads that name
 * their columns: on SQLite each column of each row costs its own conversion to JS.
 */
export const USER_COLUMNS = [
  'user_id', 'email', 'email_verified', 'username', 'phone_number', 'phone_verified', 'name', 'given_name', 'family_name', 'nickname',
  'picture', 'created_at', 'updated_at', 'last_login', 'last_ip', 'logins_count', 'blocked', 'user_metadata', 'app_metadata',
] as const satisfies ReadonlyArray<keyof UserRow>;

/** A row with the columns of USER_COLUMNS. */
export type UserColumnsRow = Pick<UserRow, (typeof USER_COLUMNS)[number]>;

export function toUser(row: UserColumnsRow, identities: IdentityRow[]): User {
  return {
    user_id: row.user_id,
    email: row.email,
    email_verified: toBoolean(row.email_verified),
    username: row.username,
    phone_number: row.phone_number,
    phone_verified: toBoolean(row.phone_verified),
    name: row.name,
    given_name: row.given_name,
    family_name: row.family_name,
    nickname: row.nickname,
    picture: row.picture,
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
    last_login: toNullableDate(row.last_login),
    last_ip: row.last_ip,
    logins_count: Number(row.logins_count),
    blocked: toBoolean(row.blocked),
    identities: identities.map(toIdentity),
    user_metadata: parseJson(row.user_metadata),
    app_metadata: parseJson(row.app_metadata),
  };
}

export function toUserRow(record: NewUserRecord): UserRow {
  return {
    user_id: record.user_id,
    connection: record.connection,
    email: record.email,
    email_lower: lower(record.email),
    email_verified: record.email_verified,
    username: record.username,
    username_lower: lower(record.username),
    phone_number: record.phone_number,
    phone_verified: record.phone_verified,
    name: record.name,
    given_name: record.given_name,
    family_name: record.family_name,
    nickname: record.nickname,
    picture: record.picture,
    blocked: record.blocked,
    user_metadata: JSON.stringify(record.user_metadata),
    app_metadata: JSON.stringify(record.app_metadata),
    created_at: record.created_at,
    updated_at: record.created_at,
    last_login: null,
    last_ip: null,
    logins_count: 0,
    ...searchCopies(record),
  };
}

export function toIdentityRow(userId: string, identity: Identity): IdentityRow {
  return {
    user_id: userId,
    connection: identity.connection,
    provider: identity.provider,
    provider_user_id: identity.user_id,
    is_social: identity.isSocial,
    profile_data: identity.profileData === undefined ? null : JSON.stringify(identity.profileData),
  };
}

/** The columns a modification writes; fields left out (or undefined) are not touched. */
export function toUserChangesRow(changes: UserChanges): Partial<UserRow> {
  const row: Partial<UserRow> = {};
  const set = <K extends keyof UserRow>(key: K, value: UserRow[K] | undefined) => {
    if (value !== undefined) row[key] = value;
  };
  if (changes.email !== undefined) {
    row.email = changes.email;
    row.email_lower = lower(changes.email);
  }
  if (changes.username !== undefined) {
    row.username = changes.username;
    row.username_lower = lower(changes.username);
  }
  set('email_verified', changes.email_verified);
  set('phone_number', changes.phone_number);
  set('phone_verified', changes.phone_verified);
  set('name', changes.name);
  set('given_name', changes.given_name);
  set('family_name', changes.family_name);
  set('nickname', changes.nickname);
  set('picture', changes.picture);
  set('blocked', changes.blocked);
  if (changes.user_metadata !== undefined) row.user_metadata = JSON.stringify(changes.user_metadata);
  if (changes.app_metadata !== undefined) row.app_metadata = JSON.stringify(changes.app_metadata);
  set('last_login', changes.last_login);
  set('last_ip', changes.last_ip);
  set('logins_count', changes.logins_count);
  set('updated_at', changes.updated_at);
  Object.assign(row, searchCopies(changes));
  return row;
}
