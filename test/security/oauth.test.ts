import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { google, oidc } from '@gatehouse/connection-oauth';
import type { JWTPayload } from 'jose';
import { api, mintToken, userPath } from '../support/management.js';
import { startOAuthTestBed, TwoSidedBrowser, type OAuthTestBed } from '../support/oidc-idp.js';

/*
 * Google (passport-google-oauth20, its URLs pointed at the IdP) and a generic OpenID Connect
 * connection (openid-client) against a real oidc-provider, through HTTP on both sides, with every
 * OAuth/OIDC case of SECURITY.md: what must work, and each tampered answer that must not.
 */

const SECRET = 'client-secret-0123456789abcdef';
const CONNECTIONS = ['google', 'corp'] as const;

describe('OAuth / OIDC connections against a real OpenID provider', function () {
  let bed: OAuthTestBed;

  before(async () => {
    bed = await startOAuthTestBed(
      (app) => [
        // passport-oauth2 sends the client secret in the body.
        { client_id: 'google-client', client_secret: SECRET, redirect_uris: [`${app}/auth/callback/google`], token_endpoint_auth_method: 'client_secret_post' },
        { client_id: 'corp-client', client_secret: SECRET, redirect_uris: [`${app}/auth/callback/corp`] },
      ],
      (issuer) => [
        google({ clientID: 'google-client', clientSecret: SECRET, authorizationURL: `${issuer}/auth`, tokenURL: `${issuer}/token`, userProfileURL: `${issuer}/userinfo` }),
        oidc({ name: 'corp', displayName: 'Corp ID', issuer, clientId: 'corp-client', clientSecret: SECRET, allowInsecureRequests: true }),
      ],
    );
  });
  after(async () => bed?.close());
  afterEach(() => {
    bed.idp.tamperTokens = null;
  });

  /** A new IdP user, signed in at the IdP's next login. */
  function idpUser(claims: { email_verified?: boolean; name?: string } = {}) {
    const sub = `u-${randomBytes(5).toString('hex')}`;
    bed.idp.users.set(sub, { sub, email: `${sub}@example.com`, email_verified: true, name: 'Ann Example', given_name: 'Ann', ...claims });
    bed.idp.signInAs(sub);
    return sub;
  }

  const userIdOf = (connection: string, sub: string) => (connection === 'google' ? `google-oauth2|${sub}` : `oidc|corp|${sub}`);
  const isCallback = (url: URL) => url.href.startsWith(`${bed.appUrl}/auth/callback/`);

  /** Starts a login in `browser` and walks the IdP; resolves to the callback URL the IdP sent the browser to. */
  async function authorize(browser: TwoSidedBrowser, connection: string, returnTo = '/private'): Promise<URL> {
    const start = await browser.get(`${bed.appUrl}/auth/${connection}?returnTo=${encodeURIComponent(returnTo)}`);
    assert.equal(start.status, 302, start.text);
    assert.ok(start.headers.location!.startsWith(`${bed.idp.issuer}/auth?`), start.headers.location);
    return new URL(await browser.followUntil(start.headers.location!, isCallback));
  }

  /** A callback that must be refused: 400 invalid_oauth_response, and the browser stays signed out. */
  async function assertRefused(browser: TwoSidedBrowser, callback: URL | string, code = 'invalid_oauth_response', status = 400) {
    const res = await browser.get(String(callback));
    assert.equal(res.status, status, res.text);
    assert.equal(res.body.errorCode, code);
    assert.equal((await browser.get(`${bed.appUrl}/private`)).status, 401);
  }

  describe('round trips', () => {
    for (const connection of CONNECTIONS) {
      it(`${connection}: signs in a new social user through the provider and back to the returnTo`, async () => {
        const sub = idpUser();
        const browser = new TwoSidedBrowser();
        const callback = await authorize(browser, connection);
        // The authorization request carried state and PKCE (S256); the answer carries iss.
        assert.ok(callback.searchParams.get('state'));
        assert.equal(callback.searchParams.get('iss'), bed.idp.issuer);
        const done = await browser.get(callback.href, { accept: 'text/html' });
        assert.equal(done.status, 303, done.text);
        assert.equal(done.headers.location, '/private');
        const me = await browser.get(`${bed.appUrl}/private`);
        assert.deepEqual(me.body, { user_id: userIdOf(connection, sub) });

        const user = (await bed.t.storage.getUser(userIdOf(connection, sub)))!;
        assert.equal(user.email, `${sub}@example.com`);
        assert.equal(user.email_verified, true);
        assert.equal(user.name, 'Ann Example');
        assert.equal(user.identities.length, 1);
        const [identity] = user.identities;
        assert.equal(identity!.connection, connection);
        assert.equal(identity!.provider, connection === 'google' ? 'google-oauth2' : 'oidc');
        assert.equal(identity!.user_id, connection === 'google' ? sub : `corp|${sub}`);
        assert.equal(identity!.isSocial, true);
        assert.equal(await bed.t.storage.getPasswordHash(user.user_id), null);
      });

      it(`${connection}: refreshes root attributes at the next login`, async () => {
        const sub = idpUser({ name: 'Before Rename' });
        await new TwoSidedBrowser().get((await authorize(new TwoSidedBrowser(), connection)).href);
        bed.idp.users.get(sub)!.name = 'After Rename';
        bed.idp.signInAs(sub);
        const browser = new TwoSidedBrowser();
        const res = await browser.get((await authorize(browser, connection)).href);
        assert.equal(res.status, 200, res.text);
        const user = (await bed.t.storage.getUser(userIdOf(connection, sub)))!;
        assert.equal(user.name, 'After Rename');
        assert.equal(user.logins_count, 1);
      });
    }

    it('keeps the provider tokens encrypted at rest and shows them only with read:user_idp_tokens', async () => {
      const sub = idpUser();
      const browser = new TwoSidedBrowser();
      assert.equal((await browser.get((await authorize(browser, 'corp')).href)).status, 200);
      const userId = userIdOf('corp', sub);

      const [record] = await bed.t.storage.listIdpTokens(userId);
      assert.ok(record, 'a token record is stored');
      assert.match(record.sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/u);

      const plain = await api(bed.t, await mintToken(bed.t, ['read:users'])).get(userPath(userId)).expect(200);
      assert.equal(plain.body.identities[0].access_token, undefined);
      assert.equal(plain.body.identities[0].refresh_token, undefined);

      const withTokens = await api(bed.t, await mintToken(bed.t, ['read:users', 'read:user_idp_tokens'])).get(userPath(userId)).expect(200);
      const accessToken = withTokens.body.identities[0].access_token as string;
      assert.equal(typeof accessToken, 'string');
      assert.ok(withTokens.body.identities[0].expires_in > 0);
      // The ciphertext does not contain the token, and the token is the IdP's real one.
      assert.ok(!record.sealed.includes(accessToken));
      const userinfo = await new TwoSidedBrowser().get(`${bed.idp.issuer}/userinfo`, { authorization: `Bearer ${accessToken}` });
      assert.equal(userinfo.status, 200, userinfo.text);
      assert.equal(userinfo.body.sub, sub);
    });
  });

  describe('state, PKCE and codes', () => {
    for (const connection of CONNECTIONS) {
      it(`${connection}: refuses a callback without state, or with a wrong one (400, no session)`, async () => {
        idpUser();
        const browser = new TwoSidedBrowser();
        const callback = await authorize(browser, connection);
        const missing = new URL(callback);
        missing.searchParams.delete('state');
        await assertRefused(browser, missing);

        idpUser();
        const again = new TwoSidedBrowser();
        const second = await authorize(again, connection);
        second.searchParams.set('state', 'forged-state-value');
        await assertRefused(again, second);
      });

      it(`${connection}: refuses an answer delivered to a browser that did not start the login (login CSRF)`, async () => {
        idpUser();
        const attacker = new TwoSidedBrowser();
        const callback = await authorize(attacker, connection);
        await assertRefused(new TwoSidedBrowser(), callback);
      });

      it(`${connection}: refuses a code redeemed with another login's PKCE verifier (code injection)`, async () => {
        const sub = idpUser();
        const victim = new TwoSidedBrowser();
        const victimCallback = await authorize(victim, connection);
        idpUser();
        const attacker = new TwoSidedBrowser();
        const stolen = await authorize(attacker, connection);
        // The victim's own state, with a code issued to the attacker's login (another code_challenge).
        const injected = new URL(victimCallback);
        injected.searchParams.set('code', stolen.searchParams.get('code')!);
        await assertRefused(victim, injected);
        assert.equal(await bed.t.storage.findUserByIdentity(connection === 'google' ? 'google-oauth2' : 'oidc', connection === 'google' ? sub : `corp|${sub}`), null);
      });

      it(`${connection}: refuses a replayed callback and a replayed code`, async () => {
        idpUser();
        const browser = new TwoSidedBrowser();
        const callback = await authorize(browser, connection);
        assert.equal((await browser.get(callback.href)).status, 200);
        // The same answer again: its state was used up.
        const replay = new TwoSidedBrowser();
        await assertRefused(replay, callback);
        // The used code under a fresh login's state: the provider refuses to redeem it twice.
        idpUser();
        const fresh = await authorize(replay, connection);
        const reused = new URL(fresh);
        reused.searchParams.set('code', callback.searchParams.get('code')!);
        await assertRefused(replay, reused);
      });

      it(`${connection}: answers a cancelled login with 401 connection_login_failed`, async () => {
        idpUser();
        const browser = new TwoSidedBrowser();
        await authorize(browser, connection);
        const cancelled = `${bed.appUrl}/auth/callback/${connection}?error=access_denied&state=x&iss=${encodeURIComponent(bed.idp.issuer)}`;
        await assertRefused(browser, cancelled, 'connection_login_failed', 401);
      });

      it(`${connection}: refuses a callback with neither code nor error, and a start carrying a code`, async () => {
        const browser = new TwoSidedBrowser();
        await assertRefused(browser, `${bed.appUrl}/auth/callback/${connection}`);
        const start = await browser.get(`${bed.appUrl}/auth/${connection}?code=abc&state=def`);
        assert.equal(start.status, 400, start.text);
        assert.equal(start.body.errorCode, 'invalid_oauth_response');
      });
    }
  });

  describe('ID token checks (openid-client, with the ID token forged at the token endpoint)', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const forgeries: Array<[string, (claims: JWTPayload) => JWTPayload, { alg?: 'none'; key?: 'foreign' }?]> = [
      ['a wrong nonce', (c) => ({ ...c, nonce: 'another-login-nonce' })],
      ['a wrong audience', (c) => ({ ...c, aud: 'another-client' })],
      ['a wrong issuer', (c) => ({ ...c, iss: 'http://127.0.0.1:1/evil' })],
      ['alg: none', (c) => c, { alg: 'none' }],
      ['a bad signature (another key under the same kid)', (c) => c, { key: 'foreign' }],
      ['an expiry in the past', (c) => ({ ...c, iat: now() - 7200, exp: now() - 3600 })],
      ['no sub', ({ sub: _sub, ...c }) => c],
    ];

    it('accepts a re-signed but unchanged ID token (the forging itself is sound)', async () => {
      const sub = idpUser();
      bed.idp.forgeIdToken((c) => c);
      const browser = new TwoSidedBrowser();
      const res = await browser.get((await authorize(browser, 'corp')).href);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.user_id, userIdOf('corp', sub));
    });

    for (const [what, forge, options] of forgeries) {
      it(`rejects an ID token with ${what}: 400, no session, no user`, async () => {
        const sub = idpUser();
        bed.idp.forgeIdToken(forge, options);
        const browser = new TwoSidedBrowser();
        await assertRefused(browser, await authorize(browser, 'corp'));
        assert.equal(await bed.t.storage.getUser(userIdOf('corp', sub)), null);
      });
    }

    it('rejects a token response without an ID token', async () => {
      const sub = idpUser();
      bed.idp.tamperTokens = async ({ id_token: _id, ...rest }) => rest;
      const browser = new TwoSidedBrowser();
      await assertRefused(browser, await authorize(browser, 'corp'));
      assert.equal(await bed.t.storage.getUser(userIdOf('corp', sub)), null);
    });
  });

  describe('mix-up defence (the iss response parameter)', () => {
    it('refuses an answer whose iss names another issuer, or that lacks iss', async () => {
      const sub = idpUser();
      const browser = new TwoSidedBrowser();
      const callback = await authorize(browser, 'corp');
      const other = new URL(callback);
      other.searchParams.set('iss', 'https://attacker.example');
      await assertRefused(browser, other);

      idpUser();
      const again = new TwoSidedBrowser();
      const second = await authorize(again, 'corp');
      second.searchParams.delete('iss');
      await assertRefused(again, second);
      assert.equal(await bed.t.storage.getUser(userIdOf('corp', sub)), null);
    });
  });

  describe('returnTo', () => {
    const payloads = ['//evil.com', '/\\evil.com', 'https:evil.com', '/%2F%2Fevil.com', 'https://user@evil.com', '//evil.com@127.0.0.1', 'javascript:alert(1)', 'https://evil.com/'];
    for (const payload of payloads) {
      it(`sends ${JSON.stringify(payload)} to the default path after the provider's answer`, async () => {
        idpUser();
        const browser = new TwoSidedBrowser();
        const callback = await authorize(browser, 'corp', payload);
        const done = await browser.get(callback.href, { accept: 'text/html' });
        assert.equal(done.status, 303, done.text);
        const location = done.headers.location!;
        assert.ok(location === '/' || location === '/%2F%2Fevil.com', `redirected to ${location}`);
        assert.equal(new URL(location, bed.appUrl).origin, bed.appUrl);
      });
    }
  });
});
