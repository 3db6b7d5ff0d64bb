import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from '@gatehouse/core';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';
import supertest from 'supertest';
import { startTestApp, type TestApp } from './test-app.js';

/*
 * A real OpenID Connect provider (oidc-provider 9) on loopback, as the upstream "Google" and
 * generic OIDC IdP of the OAuth tests, and a two-origin browser to walk its flows through HTTP.
 *
 * Its dev interactions are off: a tiny interaction route signs in whoever `signInAs()` named and
 * grants the requested scopes. Between the provider and its clients sits a hook on the token
 * endpoint's response (`tamperTokens`), so tests can hand the client forged ID tokens signed with
 * jose: with the provider's own key (wrong nonce/aud/iss, expired, no sub), another key (bad
 * signature) or none at all (`alg: none`).
 */

/** A test user at the IdP: its claims (sub is the key). */
export type IdpUser = { sub: string; email?: string; email_verified?: boolean; name?: string; given_name?: string; family_name?: string; picture?: string; [claim: string]: unknown };

/** A registered client of the IdP. */
export interface IdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
}

export type TokenResponse = Record<string, unknown> & { id_token?: string; access_token?: string };

const quietEvents = ['server_error'];

export class OidcIdp {
  readonly users = new Map<string, IdpUser>();
  /** Rewrites the next successful token responses (null: untouched). */
  tamperTokens: ((body: TokenResponse) => Promise<TokenResponse>) | null = null;
  private account: string | null = null;
  private privateJwk!: JsonWebKeyLike;
  private server!: Server;
  private provider!: Provider;
  issuer = '';

  /** Listens on a free loopback port first (the issuer URL holds it), then builds the provider with these clients. */
  async start(clients: (issuer: string) => IdpClient[]): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    this.privateJwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
    this.provider = new Provider(this.issuer, {
      clients: clients(this.issuer).map((c) => ({ grant_types: ['authorization_code'], response_types: ['code'], ...c })),
      jwks: { keys: [this.privateJwk] },
      findAccount: async (_ctx: unknown, sub: string) => {
        const user = this.users.get(sub);
        return user ? { accountId: sub, claims: async () => ({ ...user }) } : undefined;
      },
      // tid/oid/xms_edov: what Microsoft's tokens carry, for the microsoft() preset.
      claims: { openid: ['sub', 'tid', 'oid', 'xms_edov'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'picture'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      // passport-google-oauth20 reads the OpenID userinfo format only at a path ending in /userinfo.
      routes: { userinfo: '/userinfo' },
      pkce: { required: () => true },
      cookies: { keys: ['oidc-idp-test-cookie-key'] },
      ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    });
    // Its own errors are part of several tests (invalid_grant...); keep them off the console.
    for (const event of quietEvents) this.provider.on(event, () => undefined);
    return this;
  }

  /** The next login at the IdP signs in this user. */
  signInAs(sub: string): void {
    if (!this.users.has(sub)) throw new Error(`no IdP user ${sub}`);
    this.account = sub;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** An ID token with these claims, signed with the provider's key (or `key`), or unsigned for `alg: none`. */
  async sign(claims: JWTPayload, options: { alg?: 'none'; key?: 'foreign' } = {}): Promise<string> {
    if (options.alg === 'none') return new UnsecuredJWT(claims).encode();
    const jwk = options.key === 'foreign' ? await foreignJwk() : this.privateJwk;
    const { importJWK } = await import('jose');
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key-1', typ: 'JWT' }).sign(await importJWK(jwk, 'RS256'));
  }

  /** Replaces the ID token of the next token responses by `forge(its claims)`. */
  forgeIdToken(forge: (claims: JWTPayload) => JWTPayload, options: { alg?: 'none'; key?: 'foreign' } = {}): void {
    this.tamperTokens = async (body) => {
      if (typeof body.id_token !== 'string') return body;
      return { ...body, id_token: await this.sign(forge(decodeJwt(body.id_token)), options) };
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.issuer).pathname;
    if (path.startsWith('/interaction/')) {
      this.interact(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    if (path === '/token' && this.tamperTokens) interceptJson(res, this.tamperTokens);
    this.provider.callback()(req, res);
  }

  /** The whole interaction without a page: log in `signInAs()`'s user, then grant what the client asked for. */
  private async interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await this.provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (!this.account) throw new Error('OidcIdp: nobody to sign in (call signInAs first)');
      await this.provider.interactionFinished(req, res, { login: { accountId: this.account } }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('OidcIdp: consent without a session');
    const grant = details.grantId
      ? ((await this.provider.Grant.find(details.grantId)) ?? new this.provider.Grant({ accountId, clientId: String(details.params.client_id) }))
      : new this.provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await this.provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
}

type JsonWebKeyLike = Awaited<ReturnType<typeof exportJWK>>;

let foreign: JsonWebKeyLike | undefined;
async function foreignJwk(): Promise<JsonWebKeyLike> {
  if (!foreign) foreign = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
  return foreign;
}

/** Lets `rewrite` change a successful JSON response before it leaves (the provider has set its length already). */
function interceptJson(res: ServerResponse, rewrite: (body: TokenResponse) => Promise<TokenResponse>): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  (res as { end: unknown }).end = (chunk?: unknown) => {
    if (res.statusCode !== 200 || chunk === undefined || chunk === null) return end(chunk);
    rewrite(JSON.parse(String(chunk)) as TokenResponse).then(
      (body) => {
        const text = JSON.stringify(body);
        res.setHeader('content-length', Buffer.byteLength(text));
        end(text);
      },
      (err: unknown) => {
        res.statusCode = 500;
        end(String(err));
      },
    );
    return res;
  };
}

/**
 * A browser across two origins (the app and the IdP): one cookie jar per origin, redirects
 * followed by hand so a test can stop at the callback and tamper with it.
 */
export class TwoSidedBrowser {
  private readonly agents = new Map<string, ReturnType<typeof supertest.agent>>();

  agent(url: string) {
    const { origin } = new URL(url);
    let agent = this.agents.get(origin);
    if (!agent) {
      agent = supertest.agent(origin);
      this.agents.set(origin, agent);
    }
    return agent;
  }

  /** GET an absolute URL with this origin's cookies. */
  get(url: string, headers: Record<string, string> = {}) {
    const { pathname, search } = new URL(url);
    return this.agent(url).get(pathname + search).set(headers).redirects(0);
  }

  /**
   * Follows redirects from `url` until one leads to a URL `stop` accepts, and returns that URL
   * (without requesting it). Throws when a response is not a redirect.
   */
  async followUntil(url: string, stop: (next: URL) => boolean, max = 12): Promise<string> {
    let current = url;
    for (let hop = 0; hop < max; hop += 1) {
      const res = await this.get(current);
      const location = res.headers.location as string | undefined;
      if (res.status < 300 || res.status > 399 || !location) {
        throw new Error(`expected a redirect from ${current}, got ${res.status}: ${res.text.slice(0, 300)}`);
      }
      const next = new URL(location, current);
      if (stop(next)) return next.href;
      current = next.href;
    }
    throw new Error(`more than ${max} redirects from ${url}`);
  }
}

/** An app with identity() on a real port (the callback URL must match baseUrl), and the IdP in front of it. */
export interface OAuthTestBed {
  t: TestApp;
  idp: OidcIdp;
  appUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the app's server, then the IdP (its clients need the app's callback URLs), then
 * identity() with the connections `build` makes for the issuer.
 */
export async function startOAuthTestBed(
  clients: (appUrl: string) => IdpClient[],
  build: (issuer: string, appUrl: string) => Connection[],
  options: Parameters<typeof startTestApp>[0] = {},
): Promise<OAuthTestBed> {
  // The server must listen before identity() exists (baseUrl holds its port); requests before then get 503.
  const route: { app?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => (route.app ? route.app(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp = await new OidcIdp().start(() => clients(appUrl));
  const t = await startTestApp({ ...options, baseUrl: appUrl, connections: build(idp.issuer, appUrl) });
  route.app = t.app;
  return {
    t,
    idp,
    appUrl,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await idp.stop();
      await t.close();
    },
  };
}
