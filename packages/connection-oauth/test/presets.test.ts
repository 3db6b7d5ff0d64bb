import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { facebookProfile, github, githubProfile, microsoft, xProfile } from '@gatehouse/connection-oauth';
import { startOAuthTestBed, TwoSidedBrowser, type OAuthTestBed } from '../../../test/support/oidc-idp.js';

/*
 * The presets' profile mappings. github() runs end to end against a small express server that
 * speaks GitHub's OAuth and REST API (authorize, access_token with PKCE, /user, /user/emails);
 * microsoft() runs against oidc-provider (the shared test IdP) emitting Microsoft's claims;
 * Facebook and X are checked on their documented response shapes.
 */

interface FakeGitHubUser {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

/** GitHub's OAuth endpoints and the two API calls the preset makes, checking PKCE as GitHub does. */
function fakeGitHub(users: Map<string, FakeGitHubUser>) {
  const app = express();
  const codes = new Map<string, { login: string; challenge: string; redirect: string }>();
  const tokens = new Map<string, string>();
  let next: string | null = null;
  app.get('/login/oauth/authorize', (req, res) => {
    const q = req.query as Record<string, string>;
    if (!next || q.code_challenge_method !== 'S256' || !q.state) return void res.status(400).send('bad request');
    const code = randomBytes(8).toString('hex');
    codes.set(code, { login: next, challenge: q.code_challenge!, redirect: q.redirect_uri! });
    res.redirect(`${q.redirect_uri}?code=${code}&state=${encodeURIComponent(q.state)}`);
  });
  app.post('/login/oauth/access_token', express.urlencoded({ extended: false }), (req, res) => {
    const body = req.body as Record<string, string>;
    const grant = codes.get(body.code!);
    codes.delete(body.code!);
    const verified = grant && createHash('sha256').update(body.code_verifier ?? '').digest('base64url') === grant.challenge;
    if (!grant || !verified || body.client_secret !== 'gh-secret' || body.redirect_uri !== grant.redirect) {
      return void res.type('application/x-www-form-urlencoded').send('error=bad_verification_code');
    }
    const token = `gho_${randomBytes(8).toString('hex')}`;
    tokens.set(token, grant.login);
    // GitHub answers form-encoded unless asked for JSON.
    res.type('application/x-www-form-urlencoded').send(`access_token=${token}&scope=read%3Auser%2Cuser%3Aemail&token_type=bearer`);
  });
  const userOf = (req: express.Request) => users.get(tokens.get((req.headers.authorization ?? '').replace(/^Bearer /u, '')) ?? '');
  app.get('/api/user', (req, res) => {
    const user = userOf(req);
    if (!user) return void res.status(401).json({ message: 'Bad credentials' });
    res.json({ id: user.id, login: user.login, name: user.name, email: user.email, avatar_url: `https://avatars.example/${user.id}`, html_url: `https://github.example/${user.login}`, repos_url: 'https://api.example/x' });
  });
  app.get('/api/user/emails', (req, res) => {
    const user = userOf(req);
    if (!user) return void res.status(401).json({ message: 'Bad credentials' });
    res.json(user.emails.map((e) => ({ ...e, visibility: null })));
  });
  return { app, signInAs: (login: string) => void (next = login) };
}

describe('presets', function () {
  describe('github() against a GitHub-like express server', () => {
    let bed: OAuthTestBed;
    let server: Server;
    const users = new Map<string, FakeGitHubUser>();
    const gh = fakeGitHub(users);

    before(async () => {
      server = createServer(gh.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      bed = await startOAuthTestBed(
        () => [],
        () => [github({ clientID: 'gh-client', clientSecret: 'gh-secret', authorizationURL: `${base}/login/oauth/authorize`, tokenURL: `${base}/login/oauth/access_token`, apiURL: `${base}/api` })],
      );
    });
    after(async () => {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bed?.close();
    });

    async function login(user: FakeGitHubUser) {
      users.set(user.login, user);
      gh.signInAs(user.login);
      const b = new TwoSidedBrowser();
      const start = await b.get(`${bed.appUrl}/auth/github`);
      assert.equal(start.status, 302, start.text);
      const callback = await b.followUntil(start.headers.location!, (u) => u.href.startsWith(`${bed.appUrl}/auth/callback/`));
      return b.get(callback);
    }

    it('signs in with GitHub: github|<id>, the primary email with its verified flag, login as nickname', async () => {
      const id = Math.floor(Math.random() * 1e9);
      const res = await login({ id, login: `octo${id}`, name: 'Octo Cat', email: null, emails: [
        { email: `old${id}@example.com`, primary: false, verified: true },
        { email: `octo${id}@example.com`, primary: true, verified: true },
      ] });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.user_id, `github|${id}`);
      const user = (await bed.t.storage.getUser(`github|${id}`))!;
      assert.equal(user.email, `octo${id}@example.com`);
      assert.equal(user.email_verified, true);
      assert.equal(user.nickname, `octo${id}`);
      assert.equal(user.name, 'Octo Cat');
      assert.equal(user.picture, `https://avatars.example/${id}`);
      assert.deepEqual(user.identities[0], {
        connection: 'github', provider: 'github', user_id: String(id), isSocial: true,
        profileData: { login: `octo${id}`, html_url: `https://github.example/octo${id}` },
      });
      assert.equal((await bed.t.storage.listIdpTokens(`github|${id}`)).length, 1);
    });

    it('keeps an unverified primary email unverified, and never trusts the public profile email alone', async () => {
      const id = Math.floor(Math.random() * 1e9);
      const res = await login({ id, login: `u${id}`, name: null, email: `public${id}@example.com`, emails: [{ email: `primary${id}@example.com`, primary: true, verified: false }] });
      assert.equal(res.status, 200, res.text);
      const user = (await bed.t.storage.getUser(`github|${id}`))!;
      assert.equal(user.email, `primary${id}@example.com`);
      assert.equal(user.email_verified, false);
      assert.equal(user.name, `u${id}`);
      assert.equal(githubProfile({ id: 7, login: 'x', email: 'public@example.com' }, []).email_verified, false);
    });
  });

  describe('microsoft() against oidc-provider with Microsoft\'s claims', () => {
    let bed: OAuthTestBed;
    before(async () => {
      bed = await startOAuthTestBed(
        (app) => [{ client_id: 'ms-client', client_secret: 'ms-secret-0123456789', redirect_uris: [`${app}/auth/callback/microsoft`] }],
        (issuer) => [microsoft({ issuer, clientId: 'ms-client', clientSecret: 'ms-secret-0123456789', allowInsecureRequests: true })],
      );
    });
    after(async () => bed?.close());

    async function login(claims: Record<string, unknown>) {
      const sub = `pairwise-${randomBytes(4).toString('hex')}`;
      bed.idp.users.set(sub, { sub, email: `${sub}@contoso.example`, email_verified: true, name: 'Megan', ...claims });
      bed.idp.signInAs(sub);
      const b = new TwoSidedBrowser();
      const start = await b.get(`${bed.appUrl}/auth/microsoft`);
      return b.get(await b.followUntil(start.headers.location!, (u) => u.href.startsWith(`${bed.appUrl}/auth/callback/`)));
    }

    it('names the user windowslive|<tid>.<oid> and trusts the email only with xms_edov', async () => {
      const oid = randomBytes(8).toString('hex');
      const res = await login({ tid: 'tenant-1', oid });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.user_id, `windowslive|tenant-1.${oid}`);
      // email_verified from the provider is not Microsoft's word for it (nOAuth).
      assert.equal((await bed.t.storage.getUser(res.body.user_id))!.email_verified, false);

      const owned = randomBytes(8).toString('hex');
      const second = await login({ tid: 'tenant-1', oid: owned, xms_edov: true });
      assert.equal((await bed.t.storage.getUser(second.body.user_id))!.email_verified, true);
    });
  });

  describe('facebook and x profile shapes', () => {
    it('maps Facebook\'s /me, never vouching for the email, and skips the silhouette picture', () => {
      const profile = facebookProfile({ id: '1017', name: 'Mark Z', first_name: 'Mark', last_name: 'Z', email: 'mz@example.com', picture: { data: { url: 'https://fb.example/p.jpg', is_silhouette: true } } });
      assert.equal(profile.provider, 'facebook');
      assert.equal(profile.user_id, '1017');
      assert.equal(profile.email, 'mz@example.com');
      assert.equal(profile.email_verified, false);
      assert.equal(profile.given_name, 'Mark');
      assert.equal(profile.picture, null);
    });

    it('maps X\'s /2/users/me to twitter|<id> with the handle as nickname and no email', () => {
      const profile = xProfile({ data: { id: '2244994945', name: 'X Dev', username: 'XDevelopers', profile_image_url: 'https://pbs.example/x.jpg' } });
      assert.deepEqual(
        { provider: profile.provider, user_id: profile.user_id, nickname: profile.nickname, picture: profile.picture, email: profile.email },
        { provider: 'twitter', user_id: '2244994945', nickname: 'XDevelopers', picture: 'https://pbs.example/x.jpg', email: undefined },
      );
      assert.throws(() => xProfile({ data: {} }), /without id/u);
    });

    it('refuses bad options at construction with a TypeError naming the option', () => {
      assert.throws(() => github({ clientID: '', clientSecret: 'x' }), /github\(\): clientID must be a non-empty string/u);
      assert.throws(() => microsoft({ clientId: 'a', clientSecret: 'b', tenant: 'a/b' }), /tenant/u);
      assert.throws(() => microsoft({ clientId: 'a', clientSecret: 'b', issuer: 'http://127.0.0.1:1' }), /allowInsecureRequests/u);
    });
  });
});
