import assert from 'node:assert/strict';
import { emailCode } from '@gatehouse/connection-passwordless';
import { identity, type IdentityOptions, type IdentityRouter } from '@gatehouse/express';
import express, { type Express } from 'express';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

/*
 * Terms-of-service consent (GDPR) through HTTP: asked at signup and recorded as a consent (version,
 * time, IP); asked again at the next login when the version changes, before anything else (the
 * host's own routes included); not asked again once accepted.
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('terms of service consent', function () {
  let t: TestApp;
  const v1 = { version: '2024-05', url: '/legal/terms-2024-05' };

  before(async () => {
    t = await startTestApp({ terms: v1, requireVerifiedEmail: false, connections: [emailCode({ name: 'email-code' })] });
    t.app.get('/', (req, res) => res.type('html').send(`home of ${req.user?.user_id ?? 'nobody'}`));
  });
  after(async () => t.close());

  /** A second instance of the app on the same database, with other options (a deploy with new terms). */
  async function instance(options: IdentityOptions): Promise<{ app: Express; auth: IdentityRouter }> {
    const app = express();
    const auth = identity({ database: t.storage, baseUrl: 'http://127.0.0.1', secret: 'test-secret-that-is-long-enough-0123456789', mail: { transport: t.mail.url }, logger: quiet, requireVerifiedEmail: false, ...options });
    app.use(auth);
    app.get('/private', (req, res) => (req.user ? res.json({ user_id: req.user.user_id }) : res.status(401).json({ anonymous: true })));
    await auth.ready;
    return { app, auth };
  }

  async function signup(app: Express, email: string, acceptTerms?: string) {
    const agent = browser(app);
    const res = await agent.post('/auth/signup').set('accept', 'application/json')
      .send({ _csrf: await agent.csrf(), email, password: STRONG_PASSWORD, ...(acceptTerms ? { acceptTerms } : {}) });
    return { agent, res };
  }

  async function login(app: Express, email: string) {
    const agent = browser(app);
    await agent.post('/auth/login').set('accept', 'application/json').send({ _csrf: await agent.csrf(), username: email, password: STRONG_PASSWORD }).expect(200);
    return agent;
  }

  it('asks for acceptance on the hosted signup page, with a link to the terms', async () => {
    const page = await browser(t.app).get('/auth/signup').expect(200);
    assert.match(page.text, /<input type="checkbox" name="acceptTerms" value="yes" required\s*>/u);
    assert.match(page.text, /<a href="\/legal\/terms-2024-05"[^>]*>terms of service<\/a>/u);
  });

  it('refuses a signup without acceptance: 400, no user', async () => {
    const email = uniqueEmail('terms-no');
    const { res } = await signup(t.app, email);
    assert.equal(res.status, 400);
    assert.equal(res.body.errorCode, 'invalid_body');
    assert.equal(res.body.field, 'acceptTerms');
    assert.deepEqual(await t.storage.listUsersByEmail(email), []);

    const agent = browser(t.app);
    const page = await agent.post('/auth/signup').type('form').send({ _csrf: await agent.csrf(), email, password: STRONG_PASSWORD }).expect(400);
    assert.match(page.text, /Accept the terms of service to create an account/u);
  });

  it('records the acceptance (version, time, IP) at signup and does not ask again', async () => {
    const email = uniqueEmail('terms-yes');
    const startedAt = Date.now();
    const { agent, res } = await signup(t.app, email, 'yes');
    assert.equal(res.status, 201);
    const [user] = await t.storage.listUsersByEmail(email);
    const consents = await t.storage.listUserConsents(user!.user_id);
    assert.equal(consents.length, 1);
    assert.equal(consents[0]!.purpose, 'terms_of_service');
    assert.equal(consents[0]!.version, '2024-05');
    assert.equal(consents[0]!.granted, true);
    assert.ok(consents[0]!.date.getTime() >= startedAt - 1000);
    assert.match(consents[0]!.ip ?? '', /127\.0\.0\.1/u);
    await agent.get('/private').expect(200);
    await (await login(t.app, email)).get('/private').expect(200);
  });

  it('asks again at login when the version changes: held away from every route until accepted', async () => {
    const email = uniqueEmail('terms-v2');
    await signup(t.app, email, 'yes');
    const v2 = await instance({ terms: { version: '2025-01', url: 'https://example.com/terms/2025' } });
    try {
      const agent = await login(v2.app, email);
      const api = await agent.get('/private').set('accept', 'application/json').expect(403);
      assert.equal(api.body.errorCode, 'terms_not_accepted');
      await agent.get('/auth/me').set('accept', 'application/json').expect(403);
      const redirect = await agent.get('/private?x=1').set('accept', 'text/html').expect(303);
      assert.equal(redirect.headers.location, '/auth/terms?returnTo=%2Fprivate%3Fx%3D1');

      const page = await agent.get('/auth/terms?returnTo=%2Fprivate%3Fx%3D1').set('accept', 'text/html').expect(200);
      assert.match(page.text, /href="https:\/\/example.com\/terms\/2025"/u);
      assert.match(page.text, /version 2025-01/u);
      const refused = await agent.post('/auth/terms').type('form').send({ _csrf: await agent.csrf(), returnTo: '/private?x=1' }).expect(400);
      assert.match(refused.text, /Accept the terms of service to continue/u);
      await agent.get('/private').set('accept', 'application/json').expect(403);

      const done = await agent.post('/auth/terms').type('form').send({ _csrf: await agent.csrf(), accept: 'yes', returnTo: '/private?x=1' }).expect(303);
      assert.equal(done.headers.location, '/private?x=1');
      await agent.get('/private').set('accept', 'application/json').expect(200);
      const [user] = await t.storage.listUsersByEmail(email);
      assert.deepEqual((await t.storage.listUserConsents(user!.user_id)).map((c) => [c.purpose, c.version, c.granted]), [
        ['terms_of_service', '2024-05', true],
        ['terms_of_service', '2025-01', true],
      ]);
      // Accepted once: the next login goes straight through.
      await (await login(v2.app, email)).get('/private').set('accept', 'application/json').expect(200);
    } finally {
      await v2.auth.close();
    }
  });

  it('asks again after a withdrawal', async () => {
    const email = uniqueEmail('terms-withdrawn');
    await signup(t.app, email, 'yes');
    const [user] = await t.storage.listUsersByEmail(email);
    await t.auth.gatehouse.users.recordConsent(user!.user_id, { purpose: 'terms_of_service', version: '2024-05', granted: false });
    const agent = await login(t.app, email);
    await agent.get('/private').set('accept', 'application/json').expect(403);
  });

  it('lets a held user sign out, and answers a JSON acceptance with JSON', async () => {
    const email = uniqueEmail('terms-json');
    await signup(t.app, email, 'yes');
    const v2 = await instance({ terms: { version: '2025-02', url: '/terms' } });
    try {
      const agent = await login(v2.app, email);
      const res = await agent.post('/auth/terms').send({ _csrf: await agent.csrf(), accept: true }).expect(200);
      assert.deepEqual(res.body, { accepted: true, version: '2025-02', returnTo: '/' });
      const other = await login(t.app, email);
      // Back on the old version's instance: its version is not the latest acceptance.
      await other.get('/private').set('accept', 'application/json').expect(403);
      await other.post('/auth/logout').set('accept', 'application/json').send({ _csrf: await other.csrf() }).expect((r) => assert.ok(r.status < 400, `logout answered ${r.status}`));
      await other.get('/private').set('accept', 'application/json').expect(401);
    } finally {
      await v2.auth.close();
    }
  });

  it('asks a user a connection creates at the first login', async () => {
    const email = uniqueEmail('terms-pwl');
    const agent = browser(t.app);
    await agent.post('/auth/email-code').set('accept', 'application/json').send({ _csrf: await agent.csrf(), email }).expect(200);
    const mail = await t.mail.waitFor(email, /sign-in code/u);
    const code = /^(\d{6})$/mu.exec(mail.text)![1]!;
    await agent.post('/auth/email-code/verify').set('accept', 'application/json').send({ _csrf: await agent.csrf(), code }).expect(200);
    const home = await agent.get('/').set('accept', 'text/html').expect(303);
    assert.equal(home.headers.location, '/auth/terms?returnTo=%2F');
    await agent.post('/auth/terms').type('form').send({ _csrf: await agent.csrf(), accept: 'on', returnTo: '/' }).expect(303);
    const after = await agent.get('/').set('accept', 'text/html').expect(200);
    assert.match(after.text, /home of email\|/u);
  });

  it('has no terms page and holds nobody without the option', async () => {
    const plain = await instance({});
    try {
      const email = uniqueEmail('terms-none');
      const { agent } = await signup(plain.app, email);
      await agent.get('/private').expect(200);
      await agent.get('/auth/terms').expect(404);
      const page = await browser(plain.app).get('/auth/signup').expect(200);
      assert.doesNotMatch(page.text, /acceptTerms/u);
    } finally {
      await plain.auth.close();
    }
  });

  it('refuses unusable terms options at start-up', () => {
    for (const terms of [{ version: 'has space', url: '/t' }, { version: '', url: '/t' }, { version: 'v1', url: 'javascript:alert(1)' }, { version: 'v1', url: '//evil.example' }, 'v1']) {
      assert.throws(() => identity({ database: t.storage, logger: quiet, terms: terms as never }), TypeError);
    }
  });
});
