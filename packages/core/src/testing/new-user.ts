import type { NewUserRecord } from '../ports.js';
import type { User } from '../user.js';

/** The user a freshly written record is, as every store returns it (a deep copy of the record's parts). */
export function newUserFrom(record: NewUserRecord): User {
  return structuredClone({
    user_id: record.user_id,
    email: record.email,
    email_verified: record.email_verified,
    username: record.username,
    phone_number: record.phone_number,
    phone_verified: record.phone_verified,
    name: record.name,
    given_name: record.given_name,
    family_name: record.family_name,
    nickname: record.nickname,
    picture: record.picture,
    created_at: record.created_at,
    updated_at: record.created_at,
    last_login: null,
    last_ip: null,
    logins_count: 0,
    blocked: record.blocked,
    identities: [record.identity],
    user_metadata: record.user_metadata,
    app_metadata: record.app_metadata,
  });
}
