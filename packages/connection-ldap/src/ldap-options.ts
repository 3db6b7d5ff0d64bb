import type { ConnectionOptions } from 'node:tls';
import { CONNECTION_NAME_PATTERN, RESERVED_CONNECTION_NAMES } from '@gatehouse/core';
import { isDn, normalizeDn } from './distinguished-name.js';
import { checkFilterTemplate } from './ldap-filter.js';

/** Profile fields a directory attribute can fill (`attributeMap`). */
export type LdapProfileField = 'email' | 'name' | 'given_name' | 'family_name' | 'nickname' | 'username' | 'phone_number' | 'picture';

const PROFILE_FIELDS: readonly LdapProfileField[] = ['email', 'name', 'given_name', 'family_name', 'nickname', 'username', 'phone_number', 'picture'];

/**
 * Options of `ldap()`. Checked once, when the connection is created: a mistake is a TypeError at
 * start-up, never a failed login later.
 */
export interface LdapOptions {
  /** The connection's name: lower-case letters, digits, dashes; the URL segment and `identities[].connection`. */
  name: string;
  /** Shown on the hosted login page. @default name */
  displayName?: string;
  /** `ldaps://host:636`, or `ldap://host:389` where clear text is acceptable (loopback, a trusted network). */
  url: string;
  /** The service account that searches for the user's entry, e.g. `cn=gatehouse,ou=services,dc=corp,dc=com`. */
  bindDN: string;
  bindCredentials: string;
  /** Where users are searched (subtree), e.g. `ou=people,dc=corp,dc=com`. */
  searchBase: string;
  /**
   * Finds the entry of the name typed at login; `{{username}}` is replaced by that name, escaped
   * per RFC 4515 so it is matched literally. It must match exactly one entry: two matches refuse
   * the login. @default '(|(uid={{username}})(mail={{username}}))'
   */
  searchFilter?: string;
  /** @default 'sub' */
  searchScope?: 'base' | 'one' | 'sub';
  /** More attributes to fetch and keep in `identities[].profileData` (mapped ones are always fetched). Password attributes are never kept. */
  searchAttributes?: string[];
  /**
   * The attribute holding the entry's stable id, which makes the user id `ad|<name>|<id>`.
   * Default: `entryUUID` (OpenLDAP, 389-ds), else `uid`. Active Directory: `objectGUID`.
   */
  idAttribute?: string;
  /** Directory attribute per profile field; `null` leaves a field out. Merged over the defaults. */
  attributeMap?: Partial<Record<LdapProfileField, string | null>>;
  /** Whether the directory vouches for the `mail` it holds (sets `email_verified`). @default false */
  emailVerified?: boolean;
  /** Where groups are searched. Without it no groups are read and roles are left alone. */
  groupSearchBase?: string;
  /** Groups of the user: `{{dn}}` is the user's entry DN, `{{username}}` its `uid`. @default '(member={{dn}})' */
  groupSearchFilter?: string;
  /** Group DN (compared case-insensitively) to Gatehouse role name. The roles must exist; these roles are then managed by the directory. */
  groupRoleMap?: Record<string, string>;
  /** TLS options for an `ldaps://` url (`ca`, `servername`, `minVersion`, client `cert`/`key`...), passed to Node's tls.connect. */
  tls?: ConnectionOptions;
  /**
   * STARTTLS is refused (a TypeError) with this version of passport-ldapauth: ldapauth-fork 5
   * queues the service account's bind behind the STARTTLS request and ldapjs 2 writes both at
   * once, so the bind password crosses the network in clear text before the TLS handshake (seen
   * on every login against slapd). Use an `ldaps://` url. @default false
   */
  starttls?: false;
  /** The whole directory exchange of one login (connect, binds, searches) must end within this; else 503. @default 5000 */
  timeoutMs?: number;
  /** Giving up on connecting to the directory. @default 3000 */
  connectTimeoutMs?: number;
  /** Root profile fields refreshed from the directory at each login. @default true */
  syncUserProfile?: boolean;
}

/** Defaults of every optional `ldap()` option. */
export const LDAP_DEFAULTS = {
  searchFilter: '(|(uid={{username}})(mail={{username}}))',
  searchScope: 'sub',
  groupSearchFilter: '(member={{dn}})',
  emailVerified: false,
  starttls: false,
  timeoutMs: 5000,
  connectTimeoutMs: 3000,
  syncUserProfile: true,
  attributeMap: { email: 'mail', name: 'cn', given_name: 'givenName', family_name: 'sn', nickname: 'uid' },
} as const satisfies Partial<LdapOptions>;

/** `ldap()`'s options once checked and defaulted. */
export interface ResolvedLdapOptions {
  name: string;
  displayName: string;
  url: string;
  secure: boolean;
  host: string;
  bindDN: string;
  bindCredentials: string;
  searchBase: string;
  searchFilter: string;
  searchScope: 'base' | 'one' | 'sub';
  /** Every attribute the user search asks for. */
  attributes: readonly string[];
  /** null: entryUUID, else uid. */
  idAttribute: string | null;
  attributeMap: Readonly<Partial<Record<LdapProfileField, string>>>;
  emailVerified: boolean;
  groupSearchBase: string | null;
  groupSearchFilter: string;
  /** Normalized group DN to role name. */
  groupRoles: ReadonlyMap<string, string>;
  managedRoles: readonly string[];
  tls: ConnectionOptions | null;
  timeoutMs: number;
  connectTimeoutMs: number;
  syncUserProfile: boolean;
}

function text(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`ldap(): ${option} must be a non-empty string`);
  return value;
}

function dn(value: unknown, option: string): string {
  if (!isDn(value)) throw new TypeError(`ldap(): ${option} must be a distinguished name such as "ou=people,dc=example,dc=com"; got ${JSON.stringify(value)}`);
  return value;
}

function milliseconds(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 120_000) throw new TypeError(`ldap(): ${option} must be a whole number of milliseconds between 1 and 120000`);
  return value;
}

function attributeName(value: unknown, option: string): string {
  if (typeof value !== 'string' || !/^([A-Za-z][\w-]*|\d+(\.\d+)+|\*|\+)$/u.test(value)) {
    throw new TypeError(`ldap(): ${option} must be an attribute name; got ${JSON.stringify(value)}`);
  }
  return value;
}

function resolveUrl(value: unknown): { url: string; secure: boolean; host: string } {
  const raw = text(value, 'url');
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new TypeError(`ldap(): url must be ldap://host[:port] or ldaps://host[:port]; got ${JSON.stringify(raw)}`);
  }
  if ((parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') || parsed.hostname === '' || (parsed.pathname !== '' && parsed.pathname !== '/')) {
    throw new TypeError(`ldap(): url must be ldap://host[:port] or ldaps://host[:port]; got ${JSON.stringify(raw)}`);
  }
  return { url: raw, secure: parsed.protocol === 'ldaps:', host: parsed.hostname };
}

function resolveAttributeMap(map: unknown): Partial<Record<LdapProfileField, string>> {
  if (map !== undefined && (map === null || typeof map !== 'object' || Array.isArray(map))) throw new TypeError('ldap(): attributeMap must be an object');
  const merged: Record<string, unknown> = { ...LDAP_DEFAULTS.attributeMap, ...(map as object | undefined) };
  const out: Partial<Record<LdapProfileField, string>> = {};
  for (const [field, attribute] of Object.entries(merged)) {
    if (!PROFILE_FIELDS.includes(field as LdapProfileField)) {
      throw new TypeError(`ldap(): attributeMap.${field} is not a profile field (${PROFILE_FIELDS.join(', ')})`);
    }
    if (attribute !== null) out[field as LdapProfileField] = attributeName(attribute, `attributeMap.${field}`);
  }
  return out;
}

function resolveGroupRoles(map: unknown): Map<string, string> {
  const roles = new Map<string, string>();
  if (map === undefined) return roles;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new TypeError('ldap(): groupRoleMap must be an object of group DN to role name');
  for (const [group, role] of Object.entries(map)) {
    dn(group, `groupRoleMap key ${JSON.stringify(group)}`);
    roles.set(normalizeDn(group), text(role, `groupRoleMap[${JSON.stringify(group)}]`));
  }
  return roles;
}

/** Checks `ldap()`'s options and fills the defaults; throws a TypeError naming the bad option. */
export function resolveLdapOptions(options: LdapOptions): ResolvedLdapOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('ldap() needs an options object');
  // An option given as undefined means "the default", as if it were left out.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as unknown as LdapOptions;
  const o = { ...LDAP_DEFAULTS, ...given };
  if (typeof o.name !== 'string' || !CONNECTION_NAME_PATTERN.test(o.name) || RESERVED_CONNECTION_NAMES.has(o.name)) {
    throw new TypeError(`ldap(): name must be lower-case letters, digits and dashes, not a reserved route name; got ${JSON.stringify(o.name)}`);
  }
  const { url, secure, host } = resolveUrl(o.url);
  if ((o.starttls as unknown) !== false) {
    throw new TypeError(
      'ldap(): starttls is not supported: passport-ldapauth 3 sends the service account\'s bind before the STARTTLS handshake ends, in clear text. Use an ldaps:// url with tls options.',
    );
  }
  if (o.tls !== undefined && (o.tls === null || typeof o.tls !== 'object')) throw new TypeError('ldap(): tls must be an object of tls.connect options');
  if (o.tls !== undefined && !secure) throw new TypeError('ldap(): tls options need an ldaps:// url');
  const timeoutMs = milliseconds(o.timeoutMs, 'timeoutMs');
  const connectTimeoutMs = milliseconds(o.connectTimeoutMs, 'connectTimeoutMs');
  if (connectTimeoutMs > timeoutMs) throw new TypeError('ldap(): connectTimeoutMs cannot exceed timeoutMs, which bounds the whole login');
  if (o.searchScope !== 'base' && o.searchScope !== 'one' && o.searchScope !== 'sub') throw new TypeError("ldap(): searchScope must be 'base', 'one' or 'sub'");
  if (o.searchAttributes !== undefined && !Array.isArray(o.searchAttributes)) throw new TypeError('ldap(): searchAttributes must be an array of attribute names');
  const extra = (o.searchAttributes ?? []).map((a, i) => attributeName(a, `searchAttributes[${i}]`));
  const idAttribute = o.idAttribute === undefined ? null : attributeName(o.idAttribute, 'idAttribute');
  const attributeMap = resolveAttributeMap(o.attributeMap);
  const groupRoles = resolveGroupRoles(o.groupRoleMap);
  const groupSearchBase = o.groupSearchBase === undefined ? null : dn(o.groupSearchBase, 'groupSearchBase');
  if (groupRoles.size > 0 && groupSearchBase === null) throw new TypeError('ldap(): groupRoleMap needs groupSearchBase, where the groups are searched');
  if (typeof o.emailVerified !== 'boolean' || typeof o.syncUserProfile !== 'boolean') throw new TypeError('ldap(): emailVerified and syncUserProfile must be booleans');
  const idAttributes = idAttribute === null ? ['entryUUID', 'uid'] : [idAttribute];
  return {
    name: o.name,
    displayName: o.displayName === undefined ? o.name : text(o.displayName, 'displayName'),
    url,
    secure,
    host,
    bindDN: dn(o.bindDN, 'bindDN'),
    bindCredentials: text(o.bindCredentials, 'bindCredentials'),
    searchBase: dn(o.searchBase, 'searchBase'),
    searchFilter: checkFilterTemplate(o.searchFilter, 'searchFilter', ['username'], ['username']),
    searchScope: o.searchScope,
    attributes: [...new Set([...idAttributes, ...Object.values(attributeMap), ...extra])],
    idAttribute,
    attributeMap,
    emailVerified: o.emailVerified,
    groupSearchBase,
    groupSearchFilter: checkFilterTemplate(o.groupSearchFilter, 'groupSearchFilter', ['dn', 'username'], ['dn', 'username']),
    groupRoles,
    managedRoles: [...new Set(groupRoles.values())],
    tls: o.tls ?? null,
    timeoutMs,
    connectTimeoutMs,
    syncUserProfile: o.syncUserProfile,
  };
}
