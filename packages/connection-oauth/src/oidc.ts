import { GatehouseError, type Connection, type ConnectionServices, type ExternalProfile } from '@gatehouse/core';
import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions, type VerifyFunction } from 'openid-client/passport';
import { connectionBasics, optionalBoolean, optionalText, requireText, optionError, scopeList, type SocialConnectionOptions } from './connection-options.js';
import { guardedStrategy, START_OPTION, type PassportStrategy, type PassProfile } from './guarded-strategy.js';
import { profileDataOf, text, tokensOf, vouched } from './profile-mapping.js';

/** Options of oidc(). */
export interface OidcOptions extends SocialConnectionOptions {
  /** Required: the connection's name is part of every user id (`oidc|<name>|<sub>`). */
  name: string;
  /** The issuer identifier; its `/.well-known/openid-configuration` is discovered at the first login. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** @default ['openid', 'email', 'profile'] */
  scope?: string | string[];
  /** Allow an `http:` issuer (development and tests only; refused with NODE_ENV=production). @default false */
  allowInsecureRequests?: boolean;
  /** Seconds each request to the provider may take. @default 10 */
  timeout?: number;
}

/** How a provider's claims become a profile; presets over OIDC (microsoft()) bring their own. */
export interface OidcMapping {
  /** `identities[].provider`. @default 'oidc' */
  provider: string;
  /** The provider user id. @default `<connection>|<sub>` */
  userId(claims: Record<string, unknown>, connection: string): string;
  /** Whether the provider vouches for the email. @default email_verified === true */
  emailVerified(claims: Record<string, unknown>): boolean;
}

const DEFAULT_SCOPE = ['openid', 'email', 'profile'];

/** ID token claims about the token itself, not the user: left out of profileData. */
const TOKEN_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'auth_time', 'at_hash', 'c_hash', 'azp', 'sid', 'jti', 'acr', 'amr'];
const ROOT_CLAIMS = ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'preferred_username'];

const DEFAULT_MAPPING: OidcMapping = {
  provider: 'oidc',
  userId: (claims, connection) => `${connection}|${String(claims.sub)}`,
  emailVerified: (claims) => vouched(claims.email_verified),
};

/** ID token claims and userinfo as an ExternalProfile (the signed ID token wins where both speak). */
export function oidcProfile(claims: Record<string, unknown>, connection: string, mapping: OidcMapping = DEFAULT_MAPPING): ExternalProfile {
  if (text(claims.sub) === undefined) throw new GatehouseError('invalid_profile', { message: 'The provider sent no sub.' });
  const email = text(claims.email);
  const profile: ExternalProfile = {
    provider: mapping.provider,
    user_id: mapping.userId(claims, connection),
    email: email ?? null,
    email_verified: email !== undefined && mapping.emailVerified(claims),
    name: text(claims.name) ?? null,
    given_name: text(claims.given_name) ?? null,
    family_name: text(claims.family_name) ?? null,
    nickname: text(claims.nickname) ?? text(claims.preferred_username) ?? null,
    picture: text(claims.picture) ?? null,
  };
  const profileData = profileDataOf(claims, [...TOKEN_CLAIMS, ...ROOT_CLAIMS]);
  if (profileData) profile.profileData = profileData;
  return profile;
}

/**
 * openid-client's strategy with `state` and `nonce` on every authorization request: it adds them
 * only in some flows, and both are wanted here (state binds the answer to this browser's session,
 * nonce binds the ID token to this request). It keeps what it sends in the session and checks the
 * answer against it, with the PKCE verifier (S256) and the `iss` response parameter.
 */
class CheckedStrategy extends Strategy {
  override authorizationRequestParams<TOptions extends AuthenticateOptions>(req: Parameters<Strategy['authorizationRequestParams']>[0], options: TOptions): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) as URLSearchParams);
    params.set('state', client.randomState());
    params.set('nonce', client.randomNonce());
    return params;
  }
}

/** Checks the options common to oidc() and the presets built on it. */
export function resolveOidc(factory: string, options: OidcOptions, defaults: { name: string; displayName: string }) {
  const basics = connectionBasics(factory, options, defaults);
  const issuer = requireText(factory, options, 'issuer');
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw optionError(factory, 'issuer', 'an absolute URL');
  }
  const insecure = optionalBoolean(factory, options, 'allowInsecureRequests') ?? false;
  if (insecure && process.env.NODE_ENV === 'production') {
    throw new TypeError(`${factory}(): allowInsecureRequests is for development and tests; it is refused with NODE_ENV=production`);
  }
  if (issuerUrl.protocol !== 'https:' && !(insecure && issuerUrl.protocol === 'http:')) {
    throw optionError(factory, 'issuer', 'an https URL (http needs allowInsecureRequests, outside production)');
  }
  const timeout = options.timeout ?? 10;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > 120) {
    throw optionError(factory, 'timeout', 'a number of seconds from 1 to 120');
  }
  optionalText(factory, options, 'displayName');
  return {
    basics,
    issuerUrl,
    insecure,
    timeout,
    clientId: requireText(factory, options, 'clientId'),
    clientSecret: requireText(factory, options, 'clientSecret'),
    scope: scopeList(factory, options.scope, DEFAULT_SCOPE),
  };
}

/** The connection for resolved options and a claims mapping (shared by oidc() and microsoft()). */
export function oidcConnection(resolved: ReturnType<typeof resolveOidc>, mapping: OidcMapping): Connection {
  const { basics, issuerUrl, insecure, timeout, clientId, clientSecret, scope } = resolved;
  const load = async (services: ConnectionServices): Promise<PassportStrategy> => {
    const config = await client.discovery(issuerUrl, clientId, { client_secret: clientSecret }, client.ClientSecretBasic(clientSecret), {
      timeout,
      // Non-repudiation: the ID token's signature is checked against the issuer's JWKS, even
      // though it came straight from the token endpoint (a tampering proxy or a bug is caught).
      execute: insecure ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks],
    });
    const verify: VerifyFunction = (tokens, done) => {
      (async () => {
        const claims = tokens.claims();
        // The strategy sent a nonce, so openid-client already required an ID token; this is belt and braces.
        if (!claims) throw new GatehouseError('invalid_oauth_response', { cause: new Error('no ID token') });
        let userinfo: Record<string, unknown> = {};
        if (config.serverMetadata().userinfo_endpoint) {
          // fetchUserInfo checks that userinfo's sub is the ID token's.
          userinfo = (await client.fetchUserInfo(config, tokens.access_token, claims.sub)) as Record<string, unknown>;
        }
        const profile = oidcProfile({ ...userinfo, ...claims }, basics.name, mapping);
        profile.tokens = tokensOf(tokens, services.clock);
        return profile;
      })().then((profile) => (done as unknown as PassProfile)(null, profile), (err: unknown) => done(err));
    };
    return new CheckedStrategy(
      { config, scope: scope.join(' '), callbackURL: services.callbackUrl, sessionKey: `gatehouse:oauth:${basics.name}` },
      verify,
    ) as unknown as PassportStrategy;
  };
  return {
    ...basics,
    createStrategy: (services) => guardedStrategy(basics.name, services, () => load(services)),
    startOptions: () => ({ [START_OPTION]: true }),
  };
}

/**
 * Any OpenID Connect provider, over openid-client v6 (`openid-client/passport`): discovery at the
 * first login, authorization code flow with PKCE (S256), `state`, `nonce`, the `iss` response
 * parameter checked (mix-up defence), the ID token's signature, issuer, audience, expiry and nonce
 * checked, then userinfo. The identity is `oidc|<name>|<sub>`, as Auth0 names OIDC users.
 *
 * @example
 * oidc({ name: 'corp', issuer: 'https://id.corp.example', clientId: 'gatehouse', clientSecret: process.env.OIDC_SECRET! })
 */
export function oidc(options: OidcOptions): Connection {
  if (options === null || typeof options !== 'object' || options.name === undefined) {
    throw new TypeError('oidc(): name must be a non-empty string (it is part of every user id)');
  }
  const resolved = resolveOidc('oidc', options, { name: options.name, displayName: options.displayName ?? options.name });
  return oidcConnection(resolved, DEFAULT_MAPPING);
}
