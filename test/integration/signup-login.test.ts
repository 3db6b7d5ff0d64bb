import assert from 'node:assert/strict';
import { browser, sessionCookie, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';
import { MailCatcher } from '../support/mail-catcher.js';

/** The hidden CSRF field of a hosted page. */
function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/u.exec(html);
  assert.ok(match, 'page has a CSRF field');
  return match[1]!;
}

describe('hosted pages: signup, verification, login, logout', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('walks a new user through signup, email verification, login, the protected page and logout', async () => {
    const email = uniqueEmail('walk');
    const agent = browser(t.app);

    const signupPage = await agent.get('/auth/signup').expect(200).expect('content-type', /html/);
    assert.equal(signupPage.headers['cache-control'], 'no-store');
    const signup = await agent.post('/auth/signup').type('form')
      .send({ _csrf: csrfOf(signupPage.text), email: email.toUpperCase(), password: STRONG_PASSWORD })
      .expect(201);
    assert.match(signup.text, /Check your inbox/u);

    // Not verified yet: the right password does not sign in.
    let loginPage = await agent.get('/auth/login').expect(200);
    const early = await agent.post('/auth/login').type('form')
      .send({ _csrf: csrfOf(loginPage.text), username: email, password: STRONG_PASSWORD }).expect(401);
    assert.match(early.text, /verify your email/u);
    await agent.get('/private').expect(401);

    const mail = await t.mail.waitFor(email, /Verify your email/u);
    const link = MailCatcher.link(mail);
    assert.equal(link.pathname, '/auth/verify-email');
    // A GET (a mail scanner) only shows a button and does not use the token.
    const confirm = await agent.get(link.pathname + link.search).expect(200);
    const stored = await t.storage.findUserByEmail('Username-Password-Authentication', email);
    assert.equal(stored?.email_verified, false);
    await agent.post('/auth/verify-email').type('form')
      .send({ _csrf: csrfOf(confirm.text), token: link.searchParams.get('token') }).expect(200);
    assert.equal((await t.storage.getUser(stored!.user_id))?.email_verified, true);
    // The token is single-use.
    const again = await agent.post('/auth/verify-email').type('form')
      .send({ _csrf: csrfOf(confirm.text), token: link.searchParams.get('token') }).expect(400);
    assert.match(again.text, /invalid or has expired/u);

    loginPage = await agent.get('/auth/login?returnTo=%2Fprivate').expect(200);
    const before = agent.jar.getCookie('gatehouse.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })?.value;
    const login = await agent.post('/auth/login').type('form')
      .send({ _csrf: csrfOf(loginPage.text), username: email, password: STRONG_PASSWORD, returnTo: '/private' }).expect(303);
    assert.equal(login.headers.location, '/private');
    const after = sessionCookie(login);
    assert.ok(after && before && after !== before, 'the session id changes at login');
    const me = await agent.get('/auth/me').expect(200);
    assert.equal(me.body.email, email);
    assert.equal(me.body.logins_count, 1);
    assert.equal((await agent.get('/private').expect(200)).body.user_id, stored!.user_id);

    const logout = await agent.post('/auth/logout').type('form').send({ _csrf: await agent.csrf() }).expect(303);
    assert.equal(logout.headers.location, '/');
    await agent.get('/auth/me').set('Accept', 'application/json').expect(401);
  });

  it('kills the old session id at login and at logout', async () => {
    const email = uniqueEmail('fixation');
    await t.auth.gatehouse.users.createUser({ email, password: STRONG_PASSWORD, email_verified: true });
    const agent = browser(t.app);
    const page = await agent.get('/auth/login').expect(200);
    const anonymousSid = sessionCookie(page)!;
    const login = await agent.post('/auth/login').type('form').send({ _csrf: csrfOf(page.text), username: email, password: STRONG_PASSWORD }).expect(303);
    const userSid = sessionCookie(login)!;

    // Replaying the pre-login cookie gives no session.
    await browser(t.app).get('/private').set('Cookie', `gatehouse.sid=${anonymousSid}`).expect(401);
    await browser(t.app).get('/private').set('Cookie', `gatehouse.sid=${userSid}`).expect(200);
    await agent.post('/auth/logout').type('form').send({ _csrf: await agent.csrf() }).expect(303);
    await browser(t.app).get('/private').set('Cookie', `gatehouse.sid=${userSid}`).expect(401);
  });

  it('sets HttpOnly, SameSite=Lax session cookies', async () => {
    const res = await browser(t.app).get('/auth/login').expect(200);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('gatehouse.sid='));
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/u);
    assert.match(cookie, /SameSite=Lax/u);
  });

  it('answers a signup with a taken address exactly like a new one, and tells the owner by email', async () => {
    const email = uniqueEmail('taken');
    await t.auth.gatehouse.users.createUser({ email, password: STRONG_PASSWORD, email_verified: true });
    const agent = browser(t.app);
    const taken = await agent.post('/auth/signup').type('form')
      .send({ _csrf: await agent.csrf(), email, password: 'another long password' }).expect(201);
    const fresh = await agent.post('/auth/signup').type('form')
      .send({ _csrf: await agent.csrf(), email: uniqueEmail('fresh'), password: 'another long password' }).expect(201);
    assert.equal(taken.text.replace(/name="csrf-token" content="[^"]+"/u, ''), fresh.text.replace(/name="csrf-token" content="[^"]+"/u, ''));
    const mail = await t.mail.waitFor(email, /Your .* account/u);
    assert.match(mail.text, /already have one/u);
    // The existing password still works, the attempted one does not.
    const users = t.auth.gatehouse.users;
    await users.authenticate(email, STRONG_PASSWORD);
    await assert.rejects(users.authenticate(email, 'another long password'), { code: 'invalid_credentials' });
  });

  it('resets a forgotten password by emailed link, ending every session', async () => {
    const email = uniqueEmail('reset');
    await t.auth.gatehouse.users.createUser({ email, password: STRONG_PASSWORD, email_verified: true });
    const signedIn = browser(t.app);
    await signedIn.post('/auth/login').type('form').send({ _csrf: await signedIn.csrf(), username: email, password: STRONG_PASSWORD }).expect(303);
    await signedIn.get('/private').expect(200);

    const agent = browser(t.app);
    const known = await agent.post('/auth/password/forgot').type('form').send({ _csrf: await agent.csrf(), email }).expect(200);
    const unknown = await agent.post('/auth/password/forgot').type('form').send({ _csrf: await agent.csrf(), email: uniqueEmail('nobody') }).expect(200);
    const strip = (s: string) => s.replace(/name="csrf-token" content="[^"]+"/u, '');
    assert.equal(strip(known.text), strip(unknown.text));

    const link = MailCatcher.link(await t.mail.waitFor(email, /Reset your/u));
    const form = await agent.get(link.pathname + link.search).expect(200);
    const token = link.searchParams.get('token')!;
    // A too-short password is refused without using up the link.
    await agent.post('/auth/password/reset').type('form').send({ _csrf: csrfOf(form.text), token, password: 'short' }).expect(400);
    await agent.post('/auth/password/reset').type('form').send({ _csrf: csrfOf(form.text), token, password: 'a brand new passphrase' }).expect(200);
    await agent.post('/auth/password/reset').type('form').send({ _csrf: csrfOf(form.text), token, password: 'yet another passphrase' }).expect(400);

    await signedIn.get('/private').expect(401);
    const users = t.auth.gatehouse.users;
    await assert.rejects(users.authenticate(email, STRONG_PASSWORD), { code: 'invalid_credentials' });
    await users.authenticate(email, 'a brand new passphrase');
  });

  it('serves the hosted pages without any script, with labelled fields', async () => {
    for (const path of ['/auth/login', '/auth/signup', '/auth/password/forgot', '/auth/logout']) {
      const res = await browser(t.app).get(path).expect(200);
      assert.doesNotMatch(res.text, /<script/u, `${path} has no script`);
      for (const [, id] of res.text.matchAll(/<input id="([^"]+)"/gu)) {
        assert.match(res.text, new RegExp(`<label for="${id}">`, 'u'), `${path}: #${id} has a label`);
      }
      assert.ok(res.headers['content-security-policy'], `${path} has a CSP`);
    }
  });
});
