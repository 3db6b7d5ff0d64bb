import { GatehouseError } from '../gatehouse-error.js';
import type { JsonValue } from '../user.js';
import type { IdpTokens } from './idp-tokens.js';

/** What an identity provider says about a user, once the connection's strategy has verified it. */
export interface ExternalProfile {
  /** The identity's provider, as in Auth0's `identities[].provider`: 'samlp', 'ad', 'google-oauth2', 'oidc', 'email'... */
  provider: string;
  /**
   * The user's stable id at the provider (SAML NameID, LDAP entryUUID, OIDC `sub`). Gatehouse's
   * user_id becomes `<provider>|<user_id>`; connections whose ids are only unique per connection
   * prefix them with the connection name, as Auth0 does (`samlp|corp|jane@corp.com`).
   */
  user_id: string;
  email?: string | null;
  /** Only what the provider vouches for. Enterprise directories usually do; never assume it. */
  email_verified?: boolean;
  username?: string | null;
  phone_number?: string | null;
  /** Only when the connection proved the user holds the number (an SMS code did). */
  phone_verified?: boolean;
  name?: string | null;
  given_name?: string | null;
  family_name?: string | null;
  nickname?: string | null;
  picture?: string | null;
  /** Role names the provider grants (mapped from directory groups or an attribute); applied within the connection's managedRoles. */
  roles?: string[];
  /** Raw attributes kept on the identity (`identities[].profileData`). */
  profileData?: Record<string, JsonValue>;
  /** What the connection needs again at logout (SAML NameID and SessionIndex); kept in the session. */
  sessionData?: Record<string, JsonValue>;
  /** The transaction id the provider gave back (see Connection.startOptions). */
  transaction?: string;
  /** Tokens the provider issued (OAuth): stored encrypted, shown only to management callers with `read:user_idp_tokens`. */
  tokens?: IdpTokens;
}

const ROOT_TEXT = ['email', 'username', 'phone_number', 'name', 'given_name', 'family_name', 'nickname', 'picture'] as const;

/** Root fields an external profile may set, with the limits the database columns hold. */
export type ExternalRootField = (typeof ROOT_TEXT)[number];
export const EXTERNAL_ROOT_FIELDS: readonly ExternalRootField[] = ROOT_TEXT;

function text(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max || /[\u0000-\u001f\u007f]/u.test(value)) {
    throw new GatehouseError('invalid_profile', { message: `The identity provider sent an unusable ${field}.` });
  }
  return value;
}

/**
 * Checks what a provider sent before it touches the database: a provider or user id that cannot
 * be stored, or a root field with control characters, is the provider's error (502), not the
 * user's. Emails are lower-cased as Gatehouse stores them.
 */
export function normalizeExternalProfile(profile: ExternalProfile): ExternalProfile {
  if (profile === null || typeof profile !== 'object') {
    throw new GatehouseError('invalid_profile', { message: 'The identity provider sent no profile.' });
  }
  const provider = text(profile.provider, 'provider', 64);
  const userId = text(profile.user_id, 'user id', 190);
  if (provider === null || userId === null || provider.includes('|')) {
    throw new GatehouseError('invalid_profile', { message: 'The identity provider sent no usable user id.' });
  }
  const out: ExternalProfile = { ...profile, provider, user_id: userId };
  for (const field of ROOT_TEXT) {
    if (profile[field] !== undefined) out[field] = text(profile[field], field, field === 'picture' ? 2048 : 255);
  }
  if (typeof out.email === 'string') out.email = out.email.toLowerCase();
  if (profile.roles !== undefined && (!Array.isArray(profile.roles) || profile.roles.some((r) => typeof r !== 'string'))) {
    throw new GatehouseError('invalid_profile', { message: 'The identity provider sent unusable roles.' });
  }
  return out;
}
