import assert from 'node:assert/strict';
import { signedInBrowser } from '../support/accounts.js';
import { browser, startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

describe('security: CSRF and cross-site requests', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('refuses a login POST without the CSRF token, and signs nobody in', async () => {
    const { user } = await signedInBrowser(t);
    const agent = browser(t.app);
    await agent.get('/auth/login').expect(200);
    const res = await agent.post('/auth/login').send({ username: user.email, password: STRONG_PASSWORD }).expect(403);
    assert.equal(res.body.errorCode, 'invalid_csrf_token');
    const form = await agent.post('/auth/login').type('form').send({ username: user.email, password: STRONG_PASSWORD }).expect(403);
    assert.match(form.text, /The form expired or came from another site/u);
    assert.equal(res.body.errorCode, 'invalid_csrf_token');
    await agent.get('/private').expect(401);
  });

  it('refuses a self-service change with a wrong token or a foreign Origin; the user is unchanged', async () => {
    const { agent, user } = await signedInBrowser(t);
    const bad = await agent.patch('/auth/me').set('x-csrf-token', 'forged').send({ name: 'Mallory' }).expect(403);
    assert.equal(bad.body.errorCode, 'invalid_csrf_token');
    const token = await agent.csrf();
    const foreign = await agent.patch('/auth/me').set('x-csrf-token', token).set('Origin', 'https://evil.example').send({ name: 'Mallory' }).expect(403);
    assert.equal(foreign.body.errorCode, 'invalid_origin');
    const site = await agent.patch('/auth/me').set('x-csrf-token', token).set('Sec-Fetch-Site', 'cross-site').send({ name: 'Mallory' }).expect(403);
    assert.equal(site.body.errorCode, 'invalid_origin');
    const nullOrigin = await agent.patch('/auth/me').set('x-csrf-token', token).set('Origin', 'null').send({ name: 'Mallory' }).expect(403);
    assert.equal(nullOrigin.body.errorCode, 'invalid_origin');
    assert.equal((await t.storage.getUser(user.user_id))?.name, user.name);
    // The same request from this origin goes through, also as "null" from a no-referrer page of this site.
    await agent.patch('/auth/me').set('x-csrf-token', token).set('Origin', 'http://127.0.0.1').send({ name: 'Alice' }).expect(200);
    assert.equal((await t.storage.getUser(user.user_id))?.name, 'Alice');
    await agent.patch('/auth/me').set('x-csrf-token', token).set('Origin', 'null').set('Sec-Fetch-Site', 'same-origin').send({ name: 'Ada' }).expect(200);
    assert.equal((await t.storage.getUser(user.user_id))?.name, 'Ada');
  });

  it('never signs out or changes anything on GET', async () => {
    const { agent } = await signedInBrowser(t);
    await agent.get('/auth/logout').expect(200);
    await agent.get('/auth/verify-email?token=whatever').expect(200);
    await agent.get('/auth/password/reset?token=whatever').expect(200);
    await agent.get('/private').expect(200);
  });

  it('refuses a logout POST without the token', async () => {
    const { agent } = await signedInBrowser(t);
    await agent.post('/auth/logout').type('form').send({}).expect(403);
    await agent.get('/private').expect(200);
  });
});
