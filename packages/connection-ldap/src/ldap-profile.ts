import { GatehouseError, type ExternalProfile, type JsonValue } from '@gatehouse/core';
import { normalizeDn } from './distinguished-name.js';
import type { ResolvedLdapOptions } from './ldap-options.js';

/** A directory entry as ldapauth-fork returns it (ldapjs `entry.object`): the DN and attribute values. */
export interface LdapEntry {
  dn: string;
  /** Group entries, when a group search is configured. */
  _groups?: LdapEntry[];
  /** Raw attribute values, for binary ids such as objectGUID. */
  _raw?: Record<string, unknown>;
  [attribute: string]: unknown;
}

/** Auth0 names AD/LDAP identities 'ad', whatever the directory. */
export const LDAP_PROVIDER = 'ad';

/**
 * Attributes that hold password material. A service account that may read them (often the
 * directory's admin) must not copy them into Gatehouse's profileData, even when asked for `*`.
 */
const SECRET_ATTRIBUTES = new Set([
  'userpassword', 'authpassword', 'unicodepwd', 'dbcspwd', 'ntpwdhistory', 'lmpwdhistory', 'supplementalcredentials',
  'sambantpassword', 'sambalmpassword', 'sambapasswordhistory', 'krbprincipalkey', 'krbextradata',
]);

/** Keys ldapauth-fork and ldapjs add that are not attributes. */
const NOT_ATTRIBUTES = new Set(['dn', 'controls', '_groups', '_raw']);

function first(value: unknown): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The string form of an Active Directory objectGUID (the first three groups are little-endian). */
export function formatGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new GatehouseError('invalid_profile', { message: 'The directory sent an objectGUID that is not 16 bytes.' });
  const hex = (indexes: number[]) => indexes.map((i) => bytes[i]!.toString(16).padStart(2, '0')).join('');
  return [hex([3, 2, 1, 0]), hex([5, 4]), hex([7, 6]), hex([8, 9]), hex([10, 11, 12, 13, 14, 15])].join('-');
}

function attributeValue(entry: LdapEntry, attribute: string): string | null {
  // Attribute names compare case-insensitively; the directory may spell them its own way.
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase() && !NOT_ATTRIBUTES.has(k));
  return key === undefined ? null : first(entry[key]);
}

function rawValue(entry: LdapEntry, attribute: string): Uint8Array | null {
  const raw = entry._raw ?? {};
  const key = Object.keys(raw).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : raw[key];
  const v = Array.isArray(value) ? value[0] : value;
  return v instanceof Uint8Array ? v : null;
}

/** The entry's stable id: never the login name alone when the directory has a UUID. */
function entryId(entry: LdapEntry, options: ResolvedLdapOptions): string {
  const { idAttribute } = options;
  let id: string | null;
  if (idAttribute === null) {
    id = attributeValue(entry, 'entryUUID') ?? attributeValue(entry, 'uid');
  } else if (idAttribute.toLowerCase() === 'objectguid') {
    const bytes = rawValue(entry, idAttribute);
    id = bytes ? formatGuid(bytes) : null;
  } else {
    id = attributeValue(entry, idAttribute);
  }
  if (id === null) {
    throw new GatehouseError('invalid_profile', {
      message: `The directory entry has no ${idAttribute ?? 'entryUUID or uid'} (set idAttribute, or let the service account read it).`,
    });
  }
  return id;
}

function profileData(entry: LdapEntry): Record<string, JsonValue> {
  const data: Record<string, JsonValue> = { dn: entry.dn };
  for (const [key, value] of Object.entries(entry)) {
    if (NOT_ATTRIBUTES.has(key) || SECRET_ATTRIBUTES.has(key.toLowerCase())) continue;
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) data[key] = value as JsonValue;
  }
  if (entry._groups) data.groups = entry._groups.map((g) => g.dn);
  return data;
}

/**
 * Maps the entry of a user who just bound successfully to the normalized profile: user id
 * `<connection>|<entryUUID>` (Gatehouse's user_id is then `ad|<connection>|<entryUUID>`, as in
 * Auth0), the mapped root fields, roles from the groups found in groupRoleMap, and the entry's
 * other attributes (without password material) as profileData.
 */
export function entryToProfile(entry: LdapEntry, options: ResolvedLdapOptions): ExternalProfile {
  if (entry === null || typeof entry !== 'object' || typeof entry.dn !== 'string') {
    throw new GatehouseError('invalid_profile', { message: 'The directory returned an entry without a DN.' });
  }
  const id = entryId(entry, options);
  const profile: ExternalProfile = { provider: LDAP_PROVIDER, user_id: `${options.name}|${id}` };
  for (const [field, attribute] of Object.entries(options.attributeMap)) {
    profile[field as keyof typeof options.attributeMap] = attributeValue(entry, attribute!);
  }
  if (profile.email) profile.email_verified = options.emailVerified;
  if (options.groupSearchBase !== null) {
    // Roles follow the directory: a user found in no mapped group gets none of the managed roles.
    const roles = (entry._groups ?? []).flatMap((group) => {
      const role = typeof group.dn === 'string' ? options.groupRoles.get(normalizeDn(group.dn)) : undefined;
      return role === undefined ? [] : [role];
    });
    profile.roles = [...new Set(roles)];
  }
  profile.profileData = profileData(entry);
  // A binary GUID read as text is garbage; keep its readable form instead.
  if (options.idAttribute?.toLowerCase() === 'objectguid') profile.profileData[options.idAttribute] = id;
  return profile;
}
