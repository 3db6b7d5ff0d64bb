import assert from 'node:assert/strict';
import { createPublicKey, createVerify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApplicationInput } from '@gatehouse/core';
import type { IdentityOptions } from '@gatehouse/express';
import * as oidc from 'openid-client';
import supertest from 'supertest';
import { api, mintToken } from '../support/management.js';
import { STRONG_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

export const API = 'https://api.example.com/';
export const CALLBACK = 'https://app.example.com/callback';
export const LOGOUT_URL = 'https://app.example.com/signed-out';

/** A test app with the provider on, listening on a real port (openid-client talks HTTP to it). */
export interface OidcApp extends TestApp {
  baseUrl: string;
  issuer: string;
  token: string;
  /** Creates an application through the management API; resolves to its id and secret. */
  createClient(input?: Partial<ApplicationInput>): Promise<{ client_id: string; client_secret?: string }>;
}

export async function startOidcApp(options: IdentityOptions = {}): Promise<OidcApp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = await startTestApp({
    baseUrl,
    applications: { apis: [{ identifier: API, name: 'Orders API', scopes: ['read:orders', 'write:orders'] }] },
    ...options,
  });
  server.on('request', t.app);
  const token = await mintToken(t);
  return {
    ...t,
    baseUrl,
    issuer: `${baseUrl}/oidc`,
    token,
    async createClient(input = {}) {
      const res = await api(t, token).post('/clients').send({ name: 'Second app', callbacks: [CALLBACK], allowed_logout_urls: [LOGOUT_URL], ...input });
      if (res.status !== 201) throw new Error(`POST /clients: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { client_id: string; client_secret?: string };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}

/** The relying party's view: openid-client configured by discovery against the app. */
export async function relyingParty(app: OidcApp, client: { client_id: string; client_secret?: string }): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(app.issuer), client.client_id, client.client_secret, client.client_secret ? undefined : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

type Agent = ReturnType<typeof supertest.agent>;

/** A browser (cookie jar) on the app's real origin. */
export function browserAt(app: OidcApp): Agent {
  return supertest.agent(app.baseUrl);
}

/** Path and query of a URL on the app. */
const local = (app: OidcApp, url: string) => {
  const u = new URL(url, app.baseUrl);
  return u.origin === app.baseUrl ? u.pathname + u.search : null;
};

/**
 * Follows redirects like a browser, as long as they stay on the app; stops at a page (2xx/4xx) or
 * at a redirect elsewhere (the application's callback), which it returns.
 */
export async function follow(app: OidcApp, agent: Agent, url: string): Promise<{ status: number; location?: string; text: string; path: string }> {
  let next = url;
  for (let i = 0; i < 15; i += 1) {
    const path = local(app, next);
    if (path === null) return { status: 303, location: next, text: '', path: next };
    const res = await agent.get(path).redirects(0);
    if (res.status >= 300 && res.status < 400) {
      next = new URL(res.headers.location as string, `${app.baseUrl}${path}`).href;
      continue;
    }
    return { status: res.status, text: res.text, path };
  }
  throw new Error('too many redirects');
}

/** The CSRF token of the agent's Gatehouse session. */
export async function csrfOf(agent: Agent): Promise<string> {
  return ((await agent.get('/auth/csrf-token').expect(200)).body as { csrfToken: string }).csrfToken;
}

/** Signs in on the hosted login page; resolves to where the page sends the browser. */
export async function signIn(agent: Agent, email: string, returnTo: string, password = STRONG_PASSWORD): Promise<string> {
  const csrf = await csrfOf(agent);
  const res = await agent.post('/auth/login').type('form').send({ _csrf: csrf, username: email, password, returnTo }).redirects(0);
  if (res.status !== 303) throw new Error(`login: ${res.status} ${res.text.slice(0, 200)}`);
  return res.headers.location as string;
}

/** Posts a consent page's Allow (or Deny) button; resolves to the redirect. */
export async function answerConsent(agent: Agent, consentPath: string, allow = true): Promise<string> {
  const csrf = await csrfOf(agent);
  const res = await agent.post(`${consentPath}/${allow ? 'confirm' : 'abort'}`).type('form').send({ _csrf: csrf }).redirects(0);
  if (res.status !== 303) throw new Error(`consent: ${res.status} ${res.text.slice(0, 300)}`);
  return res.headers.location as string;
}

/** An authorization request with PKCE, state and nonce, as an application starts sign-in. */
export async function authorizationRequest(config: oidc.Configuration, params: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url: url.href, verifier, state, nonce };
}

/**
 * A whole sign-in: authorize, hosted login, consent (allowed), back at the callback, code for
 * tokens. Resolves to the tokens and the browser (still signed in).
 */
export async function signInThrough(app: OidcApp, config: oidc.Configuration, email: string, options: { params?: Record<string, string>; agent?: Agent; expectConsent?: boolean } = {}) {
  const agent = options.agent ?? browserAt(app);
  const request = await authorizationRequest(config, options.params);
  let step = await follow(app, agent, request.url);
  if (step.status === 200 && step.path.startsWith('/auth/login')) {
    const returnTo = new URL(step.path, app.baseUrl).searchParams.get('returnTo')!;
    step = await follow(app, agent, await signIn(agent, email, returnTo));
  }
  if (options.expectConsent !== false && step.status === 200 && step.path.startsWith('/oidc/interaction/')) {
    step = await follow(app, agent, await answerConsent(agent, step.path));
  }
  if (!step.location?.startsWith(CALLBACK)) throw new Error(`expected the callback, got ${step.status} ${step.path}: ${step.text.slice(0, 300)}`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(step.location), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return { tokens, agent };
}

/** Verifies a compact JWS (RS256) against the provider's JWKS, independently of the RP library. */
export async function verifyJwt(app: OidcApp, jwt: string): Promise<Record<string, unknown>> {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
  assert.equal(alg, 'RS256');
  const jwks = (await (await fetch(`${app.issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`kid ${kid} is not in the JWKS`);
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  if (!verifier.verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'))) throw new Error('bad signature');
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

