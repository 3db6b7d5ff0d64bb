import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hashApiToken } from '@gatehouse/core';
import supertest from 'supertest';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { adminBrowser, ALL_SCOPES, api, mintToken, snapshot, userPath } from '../support/management.js';
import { startTestApp, uniqueEmail, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

describe('management API: authentication and scopes', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  function assert401(res: supertest.Response, challenge: RegExp) {
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'The access token is missing, invalid, expired or revoked.',
      errorCode: 'invalid_api_token',
    });
    assert.match(String(res.headers['www-authenticate']), challenge);
    assert.equal(res.headers['cache-control'], 'no-store');
  }

  it('answers 401 invalid_api_token with a Bearer challenge when there is no token and no session', async () => {
    const user = await createVerifiedUser(t);
    assert401(await supertest(t.app).get(`/api/v2${userPath(user)}`), /^Bearer realm="gatehouse"$/u);
    assert401(await supertest(t.app).get(`/api/v2${userPath(user)}`).set('Accept', 'text/html'), /^Bearer/u);
    assert401(await supertest(t.app).delete(`/api/v2${userPath(user)}`), /^Bearer/u);
    assert.ok(await t.storage.getUser(user.user_id));
  });

  for (const [label, header] of [
    ['an unknown token', () => `Bearer gh_${randomBytes(32).toString('base64url')}`],
    ['a malformed token', () => 'Bearer not-a-token'],
    ['another scheme', () => 'Basic YWRtaW46YWRtaW4='],
    ['an empty Bearer', () => 'Bearer '],
  ] as const) {
    it(`answers 401 to ${label}`, async () => {
      const user = await createVerifiedUser(t);
      const res = await supertest(t.app).get(`/api/v2${userPath(user)}`).set('Authorization', header());
      assert401(res, /error="invalid_token"/u);
    });
  }

  it('answers 401 to a revoked token, and to an expired one, changing nothing', async () => {
    const user = await createVerifiedUser(t);
    const before = await snapshot(t, user.user_id);
    const revoked = await mintToken(t);
    const ok = await api(t, revoked).get(userPath(user));
    assert.equal(ok.status, 200);
    const token = (await t.storage.findActiveApiToken(hashApiToken(revoked), new Date()))!;
    assert.equal(await t.storage.revokeApiToken(token.id, new Date()), true);
    assert401(await api(t, revoked).patch(userPath(user)).send({ name: 'Mallory' }), /invalid_token/u);

    const expired = `gh_${randomBytes(32).toString('base64url')}`;
    await t.storage.createApiToken({
      id: `tok_${randomBytes(6).toString('hex')}`,
      name: 'expired',
      hash: hashApiToken(expired),
      scopes: ['read:users', 'update:users'],
      created_at: new Date(Date.now() - 7_200_000),
      expires_at: new Date(Date.now() - 1000),
    });
    assert401(await api(t, expired).patch(userPath(user)).send({ name: 'Mallory' }), /invalid_token/u);
    assert.deepEqual(await snapshot(t, user.user_id), before);
  });

  it('sends Cache-Control: no-store on answers', async () => {
    const user = await createVerifiedUser(t);
    const res = await api(t, await mintToken(t, ['read:users'])).get(userPath(user)).expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(String(res.headers['content-type']), /application\/json/u);
  });

  // Each route with a scope set that lacks exactly what it needs: 403, and nothing changes.
  const routes: { name: string; missing: string[]; call: (c: ReturnType<typeof api>, id: string) => supertest.Test }[] = [
    { name: 'GET /users/{id}', missing: ['read:users'], call: (c, id) => c.get(userPath(id)) },
    { name: 'GET /users-by-email', missing: ['read:users'], call: (c) => c.get('/users-by-email?email=a@example.com') },
    { name: 'POST /users', missing: ['create:users'], call: (c) => c.post('/users').send({ connection: 'Username-Password-Authentication', email: uniqueEmail(), password: STRONG_PASSWORD }) },
    { name: 'PATCH /users/{id}', missing: ['update:users'], call: (c, id) => c.patch(userPath(id)).send({ name: 'Changed' }) },
    { name: 'PATCH /users/{id} (app_metadata)', missing: ['update:users', 'update:users_app_metadata'], call: (c, id) => c.patch(userPath(id)).send({ app_metadata: { plan: 'gold' } }) },
    { name: 'PATCH /users/{id} (blocked)', missing: ['update:users'], call: (c, id) => c.patch(userPath(id)).send({ blocked: true }) },
    { name: 'DELETE /users/{id}', missing: ['delete:users'], call: (c, id) => c.delete(userPath(id)) },
    { name: 'GET /users/{id}/roles', missing: ['read:roles'], call: (c, id) => c.get(userPath(id, '/roles')) },
    { name: 'POST /users/{id}/roles', missing: ['create:role_members'], call: (c, id) => c.post(userPath(id, '/roles')).send({ roles: ['rol_gatehouse_admin'] }) },
    { name: 'DELETE /users/{id}/roles', missing: ['delete:role_members'], call: (c, id) => c.delete(userPath(id, '/roles')).send({ roles: ['rol_gatehouse_admin'] }) },
    { name: 'GET /users/{id}/permissions', missing: ['read:users'], call: (c, id) => c.get(userPath(id, '/permissions')) },
    { name: 'POST /users/{id}/permissions', missing: ['update:users'], call: (c, id) => c.post(userPath(id, '/permissions')).send({ permissions: [{ resource_server_identifier: 'urn:gatehouse:management-api', permission_name: 'read:users' }] }) },
    { name: 'GET /users/{id}/logs', missing: ['read:logs'], call: (c, id) => c.get(userPath(id, '/logs')) },
    { name: 'GET /roles', missing: ['read:roles'], call: (c) => c.get('/roles') },
    { name: 'POST /roles', missing: ['create:roles'], call: (c) => c.post('/roles').send({ name: `r-${randomBytes(4).toString('hex')}` }) },
    { name: 'PATCH /roles/{id}', missing: ['update:roles'], call: (c) => c.patch('/roles/rol_gatehouse_admin').send({ description: 'hacked' }) },
    { name: 'DELETE /roles/{id}', missing: ['delete:roles'], call: (c) => c.delete('/roles/rol_gatehouse_admin') },
    { name: 'POST /roles/{id}/permissions', missing: ['update:roles'], call: (c) => c.post('/roles/rol_gatehouse_admin/permissions').send({ permissions: [{ resource_server_identifier: 'urn:x', permission_name: 'x' }] }) },
    { name: 'GET /roles/{id}/users', missing: ['read:role_members'], call: (c) => c.get('/roles/rol_gatehouse_admin/users') },
    { name: 'POST /tickets/password-change', missing: ['update:users'], call: (c, id) => c.post('/tickets/password-change').send({ user_id: id }) },
  ];

  for (const route of routes) {
    it(`refuses ${route.name} without ${route.missing.join(' and ')} (403 insufficient_scope), changing nothing`, async () => {
      const user = await createVerifiedUser(t);
      const scopes = ALL_SCOPES.filter((s) => !route.missing.includes(s));
      const before = await snapshot(t, user.user_id);
      const rolesBefore = await t.storage.getRole('rol_gatehouse_admin');
      const usersBefore = await t.storage.countUsers();
      const res = await route.call(api(t, await mintToken(t, scopes)), user.user_id);
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.errorCode, 'insufficient_scope');
      assert.match(String(res.headers['www-authenticate']), /error="insufficient_scope"/u);
      assert.deepEqual(await snapshot(t, user.user_id), before);
      assert.deepEqual(await t.storage.getRole('rol_gatehouse_admin'), rolesBefore);
      assert.equal(await t.storage.countUsers(), usersBefore);
    });
  }

  it('lets update:users_app_metadata alone change app_metadata, and nothing else', async () => {
    const user = await createVerifiedUser(t);
    const client = api(t, await mintToken(t, ['update:users_app_metadata']));
    const ok = await client.patch(userPath(user)).send({ app_metadata: { plan: 'gold' } }).expect(200);
    assert.deepEqual(ok.body.app_metadata, { plan: 'gold' });
    await client.patch(userPath(user)).send({ app_metadata: { plan: 'free' }, name: 'x' }).expect(403);
    await client.patch(userPath(user)).send({ user_metadata: { a: 1 } }).expect(403);
    assert.deepEqual((await t.storage.getUser(user.user_id))?.app_metadata, { plan: 'gold' });
    assert.equal((await t.storage.getUser(user.user_id))?.name, user.name);
  });

  describe('signed-in sessions', () => {
    it('lets an admin session read, and change with the CSRF header; without it 403 and nothing changes', async () => {
      const { agent } = await adminBrowser(t);
      const target = await createVerifiedUser(t);
      const read = await agent.get(`/api/v2${userPath(target)}`).expect(200);
      assert.equal(read.body.user_id, target.user_id);
      const noCsrf = await agent.patch(`/api/v2${userPath(target)}`).send({ name: 'No Token' });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.body.errorCode, 'invalid_csrf_token');
      const forged = await agent.patch(`/api/v2${userPath(target)}`).set('x-csrf-token', 'forged').send({ name: 'Forged' });
      assert.equal(forged.body.errorCode, 'invalid_csrf_token');
      const csrf = await agent.csrf();
      const foreign = await agent.patch(`/api/v2${userPath(target)}`).set('x-csrf-token', csrf).set('Origin', 'https://evil.example').send({ name: 'Evil' });
      assert.equal(foreign.status, 403);
      assert.equal(foreign.body.errorCode, 'invalid_origin');
      assert.equal((await t.storage.getUser(target.user_id))?.name, target.name);
      const ok = await agent.patch(`/api/v2${userPath(target)}`).set('x-csrf-token', csrf).send({ name: 'Renamed' }).expect(200);
      assert.equal(ok.body.name, 'Renamed');
      await agent.delete(`/api/v2${userPath(target)}`).expect(403);
      assert.ok(await t.storage.getUser(target.user_id));
      await agent.delete(`/api/v2${userPath(target)}`).set('x-csrf-token', csrf).expect(204);
      assert.equal(await t.storage.getUser(target.user_id), null);
    });

    it('refuses a non-admin session (403), also on its own profile; user A cannot read or change user B', async () => {
      const a = await signedInBrowser(t);
      const b = await createVerifiedUser(t);
      const before = await snapshot(t, b.user_id);
      const csrf = await a.agent.csrf();
      for (const res of [
        await a.agent.get(`/api/v2${userPath(b)}`),
        await a.agent.get(`/api/v2${userPath(a.user)}`),
        await a.agent.patch(`/api/v2${userPath(b)}`).set('x-csrf-token', csrf).send({ name: 'Mallory' }),
        await a.agent.patch(`/api/v2${userPath(a.user)}`).set('x-csrf-token', csrf).send({ app_metadata: { admin: true } }),
        await a.agent.delete(`/api/v2${userPath(b)}`).set('x-csrf-token', csrf),
        await a.agent.post(`/api/v2${userPath(a.user, '/roles')}`).set('x-csrf-token', csrf).send({ roles: ['rol_gatehouse_admin'] }),
      ]) {
        assert.equal(res.status, 403, JSON.stringify(res.body));
        assert.equal(res.body.errorCode, 'insufficient_scope');
      }
      assert.deepEqual(await snapshot(t, b.user_id), before);
      assert.deepEqual(await t.storage.getUserRoles(a.user.user_id), []);
      assert.deepEqual((await t.storage.getUser(a.user.user_id))?.app_metadata, {});
    });

    it('uses the token, not the session, when both are sent (a bad token fails even from a signed-in admin)', async () => {
      const { agent, user } = await adminBrowser(t);
      const res = await agent.get(`/api/v2${userPath(user)}`).set('Authorization', 'Bearer gh_nope');
      assert.equal(res.status, 401);
    });
  });

  describe('requests', () => {
    it('refuses bodies that are not JSON with 400 invalid_body, and malformed JSON likewise', async () => {
      const user = await createVerifiedUser(t);
      const client = api(t, await mintToken(t));
      const form = await client.patch(userPath(user)).type('form').send('name=Mallory');
      assert.equal(form.status, 400);
      assert.equal(form.body.errorCode, 'invalid_body');
      const text = await client.patch(userPath(user)).set('Content-Type', 'text/plain').send('{"name":"Mallory"}');
      assert.equal(text.status, 400);
      const broken = await client.patch(userPath(user)).set('Content-Type', 'application/json').send('{"name":');
      assert.equal(broken.status, 400);
      assert.equal(broken.body.errorCode, 'invalid_body');
      const array = await client.patch(userPath(user)).send([1, 2]);
      assert.equal(array.status, 400);
      assert.equal((await t.storage.getUser(user.user_id))?.name, user.name);
    });

    it('refuses a body over 2 MB with 413', async () => {
      const user = await createVerifiedUser(t);
      const res = await api(t, await mintToken(t)).patch(userPath(user)).send({ user_metadata: { big: 'x'.repeat(2.1 * 1024 * 1024) } });
      assert.equal(res.status, 413);
      assert.equal(res.body.errorCode, 'payload_too_large');
    });

    it('answers 404 not_found in JSON for an unknown route', async () => {
      const res = await api(t, await mintToken(t)).get('/nothing-here').set('Accept', 'text/html');
      assert.equal(res.status, 404);
      assert.equal(res.body.errorCode, 'not_found');
    });
  });
});
