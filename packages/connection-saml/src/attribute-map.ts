import { GatehouseError, type ExternalProfile, type JsonValue } from '@gatehouse/core';
import type { Profile } from '@node-saml/passport-saml';
import type { ResolvedSamlOptions } from './saml-options.js';

/** Profile fields an attribute can fill. */
export type ProfileField = 'email' | 'email_verified' | 'name' | 'given_name' | 'family_name' | 'nickname' | 'username' | 'picture' | 'phone_number';

/**
 * The attribute names IdPs commonly use for each field: short names (Okta, Google, Keycloak),
 * LDAP OIDs (Shibboleth, the InCommon profile) and WS-Federation claim URIs (ADFS, Entra ID).
 */
export const DEFAULT_ATTRIBUTE_MAP: Readonly<Record<ProfileField, readonly string[]>> = {
  email: [
    'email', 'mail', 'emailAddress',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
    'urn:oid:0.9.2342.19200300.100.1.3',
  ],
  email_verified: ['email_verified'],
  name: [
    'name', 'displayName', 'cn',
    'http://schemas.microsoft.com/identity/claims/displayname',
    'urn:oid:2.16.840.1.113730.3.1.241',
    'urn:oid:2.5.4.3',
  ],
  given_name: [
    'given_name', 'givenName', 'firstName',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
    'urn:oid:2.5.4.42',
  ],
  family_name: [
    'family_name', 'sn', 'surname', 'lastName',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
    'urn:oid:2.5.4.4',
  ],
  nickname: ['nickname'],
  username: ['username', 'uid', 'urn:oid:0.9.2342.19200300.100.1.1'],
  picture: ['picture'],
  phone_number: ['phone_number'],
};

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const TRANSIENT_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/** The attributes as JSON: text values only (complex values, rare in practice, are left out). */
function attributesOf(profile: Profile): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const raw = profile.attributes;
  if (raw === null || typeof raw !== 'object') return out;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.filter((v): v is string => typeof v === 'string');
  }
  return out;
}

function first(attributes: Record<string, string | string[]>, names: readonly string[]): string | undefined {
  for (const name of names) {
    if (!Object.hasOwn(attributes, name)) continue;
    const value = attributes[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text !== '') return text;
  }
  return undefined;
}

function rolesOf(options: ResolvedSamlOptions, attributes: Record<string, string | string[]>): string[] | undefined {
  if (options.rolesAttribute === null) return undefined;
  const raw = Object.hasOwn(attributes, options.rolesAttribute) ? attributes[options.rolesAttribute] : [];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const roles = options.roleMap === null ? values : values.flatMap((v) => options.roleMap!.get(v) ?? []);
  return [...new Set(roles)];
}

/**
 * Turns what node-saml read from a verified assertion into the profile Gatehouse stores. The user
 * id is `<connection>|<NameID>` (as Auth0 names SAML users), so two IdPs' users never collide.
 */
export function externalProfileOf(options: ResolvedSamlOptions, profile: Profile): ExternalProfile {
  const attributes = attributesOf(profile);
  const map = options.attributeMap;
  const nameID = typeof profile.nameID === 'string' ? profile.nameID : '';
  const nameIDFormat = typeof profile.nameIDFormat === 'string' ? profile.nameIDFormat : null;
  let subject = nameID;
  if (options.userIdAttribute !== null) {
    subject = first(attributes, [options.userIdAttribute]) ?? '';
  } else if (nameIDFormat === TRANSIENT_FORMAT) {
    // A transient NameID changes at every login: as a user id it would make a new user each time.
    throw new GatehouseError('invalid_profile', { message: 'The identity provider sent a transient NameID; set userIdAttribute.' });
  }
  if (subject === '') throw new GatehouseError('invalid_profile', { message: 'The identity provider sent no user id.' });

  const email = first(attributes, map.email) ?? (nameIDFormat === EMAIL_FORMAT && nameID.includes('@') ? nameID : undefined);
  const verifiedClaim = first(attributes, map.email_verified);
  const sessionData: Record<string, JsonValue> = { nameID, nameIDFormat };
  for (const key of ['sessionIndex', 'nameQualifier', 'spNameQualifier'] as const) {
    if (typeof profile[key] === 'string') sessionData[key] = profile[key];
  }
  return {
    provider: 'samlp',
    user_id: `${options.name}|${subject}`,
    email: email ?? null,
    email_verified: email === undefined ? false : verifiedClaim !== undefined ? verifiedClaim === 'true' : options.emailVerified,
    name: first(attributes, map.name) ?? null,
    given_name: first(attributes, map.given_name) ?? null,
    family_name: first(attributes, map.family_name) ?? null,
    nickname: first(attributes, map.nickname) ?? null,
    username: first(attributes, map.username) ?? null,
    picture: first(attributes, map.picture) ?? null,
    phone_number: first(attributes, map.phone_number) ?? null,
    roles: rolesOf(options, attributes),
    profileData: attributes,
    sessionData,
  };
}
