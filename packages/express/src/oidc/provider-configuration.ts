import { hkdfSync } from 'node:crypto';
import { allowedUrlMatches, LOG_TYPES, type Application } from '@gatehouse/core';
import type { Request } from 'express';
import type { KoaContextLike, ProviderErrors, UnknownObject } from './oidc-provider-types.js';
import type { GatehouseContext } from '../context.js';
import { pageContext } from '../page-context.js';
import { hasApplicationAccess } from './access-rules.js';
import type { ResolvedApplicationsOptions } from './applications-options.js';
import { logoutPage, oauthErrorPage } from './oidc-pages.js';
import { loadRememberedGrant } from './remembered-grants.js';
import { SIGNING_ALG, type KeySet } from './signing-keys.js';
import { storageAdapter } from './storage-adapter.js';

/** The standard claims each scope releases (the Auth0 profile, in OpenID Connect's names). */
const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'nickname', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};

/** Cookie signing keys for the provider, derived from the identity() secrets (newest first). */
function cookieKeys(secrets: readonly string[]): string[] {
  return secrets.map((s) => Buffer.from(hkdfSync('sha256', s, 'gatehouse', 'oidc-cookies', 32)).toString('base64url'));
}

async function applicationOf(gh: GatehouseContext, clientId: string | undefined): Promise<Application | null> {
  return clientId ? gh.storage.getApplication(clientId) : null;
}

/** The express request under a provider context (identity() mounts the provider, so it has one). */
const requestOf = (ctx: KoaContextLike) => ctx.req as Request;

/**
 * oidc-provider's configuration for Gatehouse: storage adapter, stored signing keys, the
 * Gatehouse user as the account, remembered consents, the access rules, API access tokens as
 * JWTs with the user's roles and permissions, code + PKCE only, refresh tokens rotated on each
 * use, hosted logout and error pages.
 */
export function providerConfiguration(gh: GatehouseContext, opts: ResolvedApplicationsOptions, keys: KeySet, errors: ProviderErrors): UnknownObject {
  const { storage } = gh;
  const clock = gh.users.clock;
  const secure = gh.options.secureCookies;
  return {
    adapter: storageAdapter(storage, clock),
    clients: [],
    jwks: { keys: keys.published.map((k) => k.privateJwk) },
    cookies: {
      keys: cookieKeys(gh.options.secrets),
      long: { httpOnly: true, sameSite: 'lax', secure },
      short: { httpOnly: true, sameSite: 'lax', secure },
    },
    claims: CLAIMS,
    scopes: ['openid', 'offline_access', 'profile', 'email', 'phone'],
    responseTypes: ['code'],
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: SIGNING_ALG },
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG], userinfoSigningAlgValues: [SIGNING_ALG] },
    extraClientMetadata: { properties: ['web_origins'], validator: () => undefined },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${opts.path}/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    rotateRefreshToken: () => true,
    // A refresh token needs offline_access and the refresh_token grant, as in Auth0.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? opts.ttl.accessToken,
      AuthorizationCode: 60,
      ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? opts.ttl.accessToken,
      IdToken: opts.ttl.idToken,
      RefreshToken: opts.ttl.refreshToken,
      Interaction: 60 * 60,
      Session: opts.ttl.session,
      Grant: opts.ttl.grant,
    },
    loadExistingGrant: loadRememberedGrant(storage, clock),
    async findAccount(ctx: KoaContextLike | undefined, sub: string) {
      const user = await storage.getUser(sub);
      if (!user || user.blocked) return undefined;
      // Access taken away since sign-in ends the application's tokens at their next use.
      const app = await applicationOf(gh, ctx?.oidc?.client?.clientId);
      if (ctx?.oidc?.client && (!app || !(await hasApplicationAccess(storage, user, app)))) return undefined;
      return {
        accountId: user.user_id,
        async claims() {
          return {
            sub: user.user_id,
            name: user.name ?? undefined,
            given_name: user.given_name ?? undefined,
            family_name: user.family_name ?? undefined,
            nickname: user.nickname ?? undefined,
            picture: user.picture ?? undefined,
            updated_at: Math.floor(new Date(user.updated_at).getTime() / 1000),
            email: user.email ?? undefined,
            email_verified: user.email_verified,
            phone_number: user.phone_number ?? undefined,
            phone_number_verified: user.phone_number ? user.phone_verified : undefined,
          };
        },
      };
    },
    // JWT access tokens for an API carry the user's roles and their permissions on that API.
    async extraTokenClaims(_ctx: unknown, token: { accountId?: string; resourceServer?: { audience?: string } }) {
      if (!token.accountId || !token.resourceServer?.audience) return undefined;
      const audience = token.resourceServer.audience;
      const [roles, permissions] = await Promise.all([storage.getUserRoles(token.accountId), storage.getUserPermissions(token.accountId)]);
      return {
        roles: roles.map((r) => r.name),
        permissions: permissions.filter((p) => p.resource_server_identifier === audience).map((p) => p.permission_name),
      };
    },
    clientBasedCORS(_ctx: unknown, origin: string, client: { web_origins?: string[] }) {
      return Array.isArray(client.web_origins) && client.web_origins.includes(origin);
    },
    async renderError(ctx: KoaContextLike, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = oauthErrorPage(pageContext(requestOf(ctx)), out.error, out.error_description);
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextLike, form: string) {
          ctx.type = 'html';
          ctx.body = logoutPage(pageContext(requestOf(ctx)), form, ctx.oidc.client?.clientName);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf,
        // The token request may leave `resource` out: the one granted at authorization is used.
        useGrantedResource: async () => true,
        async getResourceServerInfo(ctx: KoaContextLike, resource: string, client: { clientId: string }) {
          const api = opts.apis.get(resource);
          if (!api) throw new errors.InvalidTarget('unknown API (resource / audience)');
          let scopes = api.scopes;
          if (ctx.oidc.params?.grant_type === 'client_credentials') {
            // Machine-to-machine: only what the application was granted on this API.
            const app = await applicationOf(gh, client.clientId);
            const granted = app?.api_grants.find((g) => g.audience === resource);
            if (!granted) throw new errors.InvalidTarget('the application has no access to this API');
            scopes = granted.scope.filter((s) => api.scopes.includes(s));
          }
          return {
            scope: scopes.join(' '),
            audience: api.identifier,
            accessTokenTTL: api.accessTokenTtlSec,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: SIGNING_ALG } },
          };
        },
      },
    },
  };
}

/**
 * What oidc-provider's own client checks cannot express: Auth0's wildcard rule for callback and
 * logout URLs, and client secrets stored as SHA-256.
 */
export function patchClientModel(Client: { prototype: object }, hashSecret: (secret: string) => string, constantEquals: (a: string, b: string) => boolean): void {
  Object.assign(Client.prototype, {
    redirectUriAllowed(this: { redirectUris: string[] }, value: string) {
      return this.redirectUris.some((allowed) => allowedUrlMatches(allowed, value));
    },
    postLogoutRedirectUriAllowed(this: { postLogoutRedirectUris?: string[] }, value: string) {
      return (this.postLogoutRedirectUris ?? []).some((allowed) => allowedUrlMatches(allowed, value));
    },
    compareClientSecret(this: { clientSecret?: string }, actual: string) {
      return typeof this.clientSecret === 'string' && typeof actual === 'string' && constantEquals(this.clientSecret, hashSecret(actual));
    },
  });
}

/** Audit event for a sign-in to an application (Auth0 logs `s` with the client). */
export async function logApplicationLogin(gh: GatehouseContext, req: Request, userId: string, app: Application): Promise<void> {
  await gh.users
    .log(LOG_TYPES.successLogin, `Successful login to ${app.name}`, userId, { ip: gh.clientIp(req) }, { client_id: app.client_id, client_name: app.name })
    .catch(() => undefined);
}
