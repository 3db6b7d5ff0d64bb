import assert from 'node:assert/strict';
import { signedInBrowser } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('security: self-service /me', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  async function patch(agent: Awaited<ReturnType<typeof signedInBrowser>>['agent'], body: unknown) {
    return agent.patch('/auth/me').set('x-csrf-token', await agent.csrf()).set('Content-Type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  for (const field of ['app_metadata', 'blocked', 'email_verified', 'user_id', 'identities', 'password', 'email', 'logins_count', 'password_hash']) {
    it(`refuses a self-service PATCH of ${field} with 400, changing nothing`, async () => {
      const { agent, user } = await signedInBrowser(t);
      const res = await patch(agent, { [field]: field === 'app_metadata' ? { role: 'admin' } : true, name: 'Changed' });
      assert.equal(res.status, 400);
      assert.equal(res.body.errorCode, 'field_not_allowed');
      assert.equal(res.body.field, field);
      const after = await t.storage.getUser(user.user_id);
      assert.deepEqual({ ...after, updated_at: null }, { ...user, updated_at: null, logins_count: after!.logins_count, last_login: after!.last_login, last_ip: after!.last_ip });
    });
  }

  for (const [label, raw] of [
    ['__proto__', '{"user_metadata":{"__proto__":{"polluted":true}}}'],
    ['nested constructor', '{"user_metadata":{"a":{"constructor":{"prototype":{"polluted":true}}}}}'],
    ['prototype', '{"user_metadata":{"prototype":1}}'],
    ['a dot', '{"user_metadata":{"a.b":1}}'],
    ['a dollar', '{"user_metadata":{"$where":"1"}}'],
    ['a nested dot', '{"user_metadata":{"x":{"y.z":1}}}'],
  ] as const) {
    it(`refuses metadata with ${label} in a key (400 invalid_metadata), prototypes untouched`, async () => {
      const { agent, user } = await signedInBrowser(t);
      const res = await patch(agent, raw);
      assert.equal(res.status, 400);
      assert.equal(res.body.errorCode, 'invalid_metadata');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.deepEqual((await t.storage.getUser(user.user_id))?.user_metadata, {});
    });
  }

  it('merges user_metadata at the top level, replaces nested objects, deletes on null, and keeps it on {}', async () => {
    const { agent, user } = await signedInBrowser(t);
    await patch(agent, { user_metadata: { theme: 'dark', address: { city: 'Paris', zip: '75001' }, keep: 1 } }).then((r) => assert.equal(r.status, 200));
    const res = await patch(agent, { user_metadata: { theme: null, address: { city: 'Lyon' }, added: [1, 'two'] } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.user_metadata, { address: { city: 'Lyon' }, keep: 1, added: [1, 'two'] });
    await patch(agent, { user_metadata: {} }).then((r) => assert.equal(r.status, 200));
    assert.deepEqual((await t.storage.getUser(user.user_id))?.user_metadata, { address: { city: 'Lyon' }, keep: 1, added: [1, 'two'] });
  });

  it('keeps all 50 keys when 50 merges on one user run at once', async () => {
    const { agent, user } = await signedInBrowser(t);
    const csrf = await agent.csrf();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => agent.patch('/auth/me').set('x-csrf-token', csrf).send({ user_metadata: { [`k${i}`]: i } })),
    );
    assert.deepEqual(results.map((r) => r.status), Array(50).fill(200));
    const metadata = (await t.storage.getUser(user.user_id))!.user_metadata;
    assert.equal(Object.keys(metadata).length, 50);
    for (let i = 0; i < 50; i++) assert.equal(metadata[`k${i}`], i);
  });

  it('validates profile fields with field-level errors', async () => {
    const { agent } = await signedInBrowser(t);
    const bad = await patch(agent, { picture: 'javascript:alert(1)' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'picture');
    const long = await patch(agent, { name: 'n'.repeat(151) });
    assert.equal(long.body.field, 'name');
    const ok = await patch(agent, { name: 'Ada Lovelace', given_name: 'Ada', picture: 'https://example.com/ada.png' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.name, 'Ada Lovelace');
  });

  it('answers 401 login_required to an anonymous API call and redirects a browser to login', async () => {
    const { default: supertest } = await import('supertest');
    const api = await supertest(t.app).get('/auth/me').set('Accept', 'application/json').expect(401);
    assert.equal(api.body.errorCode, 'login_required');
    const page = await supertest(t.app).get('/auth/account').set('Accept', 'text/html').expect(303);
    assert.equal(page.headers.location, '/auth/login?returnTo=%2Fauth%2Faccount');
  });
});
