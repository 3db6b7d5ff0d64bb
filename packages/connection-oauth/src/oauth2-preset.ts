import type { Connection, ExternalProfile } from '@gatehouse/core';
import { Strategy as OAuth2Strategy, type VerifyCallback } from 'passport-oauth2';
import { connectionBasics, optionalUrl, requireText, scopeList, type SocialConnectionOptions } from './connection-options.js';
import { guardedStrategy, START_OPTION, type PassportStrategy, type PassProfile } from './guarded-strategy.js';
import { tokensOf } from './profile-mapping.js';

/** Options of the OAuth 2.0 presets (github(), facebook(), x()). */
export interface OAuth2PresetOptions extends SocialConnectionOptions {
  clientID: string;
  clientSecret: string;
  /** Overrides of the provider's endpoints (an enterprise server, a proxy, tests). */
  authorizationURL?: string;
  tokenURL?: string;
  /** The base URL of the provider's API the profile is read from. */
  apiURL?: string;
}

/** What a preset knows about its provider. */
export interface OAuth2Provider {
  factory: string;
  name: string;
  displayName: string;
  authorizationURL: string;
  tokenURL: string;
  apiURL: string;
  scope: readonly string[];
  scopeSeparator?: string;
  /** Send the client credentials as HTTP Basic to the token endpoint (X requires it). */
  basicAuth?: boolean;
  /** Reads the user's profile with the access token. */
  profile(accessToken: string, api: { apiURL: string; clientSecret: string }): Promise<ExternalProfile>;
}

/**
 * A connection over passport-oauth2 for a provider that is not OpenID Connect: authorization code
 * flow with `state` and PKCE (S256) in the session, then the provider's own profile API.
 */
export function oauth2Preset(provider: OAuth2Provider, options: OAuth2PresetOptions): Connection {
  const { factory } = provider;
  const basics = connectionBasics(factory, options, { name: provider.name, displayName: provider.displayName });
  const clientID = requireText(factory, options, 'clientID');
  const clientSecret = requireText(factory, options, 'clientSecret');
  const scope = scopeList(factory, options.scope, provider.scope);
  const authorizationURL = optionalUrl(factory, options, 'authorizationURL') ?? provider.authorizationURL;
  const tokenURL = optionalUrl(factory, options, 'tokenURL') ?? provider.tokenURL;
  const apiURL = (optionalUrl(factory, options, 'apiURL') ?? provider.apiURL).replace(/\/+$/u, '');

  return {
    ...basics,
    createStrategy(services) {
      return guardedStrategy(basics.name, services, async () => {
        const strategy = new OAuth2Strategy(
          {
            clientID,
            clientSecret,
            authorizationURL,
            tokenURL,
            callbackURL: services.callbackUrl,
            scope,
            ...(provider.scopeSeparator ? { scopeSeparator: provider.scopeSeparator } : {}),
            state: true,
            pkce: true,
            sessionKey: `gatehouse:oauth:${basics.name}`,
            ...(provider.basicAuth
              ? { customHeaders: { Authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`).toString('base64')}` } }
              : {}),
          },
          (accessToken: string, refreshToken: string, params: Record<string, unknown>, profile: ExternalProfile, done: VerifyCallback) => {
            profile.tokens = tokensOf({ ...params, access_token: accessToken, refresh_token: refreshToken }, services.clock);
            (done as unknown as PassProfile)(null, profile);
          },
        );
        strategy.userProfile = (accessToken, done) => {
          provider.profile(accessToken, { apiURL, clientSecret }).then((profile) => done(null, profile), done);
        };
        return strategy as unknown as PassportStrategy;
      });
    },
    startOptions: () => ({ [START_OPTION]: true }),
  };
}
