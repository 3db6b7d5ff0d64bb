import assert from 'node:assert/strict';
import supertest from 'supertest';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { api, mintToken, snapshot, userPath } from '../support/management.js';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

const CONNECTION = 'Username-Password-Authentication';

describe('management API: users', function () {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  before(async () => {
    t = await startTestApp();
    client = api(t, await mintToken(t));
  });
  after(async () => t.close());

  describe('POST /users', () => {
    it('creates a database user (201) with Auth0 defaults, app_metadata with create:users alone', async () => {
      const email = uniqueEmail('Created');
      const creator = api(t, await mintToken(t, ['create:users']));
      const res = await creator.post('/users').send({
        connection: CONNECTION,
        email,
        password: STRONG_PASSWORD,
        email_verified: true,
        user_metadata: { theme: 'dark' },
        app_metadata: { plan: 'gold' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.user_id, /^auth0\|[0-9a-f]{24}$/u);
      assert.equal(res.body.email, email.toLowerCase());
      assert.equal(res.body.nickname, email.toLowerCase().split('@')[0]);
      assert.equal(res.body.email_verified, true);
      assert.deepEqual(res.body.app_metadata, { plan: 'gold' });
      assert.deepEqual(res.body.identities, [{ connection: CONNECTION, provider: 'auth0', user_id: res.body.user_id.slice(6), isSocial: false }]);
      assert.equal(res.body.password, undefined);
      assert.equal((await t.storage.getUser(res.body.user_id))?.email, email.toLowerCase());
      // The new (verified) user can sign in with that password.
      const agent = browser(t.app);
      const csrf = await agent.csrf();
      await agent.post('/auth/login').type('form').send({ _csrf: csrf, username: email, password: STRONG_PASSWORD }).expect(303);
    });

    it('sends the verification link to an unverified user, unless verify_email is false', async () => {
      const email = uniqueEmail('verify');
      const quiet = uniqueEmail('quiet');
      await client.post('/users').send({ connection: CONNECTION, email, password: STRONG_PASSWORD }).expect(201);
      await client.post('/users').send({ connection: CONNECTION, email: quiet, password: STRONG_PASSWORD, verify_email: false }).expect(201);
      const mail = await t.mail.waitFor(email.toLowerCase(), /Verify your email/u);
      assert.match(mail.text, /\/auth\/verify-email\?token=/u);
      assert.equal(t.mail.messages.filter((m) => m.to.includes(quiet.toLowerCase())).length, 0);
    });

    it('requires the connection (400), refuses an unknown one, and creates nothing', async () => {
      const email = uniqueEmail();
      const missing = await client.post('/users').send({ email, password: STRONG_PASSWORD });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errorCode, 'invalid_body');
      assert.equal(missing.body.field, 'connection');
      const unknown = await client.post('/users').send({ connection: 'google-oauth2', email, password: STRONG_PASSWORD });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.field, 'connection');
      assert.deepEqual(await t.storage.listUsersByEmail(email), []);
    });

    it('answers 409 user_exists for a taken email, in any case', async () => {
      const user = await createVerifiedUser(t);
      const res = await client.post('/users').send({ connection: CONNECTION, email: user.email!.toUpperCase(), password: STRONG_PASSWORD });
      assert.equal(res.status, 409);
      assert.deepEqual(res.body, { statusCode: 409, error: 'Conflict', message: 'The user already exists.', errorCode: 'user_exists' });
    });

    for (const [label, body, code] of [
      ['a short password', { password: 'short' }, 'password_too_short'],
      ['an unknown field', { password: STRONG_PASSWORD, is_admin: true }, 'invalid_body'],
      ['a reserved app_metadata key', { password: STRONG_PASSWORD, app_metadata: { blocked: false } }, 'invalid_metadata'],
      ['a $ key in user_metadata', { password: STRONG_PASSWORD, user_metadata: { $where: 1 } }, 'invalid_metadata'],
      ['a javascript: picture', { password: STRONG_PASSWORD, picture: 'javascript:alert(1)' }, 'invalid_body'],
    ] as const) {
      it(`refuses ${label} (400 ${code}), creating nothing`, async () => {
        const email = uniqueEmail();
        const res = await client.post('/users').send({ connection: CONNECTION, email, ...body });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.errorCode, code);
        assert.deepEqual(await t.storage.listUsersByEmail(email), []);
      });
    }
  });

  describe('GET /users/{id} and /users-by-email', () => {
    it('returns the user in Auth0 shape, with fields and include_fields', async () => {
      const user = await createVerifiedUser(t);
      const full = await client.get(userPath(user)).expect(200);
      assert.equal(full.body.user_id, user.user_id);
      assert.equal(full.body.created_at, user.created_at.toISOString());
      const some = await client.get(`${userPath(user)}?fields=user_id,email,nope`).expect(200);
      assert.deepEqual(some.body, { user_id: user.user_id, email: user.email });
      const without = await client.get(`${userPath(user)}?fields=identities,app_metadata&include_fields=false`).expect(200);
      assert.equal(without.body.identities, undefined);
      assert.equal(without.body.app_metadata, undefined);
      assert.equal(without.body.email, user.email);
      const bad = await client.get(`${userPath(user)}?include_fields=maybe`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errorCode, 'invalid_query_string');
    });

    it('answers 404 inexistent_user for an unknown id', async () => {
      const res = await client.get(userPath('auth0|000000000000000000000000'));
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' });
    });

    it('finds users by email, case-insensitively, as an array', async () => {
      const user = await createVerifiedUser(t);
      const res = await client.get(`/users-by-email?email=${encodeURIComponent(user.email!.toUpperCase())}`).expect(200);
      assert.deepEqual(res.body.map((u: { user_id: string }) => u.user_id), [user.user_id]);
      assert.deepEqual((await client.get(`/users-by-email?email=${encodeURIComponent(uniqueEmail())}&fields=email`).expect(200)).body, []);
      const picked = await client.get(`/users-by-email?email=${encodeURIComponent(user.email!)}&fields=user_id`).expect(200);
      assert.deepEqual(picked.body, [{ user_id: user.user_id }]);
      for (const query of ['', '?email=', '?email=not-an-email', '?email=a@x.com&email=b@x.com']) {
        const bad = await client.get(`/users-by-email${query}`);
        assert.equal(bad.status, 400, query);
        assert.equal(bad.body.errorCode, 'invalid_query_string');
      }
    });
  });

  describe('PATCH /users/{id}', () => {
    it('replaces root fields and merges metadata at the top level (null deletes)', async () => {
      const user = await createVerifiedUser(t);
      await client.patch(userPath(user)).send({ user_metadata: { a: 1, b: { c: 2 } }, app_metadata: { plan: 'gold', seats: 3 } }).expect(200);
      const res = await client.patch(userPath(user)).send({ name: 'Ada', given_name: 'Ada', user_metadata: { a: null, b: { d: 4 } }, app_metadata: { seats: 5 } }).expect(200);
      assert.equal(res.body.name, 'Ada');
      assert.deepEqual(res.body.user_metadata, { b: { d: 4 } });
      assert.deepEqual(res.body.app_metadata, { plan: 'gold', seats: 5 });
      assert.deepEqual((await t.storage.getUser(user.user_id))?.app_metadata, { plan: 'gold', seats: 5 });
    });

    for (const [a, b] of [
      ['password', 'email'],
      ['password', 'email_verified'],
      ['username', 'email'],
      ['username', 'email_verified'],
      ['username', 'password'],
    ] as const) {
      it(`refuses ${a} and ${b} together (400), changing nothing`, async () => {
        const user = await createVerifiedUser(t);
        const before = await snapshot(t, user.user_id);
        const values: Record<string, unknown> = { password: 'another strong passphrase', email: uniqueEmail(), email_verified: true, username: 'newname' };
        const res = await client.patch(userPath(user)).send({ [a]: values[a], [b]: values[b] });
        assert.equal(res.status, 400);
        assert.equal(res.body.errorCode, 'invalid_body');
        assert.match(res.body.message, /simultaneously/u);
        assert.deepEqual(await snapshot(t, user.user_id), before);
      });
    }

    for (const [label, raw] of [
      ['__proto__', '{"app_metadata":{"__proto__":{"polluted":true}}}'],
      ['constructor', '{"user_metadata":{"constructor":{"prototype":{"polluted":true}}}}'],
      ['prototype', '{"app_metadata":{"prototype":1}}'],
      ['a dot', '{"user_metadata":{"a.b":1}}'],
      ['a dollar', '{"app_metadata":{"$set":{"x":1}}}'],
      ['a reserved name', '{"app_metadata":{"user_id":"auth0|x"}}'],
    ] as const) {
      it(`refuses metadata with ${label} (400 invalid_metadata), prototypes untouched`, async () => {
        const user = await createVerifiedUser(t);
        const before = await snapshot(t, user.user_id);
        const res = await client.patch(userPath(user)).set('Content-Type', 'application/json').send(raw);
        assert.equal(res.status, 400);
        assert.equal(res.body.errorCode, 'invalid_metadata');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.deepEqual(await snapshot(t, user.user_id), before);
      });
    }

    it('refuses read-only and unknown fields (400) and answers 404 for an unknown user', async () => {
      const user = await createVerifiedUser(t);
      for (const body of [{ user_id: 'auth0|other' }, { logins_count: 5 }, { identities: [] }, { password_hash: 'x' }]) {
        const res = await client.patch(userPath(user)).send(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.errorCode, 'invalid_body');
      }
      const missing = await client.patch(userPath('auth0|000000000000000000000000')).send({ name: 'x' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.errorCode, 'inexistent_user');
    });

    it('sets a password through the policy, and a new password ends the user\'s sessions', async () => {
      const { agent, user } = await signedInBrowser(t);
      await agent.get('/private').expect(200);
      const weak = await client.patch(userPath(user)).send({ password: 'short' });
      assert.equal(weak.status, 400);
      assert.equal(weak.body.errorCode, 'password_too_short');
      await agent.get('/private').expect(200);
      await client.patch(userPath(user)).send({ password: 'a brand new passphrase' }).expect(200);
      await agent.get('/private').expect(401);
      const fresh = browser(t.app);
      const csrf = await fresh.csrf();
      await fresh.post('/auth/login').type('form').send({ _csrf: csrf, username: user.email, password: 'a brand new passphrase' }).expect(303);
    });

    it('blocks a user: the user\'s session gets 401 at once, login is refused; unblocking lets them sign in again', async () => {
      const { agent, user } = await signedInBrowser(t);
      await agent.get('/private').expect(200);
      await agent.get('/auth/me').expect(200);
      const res = await client.patch(userPath(user)).send({ blocked: true }).expect(200);
      assert.equal(res.body.blocked, true);
      await agent.get('/private').expect(401);
      const me = await agent.get('/auth/me').set('Accept', 'application/json');
      assert.equal(me.status, 401);
      const again = browser(t.app);
      const csrf = await again.csrf();
      const refused = await again.post('/auth/login').send({ _csrf: csrf, username: user.email, password: STRONG_PASSWORD });
      assert.notEqual(refused.status, 303);
      await again.get('/private').expect(401);
      await client.patch(userPath(user)).send({ blocked: false }).expect(200);
      const back = browser(t.app);
      const csrf2 = await back.csrf();
      await back.post('/auth/login').type('form').send({ _csrf: csrf2, username: user.email, password: STRONG_PASSWORD }).expect(303);
      await back.get('/private').expect(200);
    });
  });

  describe('DELETE /users/{id}', () => {
    it('deletes the user (204) with its sessions; a second delete is 404', async () => {
      const { agent, user } = await signedInBrowser(t);
      await client.delete(userPath(user)).expect(204);
      assert.equal(await t.storage.getUser(user.user_id), null);
      await agent.get('/private').expect(401);
      const again = await client.delete(userPath(user));
      assert.equal(again.status, 404);
      assert.equal(again.body.errorCode, 'inexistent_user');
    });

    it('records the deletion in the audit log under the erased user\'s pseudonym, with the token as the actor', async () => {
      const user = await createVerifiedUser(t);
      const [signup] = (await t.storage.listUserLogs(user.user_id, 0, 1)).logs;
      await client.delete(userPath(user)).expect(204);
      assert.equal((await t.storage.listUserLogs(user.user_id, 0, 10)).total, 0);
      const pseudonym = (await t.storage.getLog(signup!.log_id))!.user_id!;
      assert.match(pseudonym, /^erased\|/u);
      const { logs } = await t.storage.listUserLogs(pseudonym, 0, 10);
      const deletion = logs.find((l) => l.type === 'sdu');
      assert.ok(deletion);
      assert.match(String(deletion.details.actor), /^tok_/u);
    });
  });

  it('answers unauthenticated calls before looking at the body', async () => {
    const res = await supertest(t.app).post('/api/v2/users').type('form').send('connection=x');
    assert.equal(res.status, 401);
  });
});
