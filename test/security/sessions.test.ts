import assert from 'node:assert/strict';
import supertest from 'supertest';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

/** Every Set-Cookie line of a response. */
const setCookies = (res: { headers: Record<string, unknown> }): string[] => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);

/**
 * SECURITY.md, Sessions: what the other files do not already hold (fixation at login and logout:
 * test/integration/signup-login.test.ts; other sessions ended by a password change, a block or a
 * deletion: test/security/passwords.test.ts, test/management/users.test.ts, test/security/gdpr.test.ts).
 * Here: the production cookie as it goes on the wire, and sensitive self-service changes on an
 * old sign-in.
 */
describe('security: sessions', function () {
  describe('the cookie in production', () => {
    let t: TestApp;
    let saved: string | undefined;
    before(async () => {
      saved = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        t = await startTestApp({ baseUrl: 'https://id.example.com', trustProxy: 'loopback' });
      } finally {
        if (saved === undefined) delete process.env.NODE_ENV;
        else process.env.NODE_ENV = saved;
      }
    });
    after(async () => t.close());

    /** A request as it arrives from a TLS-terminating proxy on the loopback. */
    const overHttps = <T extends { set(name: string, value: string): T }>(req: T): T => req.set('X-Forwarded-Proto', 'https');

    it('is __Host-gatehouse.sid: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, before and after sign-in', async () => {
      const user = await createVerifiedUser(t);
      const first = await overHttps(supertest(t.app).get('/auth/csrf-token')).expect(200);
      const [anonymous] = setCookies(first);
      assert.ok(anonymous, 'a session cookie for the CSRF token');
      const check = (cookie: string) => {
        assert.match(cookie, /^__Host-gatehouse\.sid=/u);
        const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
        assert.ok(attributes.includes('secure'), cookie);
        assert.ok(attributes.includes('httponly'), cookie);
        assert.ok(attributes.includes('samesite=lax'), cookie);
        assert.ok(attributes.includes('path=/'), cookie);
        assert.ok(!attributes.some((a) => a.startsWith('domain=')), `a __Host- cookie has no Domain: ${cookie}`);
      };
      check(anonymous);
      const login = await overHttps(supertest(t.app).post('/auth/login'))
        .set('Cookie', anonymous.split(';')[0]!)
        .set('x-csrf-token', (first.body as { csrfToken: string }).csrfToken)
        .set('Accept', 'application/json')
        .send({ username: user.email, password: STRONG_PASSWORD });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const [signedIn] = setCookies(login);
      assert.ok(signedIn, 'a new session id at sign-in');
      check(signedIn);
      assert.notEqual(signedIn.split(';')[0], anonymous.split(';')[0]);
      const me = await overHttps(supertest(t.app).get('/auth/me')).set('Cookie', signedIn.split(';')[0]!).expect(200);
      assert.equal(me.body.user_id, user.user_id);
    });

    it('is never sent over plain HTTP', async () => {
      const res = await supertest(t.app).get('/auth/csrf-token').expect(200);
      assert.deepEqual(setCookies(res), []);
    });
  });

  describe('sensitive self-service changes on an old sign-in', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp();
    });
    after(async () => t.close());

    /** Moves the session's sign-in `ms` into the past (the stored session, as the clock of this test). */
    async function age(userId: string, ms: number) {
      const [session] = await t.storage.listUserSessions(userId, new Date());
      const data = JSON.parse(session!.data) as { authTime: number };
      data.authTime -= ms;
      await t.storage.setSession(session!.sid, { data: JSON.stringify(data), expires_at: session!.expires_at, user_id: userId });
    }

    it('needs the current password to change the password, refuses the email outright, and needs a recent sign-in to delete', async () => {
      const { agent, user } = await signedInBrowser(t);
      await age(user.user_id, 11 * 60_000);
      const csrf = await agent.csrf();
      const hash = await t.storage.getPasswordHash(user.user_id);

      const email = await agent.patch('/auth/me').set('x-csrf-token', csrf).send({ email: 'new-address@example.com' });
      assert.equal(email.status, 400);
      assert.equal(email.body.errorCode, 'field_not_allowed');
      const noProof = await agent.post('/auth/me/password').set('x-csrf-token', csrf).send({ new_password: 'a brand new passphrase 42' });
      assert.equal(noProof.status, 400);
      const wrong = await agent.post('/auth/me/password').set('x-csrf-token', csrf).send({ current_password: 'not the password at all', new_password: 'a brand new passphrase 42' });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.errorCode, 'invalid_current_password');
      const remove = await agent.delete('/auth/me').set('x-csrf-token', csrf);
      assert.equal(remove.status, 403);
      assert.equal(remove.body.errorCode, 'reauthentication_required');
      assert.equal(await t.storage.getPasswordHash(user.user_id), hash, 'the password is unchanged');
      assert.equal((await t.storage.getUser(user.user_id))?.email, user.email, 'the email is unchanged');

      // Proving the password again is a fresh sign-in: the change goes through, and so does a deletion after it.
      await agent.post('/auth/me/password').set('x-csrf-token', csrf).send({ current_password: STRONG_PASSWORD, new_password: 'a brand new passphrase 42' }).expect(204);
      assert.notEqual(await t.storage.getPasswordHash(user.user_id), hash);
      await agent.delete('/auth/me').set('x-csrf-token', csrf).expect(204);
      assert.equal(await t.storage.getUser(user.user_id), null);
    });
  });
});
