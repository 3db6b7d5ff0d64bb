import { X509Certificate } from 'node:crypto';
import { CONNECTION_NAME_PATTERN, RESERVED_CONNECTION_NAMES } from '@gatehouse/core';
import { DEFAULT_ATTRIBUTE_MAP, type ProfileField } from './attribute-map.js';

/** Options of `saml()`. Only `name`, `entryPoint`, `idpCert` (or `idpCerts`) and `idpIssuer` are required. */
export interface SamlConnectionOptions {
  /** The connection name: lower-case letters, digits and dashes; also the URL segment (`/auth/<name>`). */
  name: string;
  /** Shown on the hosted login page. @default name */
  displayName?: string;
  /** The IdP's Single Sign-On URL (HTTP-Redirect binding). */
  entryPoint: string;
  /** The IdP's signing certificate (PEM, or the base64 body of one). */
  idpCert?: string;
  /** Several IdP signing certificates, for a key rollover: a signature by any of them is accepted. */
  idpCerts?: string[];
  /** The IdP's entity ID: the Issuer of every response and assertion must be exactly this. */
  idpIssuer: string;
  /** This SP's entity ID (the Audience the IdP must name). @default `<baseUrl><prefix>/<name>/metadata` */
  spIssuer?: string;
  /** Signs AuthnRequests (and LogoutRequests) with this key; the certificate is published in the SP metadata. */
  signAuthnRequests?: { privateKey: string; cert: string; signatureAlgorithm?: 'sha256' | 'sha512' };
  /** The NameID format asked for; null leaves the choice to the IdP. @default 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' */
  identifierFormat?: string | null;
  /** Take the user id from this attribute instead of the NameID (for IdPs that only send transient NameIDs). */
  userIdAttribute?: string;
  /** Attribute names read for each profile field, first match wins; replaces the default list of that field. */
  attributeMap?: Partial<Record<ProfileField, string | string[]>>;
  /** The attribute holding group or role names (e.g. `http://schemas.microsoft.com/ws/2008/06/identity/claims/groups`). */
  rolesAttribute?: string;
  /** Attribute value → Gatehouse role name(s). Values not in the map grant nothing. Without a map, values are role names. */
  roleMap?: Record<string, string | string[]>;
  /** Roles this connection grants and revokes at each login. @default the role names of roleMap */
  managedRoles?: string[];
  /** Accept responses the IdP sends without an AuthnRequest (IdP-initiated login). @default false */
  allowIdpInitiated?: boolean;
  /** The IdP's Single Logout URL; without it, logout is local only. */
  logoutUrl?: string;
  /** Tolerated clock difference with the IdP for NotBefore / NotOnOrAfter. @default 60000 */
  clockSkewMs?: number;
  /** How long an AuthnRequest id stays valid (the time a person may spend at the IdP). @default 900000 (15 min) */
  requestTtlMs?: number;
  /** Require the whole Response to be signed. @default true */
  wantAuthnResponseSigned?: boolean;
  /** Require the Assertion itself to be signed (also when the Response is). @default false */
  wantAssertionsSigned?: boolean;
  /** Whether the IdP vouches for the email addresses it sends (sets `email_verified`). @default false */
  emailVerified?: boolean;
  /** Refresh name, email and picture from the IdP at each login. @default true */
  syncUserProfile?: boolean;
  /** Ask the IdP to authenticate the user again even with a session there. @default false */
  forceAuthn?: boolean;
}

/** The options once validated and defaulted; the SP URLs are filled in when the strategy is built. */
export interface ResolvedSamlOptions {
  name: string;
  displayName: string;
  entryPoint: string;
  idpCerts: string[];
  idpIssuer: string;
  spIssuer: string | null;
  signing: { privateKey: string; cert: string; signatureAlgorithm: 'sha256' | 'sha512' } | null;
  identifierFormat: string | null;
  userIdAttribute: string | null;
  attributeMap: Record<ProfileField, string[]>;
  rolesAttribute: string | null;
  roleMap: Map<string, string[]> | null;
  managedRoles: string[];
  allowIdpInitiated: boolean;
  logoutUrl: string | null;
  clockSkewMs: number;
  requestTtlMs: number;
  wantAuthnResponseSigned: boolean;
  wantAssertionsSigned: boolean;
  emailVerified: boolean;
  syncUserProfile: boolean;
  forceAuthn: boolean;
}

export const DEFAULTS = {
  identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  allowIdpInitiated: false,
  clockSkewMs: 60_000,
  requestTtlMs: 15 * 60_000,
  wantAuthnResponseSigned: true,
  wantAssertionsSigned: false,
  emailVerified: false,
  syncUserProfile: true,
  forceAuthn: false,
} as const;

function invalid(name: string, expected: string, got: unknown): never {
  throw new TypeError(`saml(): option "${name}" must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

function nonEmpty(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') invalid(name, 'a non-empty string', value);
  return value;
}

function httpUrl(name: string, value: unknown): string {
  const text = nonEmpty(name, value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    invalid(name, 'an absolute http(s) URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid(name, 'an absolute http(s) URL', value);
  return text;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  const v = value ?? fallback;
  if (typeof v !== 'boolean') invalid(name, 'a boolean', v);
  return v;
}

function ms(name: string, value: unknown, fallback: number, min = 0): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) invalid(name, `a number of milliseconds >= ${min}`, v);
  return v;
}

function stringList(name: string, value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    invalid(name, 'a non-empty string or a list of them', value);
  }
  return list as string[];
}

/** A certificate as PEM; a bare base64 body (as IdP metadata carries it) is wrapped. Refuses what is not an X.509 certificate. */
function certificate(name: string, value: unknown): string {
  const text = nonEmpty(name, value).trim();
  const pem = text.includes('-----BEGIN')
    ? text
    : `-----BEGIN CERTIFICATE-----\n${text.replace(/\s+/gu, '').replace(/.{1,64}/gu, '$&\n')}-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new TypeError(`saml(): option "${name}" is not a PEM X.509 certificate`);
  }
  return pem;
}

function resolveAttributeMap(value: unknown): Record<ProfileField, string[]> {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    invalid('attributeMap', 'an object of profile field → attribute name(s)', value);
  }
  const map = { ...DEFAULT_ATTRIBUTE_MAP } as Record<ProfileField, string[]>;
  for (const [field, names] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    if (!Object.hasOwn(DEFAULT_ATTRIBUTE_MAP, field)) {
      throw new TypeError(`saml(): attributeMap.${field} is not a profile field (${Object.keys(DEFAULT_ATTRIBUTE_MAP).join(', ')})`);
    }
    map[field as ProfileField] = stringList(`attributeMap.${field}`, names);
  }
  return map;
}

/** Role values are compared as Map keys, never as object properties: a group called "constructor" maps to nothing. */
function resolveRoleMap(value: unknown): Map<string, string[]> | null {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid('roleMap', 'an object of attribute value → role name(s)', value);
  return new Map(Object.entries(value as Record<string, unknown>).map(([key, roles]) => [key, stringList(`roleMap[${JSON.stringify(key)}]`, roles)]));
}

/**
 * Validates `saml()` options once, at construction, with a TypeError naming the offending option.
 */
export function resolveSamlOptions(options: SamlConnectionOptions): ResolvedSamlOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('saml(): options are required');
  const name = nonEmpty('name', options.name);
  if (!CONNECTION_NAME_PATTERN.test(name) || RESERVED_CONNECTION_NAMES.has(name)) {
    invalid('name', 'lower-case letters, digits and dashes, not a reserved route name', name);
  }
  if ((options.idpCert === undefined) === (options.idpCerts === undefined)) {
    throw new TypeError('saml(): give exactly one of "idpCert" and "idpCerts"');
  }
  const idpCerts = options.idpCert !== undefined
    ? [certificate('idpCert', options.idpCert)]
    : stringList('idpCerts', options.idpCerts).map((c, i) => certificate(`idpCerts[${i}]`, c));

  let signing: ResolvedSamlOptions['signing'] = null;
  if (options.signAuthnRequests !== undefined) {
    const s = options.signAuthnRequests;
    if (s === null || typeof s !== 'object') invalid('signAuthnRequests', 'an object { privateKey, cert }', s);
    const algorithm = s.signatureAlgorithm ?? 'sha256';
    if (algorithm !== 'sha256' && algorithm !== 'sha512') invalid('signAuthnRequests.signatureAlgorithm', "'sha256' or 'sha512'", algorithm);
    signing = { privateKey: nonEmpty('signAuthnRequests.privateKey', s.privateKey), cert: certificate('signAuthnRequests.cert', s.cert), signatureAlgorithm: algorithm };
  }

  const identifierFormat = options.identifierFormat === undefined ? DEFAULTS.identifierFormat : options.identifierFormat;
  if (identifierFormat !== null) nonEmpty('identifierFormat', identifierFormat);

  const roleMap = resolveRoleMap(options.roleMap);
  const rolesAttribute = options.rolesAttribute === undefined ? null : nonEmpty('rolesAttribute', options.rolesAttribute);
  const managedRoles = options.managedRoles !== undefined
    ? stringList('managedRoles', options.managedRoles)
    : [...new Set([...(roleMap?.values() ?? [])].flat())];
  if (rolesAttribute !== null && managedRoles.length === 0) {
    throw new TypeError('saml(): "rolesAttribute" needs a "roleMap" or "managedRoles" (the roles this connection may grant)');
  }
  if (rolesAttribute === null && roleMap !== null) throw new TypeError('saml(): "roleMap" needs "rolesAttribute"');

  return {
    name,
    displayName: options.displayName === undefined ? name : nonEmpty('displayName', options.displayName),
    entryPoint: httpUrl('entryPoint', options.entryPoint),
    idpCerts,
    idpIssuer: nonEmpty('idpIssuer', options.idpIssuer),
    spIssuer: options.spIssuer === undefined ? null : nonEmpty('spIssuer', options.spIssuer),
    signing,
    identifierFormat,
    userIdAttribute: options.userIdAttribute === undefined ? null : nonEmpty('userIdAttribute', options.userIdAttribute),
    attributeMap: resolveAttributeMap(options.attributeMap),
    rolesAttribute,
    roleMap,
    managedRoles,
    allowIdpInitiated: flag('allowIdpInitiated', options.allowIdpInitiated, DEFAULTS.allowIdpInitiated),
    logoutUrl: options.logoutUrl === undefined ? null : httpUrl('logoutUrl', options.logoutUrl),
    clockSkewMs: ms('clockSkewMs', options.clockSkewMs, DEFAULTS.clockSkewMs),
    requestTtlMs: ms('requestTtlMs', options.requestTtlMs, DEFAULTS.requestTtlMs, 1000),
    wantAuthnResponseSigned: flag('wantAuthnResponseSigned', options.wantAuthnResponseSigned, DEFAULTS.wantAuthnResponseSigned),
    wantAssertionsSigned: flag('wantAssertionsSigned', options.wantAssertionsSigned, DEFAULTS.wantAssertionsSigned),
    emailVerified: flag('emailVerified', options.emailVerified, DEFAULTS.emailVerified),
    syncUserProfile: flag('syncUserProfile', options.syncUserProfile, DEFAULTS.syncUserProfile),
    forceAuthn: flag('forceAuthn', options.forceAuthn, DEFAULTS.forceAuthn),
  };
}
