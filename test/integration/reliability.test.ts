import assert from 'node:assert/strict';
import { GatehouseError } from '@gatehouse/core';
import supertest from 'supertest';
import { signedInBrowser } from '../support/accounts.js';
import { browser, startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

describe('reliability', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('answers 503 (never 200, never a crash) on a protected route while the session store is down', async () => {
    const { agent } = await signedInBrowser(t);
    // Both ways the session store reads a session (with its user's stamp, on the fast path, or alone).
    const original = { getSession: t.storage.getSession, getSessionWithUser: t.storage.getSessionWithUser };
    t.storage.getSession = () => Promise.reject(new GatehouseError('storage_unavailable'));
    t.storage.getSessionWithUser = () => Promise.reject(new GatehouseError('storage_unavailable'));
    try {
      const res = await agent.get('/private').set('Accept', 'application/json');
      assert.equal(res.status, 503);
      assert.equal(res.body.errorCode, 'session_store_unavailable');
      const me = await agent.get('/auth/me').set('Accept', 'application/json');
      assert.equal(me.status, 503);
    } finally {
      Object.assign(t.storage, original);
    }
    await agent.get('/private').expect(200);
  });

  it('creates exactly one user when A@x.com and a@x.com sign up at the same time', async () => {
    const local = `race-${Date.now()}`;
    const agents = await Promise.all([0, 1, 2, 3].map(async () => {
      const a = browser(t.app);
      return { a, csrf: await a.csrf() };
    }));
    const emails = [`${local.toUpperCase()}@X.COM`, `${local}@x.com`, `${local}@X.com`, `${local.toUpperCase()}@x.com`];
    const results = await Promise.all(agents.map(({ a, csrf }, i) =>
      a.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: csrf, email: emails[i], password: STRONG_PASSWORD })));
    assert.deepEqual(results.map((r) => r.status), [201, 201, 201, 201]);
    const users = await t.storage.listUsersByEmail(`${local}@x.com`);
    assert.equal(users.length, 1);
  });

  it('answers unknown auth routes with a 404 JSON error, and bad JSON with 400', async () => {
    const res = await supertest(t.app).get('/auth/nope').set('Accept', 'application/json').expect(404);
    assert.equal(res.body.errorCode, 'not_found');
    const agent = browser(t.app);
    const bad = await agent.post('/auth/login').set('Content-Type', 'application/json').set('x-csrf-token', await agent.csrf()).send('{"username":');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorCode, 'invalid_body');
  });

  it('does not let a spoofed X-Forwarded-For change the client IP when no proxy is trusted', async () => {
    const { user } = await signedInBrowser(t);
    const agent = browser(t.app);
    await agent.post('/auth/login').type('form').set('X-Forwarded-For', '203.0.113.9')
      .send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD }).expect(303);
    const after = await t.storage.getUser(user.user_id);
    assert.notEqual(after?.last_ip, '203.0.113.9');
    assert.match(after?.last_ip ?? '', /127\.0\.0\.1|::1/u);
  });
});
