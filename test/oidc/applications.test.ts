import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import supertest from 'supertest';
import { createVerifiedUser } from '../support/accounts.js';
import { api, userPath } from '../support/management.js';
import { API, CALLBACK, authorizationRequest, browserAt, follow, relyingParty, signIn, signInThrough, startOidcApp, verifyJwt, type OidcApp } from './oidc-support.js';

/** Consent remembered and revoked, access rules, wildcard callbacks, client credentials, key rotation. */
describe('OpenID Connect provider: applications, consent, access and keys', function () {
  let app: OidcApp;

  before(async () => {
    app = await startOidcApp({ applications: { apis: [{ identifier: API, name: 'Orders API', scopes: ['read:orders', 'write:orders'] }], keyOverlapMs: 60 * 60 * 1000 } });
  });
  after(async () => {
    await app.close();
  });

  it('remembers consent per user and application, and asks again once it is revoked (its tokens die with it)', async () => {
    const user = await createVerifiedUser(app);
    const client = await app.createClient();
    const config = await relyingParty(app, client);
    const first = await signInThrough(app, config, user.email!, { params: { scope: 'openid email offline_access', prompt: 'consent' } });

    // A new provider session (another browser) still skips the consent page: it is remembered by user and application.
    const again = await signInThrough(app, config, user.email!, { params: { scope: 'openid email' }, expectConsent: false });
    assert.equal(again.tokens.claims()?.sub, user.user_id);

    const grants = (await api(app, app.token).get(`/grants?user_id=${encodeURIComponent(user.user_id)}`).expect(200)).body as Array<{ id: string; clientID: string; scope: string[] }>;
    assert.equal(grants.length, 1);
    assert.equal(grants[0]!.clientID, client.client_id);
    assert.deepEqual([...grants[0]!.scope].sort(), ['email', 'offline_access', 'openid']);

    await api(app, app.token).delete(`/grants/${grants[0]!.id}`).expect(204);
    await api(app, app.token).delete(`/grants/${grants[0]!.id}`).expect(404);
    await assert.rejects(oidc.refreshTokenGrant(config, first.tokens.refresh_token!), (err: Error & { error?: string }) => err.error === 'invalid_grant');

    const agent = browserAt(app);
    const request = await authorizationRequest(config, { scope: 'openid email' });
    const login = await follow(app, agent, request.url);
    const page = await follow(app, agent, await signIn(agent, user.email!, new URL(login.path, app.baseUrl).searchParams.get('returnTo')!));
    assert.equal(page.status, 200);
    assert.match(page.path, /^\/oidc\/interaction\//u);
    assert.match(page.text, /wants to access your account/u);
  });

  it('denies a user without access with a page, and the application gets access_denied, never a code', async () => {
    const member = await createVerifiedUser(app);
    const outsider = await createVerifiedUser(app);
    const role = await app.storage.createRole({ id: `rol_acc${Date.now()}`, name: `staff-${Date.now()}`, description: '', permissions: [] });
    await app.storage.assignUserRoles(member.user_id, [role.id]);
    const client = await app.createClient({ access_policy: 'roles', access_roles: [role.id], is_first_party: true });
    const config = await relyingParty(app, client);

    const ok = await signInThrough(app, config, member.email!, { expectConsent: false });
    assert.equal(ok.tokens.claims()?.sub, member.user_id);

    const agent = browserAt(app);
    const request = await authorizationRequest(config);
    const login = await follow(app, agent, request.url);
    const denied = await follow(app, agent, await signIn(agent, outsider.email!, new URL(login.path, app.baseUrl).searchParams.get('returnTo')!));
    assert.equal(denied.status, 403);
    assert.match(denied.text, /does not have access/u);
    const csrf = ((await agent.get('/auth/csrf-token')).body as { csrfToken: string }).csrfToken;
    const back = await agent.post(`${denied.path}/abort`).type('form').send({ _csrf: csrf }).redirects(0);
    const end = await follow(app, agent, back.headers.location as string);
    const callback = new URL(end.location!);
    assert.equal(callback.origin + callback.pathname, CALLBACK);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('code'), null);

    // Allow-list: put on it through the management API, taken off again.
    const listed = await app.createClient({ access_policy: 'allow_list', is_first_party: true });
    const listedConfig = await relyingParty(app, listed);
    await api(app, app.token).post(userPath(outsider.user_id, '/clients')).send({ clients: [listed.client_id] }).expect(204);
    const listedRes = await api(app, app.token).get(userPath(outsider.user_id, '/clients')).expect(200);
    assert.deepEqual(listedRes.body, [{ client_id: listed.client_id, name: 'Second app' }]);
    const signedIn = await signInThrough(app, listedConfig, outsider.email!, { params: { scope: 'openid offline_access', prompt: 'consent' }, expectConsent: false });
    await api(app, app.token).delete(userPath(outsider.user_id, '/clients')).send({ clients: [listed.client_id] }).expect(204);
    // Access taken away: the refresh token stops working at its next use.
    await assert.rejects(oidc.refreshTokenGrant(listedConfig, signedIn.tokens.refresh_token!), (err: Error & { error?: string }) => err.error === 'invalid_grant');
  });

  it('matches callbacks exactly, with * only as one subdomain label (Auth0\'s rules)', async () => {
    const bad = await api(app, app.token).post('/clients').send({ name: 'x', callbacks: ['https://app.*.example.com/cb'] }).expect(400);
    assert.equal(bad.body.field, 'callbacks');
    await api(app, app.token).post('/clients').send({ name: 'x', callbacks: ['app.example.com/cb'] }).expect(400);
    await api(app, app.token).post('/clients').send({ name: 'x', callbacks: ['https://*.com/cb'] }).expect(400);
    await api(app, app.token).post('/clients').send({ name: 'x', callbacks: ['https://app.example.com/cb#x'] }).expect(400);

    const client = await app.createClient({ callbacks: ['https://*.tenant.example.com/callback'], is_first_party: true });
    const config = await relyingParty(app, client);
    const user = await createVerifiedUser(app);
    const agent = browserAt(app);
    const attempt = async (redirect_uri: string) => {
      const request = await authorizationRequest(config, { redirect_uri });
      return follow(app, agent, request.url);
    };
    const login = await attempt('https://shop.tenant.example.com/callback');
    assert.match(login.path, /^\/auth\/login/u, 'a matching subdomain is accepted');
    await signIn(agent, user.email!, '/');
    const landed = await attempt('https://SHOP.Tenant.example.com/callback');
    assert.match(landed.location ?? JSON.stringify([landed.status, landed.path, landed.text.slice(0, 300)]), /^https:\/\/shop\.tenant\.example\.com\/callback\?code=/iu, 'scheme and host are case-insensitive');
    for (const uri of [
      'https://a.b.tenant.example.com/callback',
      'https://tenant.example.com/callback',
      'https://shop.tenant.example.com/Callback',
      'https://shop.tenant.example.com/callback/more',
      'https://shop.tenant.example.com:8443/callback',
      'http://shop.tenant.example.com/callback',
      'https://evil.com/.tenant.example.com/callback',
    ]) {
      const res = await attempt(uri);
      assert.equal(res.status, 400, uri);
      assert.equal(res.location, undefined, uri);
    }
  });

  it('issues a client credentials JWT for an API audience with the granted scopes only', async () => {
    const m2m = await app.createClient({ app_type: 'non_interactive', api_grants: [{ audience: API, scope: ['read:orders'] }] });
    assert.ok(m2m.client_secret);
    const config = await relyingParty(app, m2m);
    const tokens = await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read:orders write:orders' });
    const claims = await verifyJwt(app, tokens.access_token);
    assert.equal(claims.aud, API);
    assert.equal(claims.client_id, m2m.client_id);
    assert.equal(claims.scope, 'read:orders');
    await assert.rejects(oidc.clientCredentialsGrant(config, { resource: 'https://other.example.com/' }), (err: Error & { error?: string }) => err.error === 'invalid_target');

    const rotated = (await api(app, app.token).post(`/clients/${m2m.client_id}/rotate-secret`).send({}).expect(200)).body as { client_secret: string };
    await assert.rejects(oidc.clientCredentialsGrant(config, { resource: API }), (err: Error & { error?: string }) => err.error === 'invalid_client', 'the old secret stops working');
    const fresh = await relyingParty(app, { client_id: m2m.client_id, client_secret: rotated.client_secret });
    await oidc.clientCredentialsGrant(fresh, { resource: API, scope: 'read:orders' });
  });

  const put = (url: string) => supertest(app.app).put(`/api/v2${url}`).set('Authorization', `Bearer ${app.token}`);

  it('rotates signing keys with overlap: old tokens verify until the old key is revoked', async () => {
    const m2m = await app.createClient({ app_type: 'non_interactive', api_grants: [{ audience: API, scope: ['read:orders'] }] });
    const config = await relyingParty(app, m2m);
    const before = await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read:orders' });
    const oldKid = (JSON.parse(Buffer.from(before.access_token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

    const rotated = (await api(app, app.token).post('/keys/signing/rotate').send({}).expect(201)).body as { kid: string };
    const after = await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read:orders' });
    const newKid = (JSON.parse(Buffer.from(after.access_token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    assert.equal(newKid, rotated.kid, 'the new key signs');
    assert.notEqual(newKid, oldKid);
    await verifyJwt(app, before.access_token);
    await verifyJwt(app, after.access_token);

    const keys = (await api(app, app.token).get('/keys/signing').expect(200)).body as Array<{ kid: string; current: boolean }>;
    assert.equal(keys.find((k) => k.current)?.kid, newKid);
    await put(`/keys/signing/${newKid}/revoke`).send({}).expect(409);
    await put(`/keys/signing/${oldKid}/revoke`).send({}).expect(200);
    await assert.rejects(verifyJwt(app, before.access_token), /not in the JWKS/u);
    await verifyJwt(app, after.access_token);
  });
});
