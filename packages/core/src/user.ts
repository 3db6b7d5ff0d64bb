/** JSON values as they may appear in metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Metadata = Record<string, JsonValue>;

/** One way a user signs in, as in Auth0's `identities[]`. */
export interface Identity {
  connection: string;
  provider: string;
  /** The id at the provider (without the `provider|` prefix). */
  user_id: string;
  isSocial: boolean;
  profileData?: Record<string, JsonValue>;
}

/** The normalized user profile, in Auth0's shape so Auth0 users, SDKs and habits carry over. */
export interface User {
  user_id: string;
  email: string | null;
  email_verified: boolean;
  username: string | null;
  phone_number: string | null;
  phone_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  nickname: string | null;
  picture: string | null;
  created_at: Date;
  updated_at: Date;
  last_login: Date | null;
  last_ip: string | null;
  logins_count: number;
  blocked: boolean;
  identities: Identity[];
  user_metadata: Metadata;
  app_metadata: Metadata;
}

/** The root profile fields that can be written (everything but ids, timestamps, counters, identities). */
export const EDITABLE_ROOT_FIELDS = [
  'email',
  'email_verified',
  'username',
  'phone_number',
  'phone_verified',
  'name',
  'given_name',
  'family_name',
  'nickname',
  'picture',
  'blocked',
] as const;

export type EditableRootField = (typeof EDITABLE_ROOT_FIELDS)[number];

/** The user as JSON goes on the wire (dates as ISO strings). */
export type UserJson = Omit<User, 'created_at' | 'updated_at' | 'last_login'> & {
  created_at: string;
  updated_at: string;
  last_login: string | null;
};

/** The wire form of a user. */
export function userToJson(user: User): UserJson {
  return {
    ...user,
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
    last_login: user.last_login ? user.last_login.toISOString() : null,
  };
}
