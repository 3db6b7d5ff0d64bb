import { GatehouseError, type Connection, type ExternalProfile } from '@gatehouse/core';
import { Strategy as GoogleStrategy, type Profile, type VerifyCallback } from 'passport-google-oauth20';
import { connectionBasics, optionalText, optionalUrl, requireText, scopeList, type SocialConnectionOptions } from './connection-options.js';
import { guardedStrategy, START_OPTION, type PassportStrategy, type PassProfile } from './guarded-strategy.js';
import { profileDataOf, text, tokensOf, vouched } from './profile-mapping.js';

/** Options of google(). */
export interface GoogleOptions extends SocialConnectionOptions {
  clientID: string;
  clientSecret: string;
  /** @default ['openid', 'email', 'profile'] */
  scope?: string | string[];
  /** `offline` asks Google for a refresh token too. @default 'online' */
  accessType?: 'online' | 'offline';
  /** Overrides for tests, proxies and Google Workspace setups. */
  authorizationURL?: string;
  tokenURL?: string;
  /** Must end in `/userinfo` (passport-google-oauth20 reads the OpenID Connect userinfo format only then). */
  userProfileURL?: string;
}

const DEFAULT_SCOPE = ['openid', 'email', 'profile'];

/** Claims that become root fields; the rest is kept as the identity's profileData. */
const ROOT_CLAIMS = ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'picture'];

/** Google's userinfo claims as an ExternalProfile: `google-oauth2|<sub>`, the email verified only when Google says so. */
export function googleProfile(json: Record<string, unknown>): ExternalProfile {
  const sub = text(json.sub);
  if (sub === undefined) throw new GatehouseError('invalid_profile', { message: 'Google sent a profile without sub.' });
  const email = text(json.email);
  const profile: ExternalProfile = {
    provider: 'google-oauth2',
    user_id: sub,
    email: email ?? null,
    email_verified: email !== undefined && vouched(json.email_verified),
    name: text(json.name) ?? null,
    given_name: text(json.given_name) ?? null,
    family_name: text(json.family_name) ?? null,
    picture: text(json.picture) ?? null,
  };
  const profileData = profileDataOf(json, ROOT_CLAIMS);
  if (profileData) profile.profileData = profileData;
  return profile;
}

/**
 * Sign in with Google, over passport-google-oauth20: authorization code flow with `state` and PKCE
 * (S256) kept in the session, the profile from Google's OpenID Connect userinfo endpoint. The
 * identity is `google-oauth2|<sub>` (Auth0's provider name); the access (and refresh) token is
 * stored encrypted for `read:user_idp_tokens` callers.
 *
 * @example
 * identity({ baseUrl, connections: [google({ clientID: process.env.GOOGLE_ID!, clientSecret: process.env.GOOGLE_SECRET! })] });
 */
export function google(options: GoogleOptions): Connection {
  const factory = 'google';
  const basics = connectionBasics(factory, options, { name: 'google', displayName: 'Google' });
  const clientID = requireText(factory, options, 'clientID');
  const clientSecret = requireText(factory, options, 'clientSecret');
  const scope = scopeList(factory, options.scope, DEFAULT_SCOPE);
  const accessType = optionalText(factory, options, 'accessType');
  if (accessType !== undefined && accessType !== 'online' && accessType !== 'offline') {
    throw new TypeError(`${factory}(): accessType must be 'online' or 'offline'`);
  }
  const authorizationURL = optionalUrl(factory, options, 'authorizationURL');
  const tokenURL = optionalUrl(factory, options, 'tokenURL');
  const userProfileURL = optionalUrl(factory, options, 'userProfileURL');
  if (userProfileURL !== undefined && !new URL(userProfileURL).pathname.endsWith('/userinfo')) {
    throw new TypeError(`${factory}(): userProfileURL must end in /userinfo (the OpenID Connect userinfo format)`);
  }

  return {
    ...basics,
    createStrategy(services) {
      return guardedStrategy(basics.name, services, async () => {
        const strategy = new GoogleStrategy(
          {
            clientID,
            clientSecret,
            callbackURL: services.callbackUrl,
            scope,
            state: true,
            pkce: true,
            // One session slot per connection: two Google connections must not share a state.
            sessionKey: `gatehouse:oauth:${basics.name}`,
            ...(authorizationURL ? { authorizationURL } : {}),
            ...(tokenURL ? { tokenURL } : {}),
            ...(userProfileURL ? { userProfileURL } : {}),
          },
          // Five parameters: passport-oauth2 passes the token response (`expires_in`) only to a verify of this arity.
          ((accessToken: string, refreshToken: string, params: Record<string, unknown>, profile: Profile, done: VerifyCallback) => {
            try {
              const external = googleProfile(profile._json as Record<string, unknown>);
              external.tokens = tokensOf({ ...params, access_token: accessToken, refresh_token: refreshToken }, services.clock);
              // Passport calls it a user; for Gatehouse it is the profile that ExternalLogins turns into one.
              (done as unknown as PassProfile)(null, external);
            } catch (err) {
              done(err);
            }
          }) as unknown as (accessToken: string, refreshToken: string, profile: Profile, done: VerifyCallback) => void,
        );
        // The access token goes in the Authorization header, never the query string (where logs
        // keep it); OpenID providers other than Google's own refuse it in the query.
        (strategy as unknown as { _oauth2: { useAuthorizationHeaderforGET(use: boolean): void } })._oauth2.useAuthorizationHeaderforGET(true);
        return strategy as unknown as PassportStrategy;
      });
    },
    startOptions: () => ({ [START_OPTION]: true, ...(accessType ? { accessType } : {}) }),
  };
}
