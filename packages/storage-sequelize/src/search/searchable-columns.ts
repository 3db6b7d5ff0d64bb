/**
 * How each searchable root field maps to a column of `users`. Case-insensitive fields are
 * searched through lower-cased copies kept beside them (written by the user mapper), so exact and
 * prefix matches use plain b-tree indexes on every database.
 */
export type ColumnType = 'text' | 'number' | 'boolean' | 'date';

export interface SearchColumn {
  column: string;
  type: ColumnType;
  /** Values are lower-cased before comparing (the column holds lower-case text). */
  lowerCase: boolean;
  /** Never NULL (so keyset paging can order on it). */
  notNull: boolean;
}

const text = (column: string, lowerCase: boolean, notNull = false): SearchColumn => ({ column, type: 'text', lowerCase, notNull });

export const SEARCH_COLUMNS: Readonly<Record<string, SearchColumn>> = {
  user_id: text('user_id', false, true),
  email: text('email_lower', true),
  'email.domain': text('email_domain', true),
  username: text('username_lower', true),
  phone_number: text('phone_number', false),
  name: text('name_lower', true),
  given_name: text('given_name_lower', true),
  family_name: text('family_name_lower', true),
  nickname: text('nickname_lower', true),
  last_ip: text('last_ip', false),
  email_verified: { column: 'email_verified', type: 'boolean', lowerCase: false, notNull: true },
  phone_verified: { column: 'phone_verified', type: 'boolean', lowerCase: false, notNull: true },
  blocked: { column: 'blocked', type: 'boolean', lowerCase: false, notNull: true },
  logins_count: { column: 'logins_count', type: 'number', lowerCase: false, notNull: true },
  created_at: { column: 'created_at', type: 'date', lowerCase: false, notNull: true },
  updated_at: { column: 'updated_at', type: 'date', lowerCase: false, notNull: true },
  last_login: { column: 'last_login', type: 'date', lowerCase: false, notNull: false },
};

/** The lower-cased search copies of a user's case-insensitive fields, as columns. */
export function searchCopies(fields: {
  name?: string | null;
  given_name?: string | null;
  family_name?: string | null;
  nickname?: string | null;
  email?: string | null;
}): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const lower = (v: string | null) => (v === null ? null : v.toLowerCase());
  if (fields.name !== undefined) out.name_lower = lower(fields.name);
  if (fields.given_name !== undefined) out.given_name_lower = lower(fields.given_name);
  if (fields.family_name !== undefined) out.family_name_lower = lower(fields.family_name);
  if (fields.nickname !== undefined) out.nickname_lower = lower(fields.nickname);
  if (fields.email !== undefined) {
    const email = lower(fields.email);
    out.email_domain = email === null ? null : email.slice(email.lastIndexOf('@') + 1);
  }
  return out;
}
