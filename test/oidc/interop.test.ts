import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createVerifiedUser } from '../support/accounts.js';
import { API, CALLBACK, LOGOUT_URL, browserAt, csrfOf, follow, relyingParty, signInThrough, startOidcApp, verifyJwt, type OidcApp } from './oidc-support.js';

/**
 * Interop: openid-client v6, as an independent relying party, signs in through Gatehouse's
 * provider over real HTTP: discovery, code + PKCE through the hosted login and consent pages,
 * ID token and access token checks, userinfo, refresh rotation, RP-initiated logout.
 */
describe('OpenID Connect provider: interop with openid-client', function () {
  let app: OidcApp;

  before(async () => {
    app = await startOidcApp();
  });
  after(async () => {
    await app.close();
  });

  it('publishes discovery with code + PKCE, the JWKS, userinfo and end_session', async () => {
    const client = await app.createClient();
    const config = await relyingParty(app, client);
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, app.issuer);
    assert.deepEqual(meta.response_types_supported, ['code']);
    assert.ok(meta.code_challenge_methods_supported?.includes('S256'));
    assert.equal(meta.end_session_endpoint, `${app.issuer}/session/end`);
    assert.equal(meta.userinfo_endpoint, `${app.issuer}/me`);
    const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Array<Record<string, unknown>> };
    assert.ok(jwks.keys.length >= 1);
    assert.ok(jwks.keys.every((k) => k.d === undefined && k.p === undefined), 'no private parts in the JWKS');
  });

  it('signs in with code + PKCE through the hosted login and consent pages; ID token, userinfo, refresh rotation', async () => {
    const user = await createVerifiedUser(app);
    const client = await app.createClient();
    const config = await relyingParty(app, client);
    const { tokens } = await signInThrough(app, config, user.email!, { params: { scope: 'openid profile email offline_access', prompt: 'consent' } });

    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.user_id);
    assert.equal(claims.iss, app.issuer);
    assert.equal(claims.aud, client.client_id);
    const idToken = await verifyJwt(app, tokens.id_token!);
    assert.equal(idToken.sub, user.user_id);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, user.user_id);
    assert.equal(info.email, user.email);
    assert.equal(info.email_verified, true);

    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'the refresh token rotates');
    assert.equal(refreshed.claims()?.sub, user.user_id);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (err: Error & { error?: string }) => err.error === 'invalid_grant', 'a used refresh token is refused');
    // Replaying a rotated-out token revokes the whole grant (theft detection).
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: Error & { error?: string }) => err.error === 'invalid_grant');
  });

  it('gives a JWT access token for an API with the user\'s roles and permissions', async () => {
    const user = await createVerifiedUser(app);
    const role = await app.storage.createRole({ id: `rol_oidc${Date.now()}`, name: `buyers-${Date.now()}`, description: '', permissions: [] });
    await app.storage.addRolePermissions(role.id, [{ resource_server_identifier: API, permission_name: 'read:orders' }]);
    await app.storage.assignUserRoles(user.user_id, [role.id]);
    const client = await app.createClient();
    const config = await relyingParty(app, client);
    const { tokens } = await signInThrough(app, config, user.email!, { params: { scope: 'openid read:orders', resource: API } });
    const access = await verifyJwt(app, tokens.access_token);
    assert.equal(access.aud, API);
    assert.equal(access.iss, app.issuer);
    assert.equal(access.sub, user.user_id);
    assert.equal(access.client_id, client.client_id);
    assert.equal(access.scope, 'read:orders', 'an API token carries the API\'s scopes only');
    assert.deepEqual(access.roles, [role.name]);
    assert.deepEqual(access.permissions, ['read:orders']);
  });

  it('logs out at the application\'s request: the Gatehouse session ends, post_logout_redirect_uri is checked', async () => {
    const user = await createVerifiedUser(app);
    const client = await app.createClient();
    const config = await relyingParty(app, client);
    const { tokens, agent } = await signInThrough(app, config, user.email!);
    await agent.get('/private').expect(200);

    const bad = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example.com/' });
    const refused = await follow(app, agent, bad.href);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /post_logout_redirect_uri/u);

    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGOUT_URL, state: 'bye' });
    const page = await follow(app, agent, url.href);
    assert.equal(page.status, 200);
    const xsrf = /name="xsrf" value="([^"]+)"/u.exec(page.text)?.[1];
    assert.ok(xsrf, 'the logout page has the provider\'s form');
    const done = await agent.post('/oidc/session/end/confirm').type('form').send({ xsrf, logout: 'yes' }).redirects(0);
    assert.equal(done.status, 303);
    assert.equal(done.headers.location, `${LOGOUT_URL}?state=bye`);
    await agent.get('/private').expect(401);
    await csrfOf(agent);
  });

  it('refuses a callback URL that is not on the allow-list, with a page and no redirect', async () => {
    const client = await app.createClient();
    const config = await relyingParty(app, client);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: `${CALLBACK}/../evil`, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const res = await browserAt(app).get(url.pathname + url.search).redirects(0);
    assert.equal(res.status, 400);
    assert.match(res.text, /redirect_uri/u);
    assert.equal(res.headers.location, undefined);
  });
});
