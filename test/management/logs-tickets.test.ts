import assert from 'node:assert/strict';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { api, mintToken, userPath } from '../support/management.js';
import { browser, startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

describe('management API: logs and tickets', function () {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  before(async () => {
    t = await startTestApp({ allowedOrigins: ['https://app.example.com'] });
    client = api(t, await mintToken(t));
  });
  after(async () => t.close());

  describe('GET /users/{id}/logs', () => {
    it("lists the user's events newest first in Auth0's shape, paged with totals", async () => {
      const { user } = await signedInBrowser(t);
      await client.patch(userPath(user)).send({ name: 'Renamed' }).expect(200);
      const all = await client.get(userPath(user, '/logs')).expect(200);
      assert.ok(Array.isArray(all.body));
      assert.deepEqual(all.body.map((l: { type: string }) => l.type), ['sapi', 's', 'ss']);
      const [update] = all.body;
      assert.deepEqual(Object.keys(update).sort(), ['date', 'description', 'details', 'ip', 'log_id', 'type', 'user_id']);
      assert.equal(update.user_id, user.user_id);
      assert.match(update.date, /^\d{4}-\d\d-\d\dT/u);
      assert.match(String(update.details.actor), /^tok_/u);
      const paged = await client.get(userPath(user, '/logs?page=1&per_page=2&include_totals=true')).expect(200);
      assert.deepEqual({ ...paged.body, logs: paged.body.logs.map((l: { type: string }) => l.type) }, { start: 2, limit: 2, length: 1, total: 3, logs: ['ss'] });
      const sorted = await client.get(userPath(user, '/logs?sort=date:-1&per_page=1')).expect(200);
      assert.equal(sorted.body[0].type, 'sapi');
    });

    it('refuses per_page over 100, a negative or fractional page, and other sorts (400 invalid_query_string)', async () => {
      const user = await createVerifiedUser(t);
      for (const q of ['per_page=101', 'per_page=1000', 'page=-1', 'page=0.5', 'page=x', 'sort=date:1', 'include_totals=1']) {
        const res = await client.get(userPath(user, `/logs?${q}`));
        assert.equal(res.status, 400, q);
        assert.equal(res.body.errorCode, 'invalid_query_string');
      }
      assert.equal((await client.get(userPath(user, '/logs?per_page=100'))).status, 200);
    });

    it('lists nothing under an erased user\'s id: the events live on, anonymized, under a pseudonym', async () => {
      const user = await createVerifiedUser(t);
      const [signup] = (await client.get(userPath(user, '/logs')).expect(200)).body as { log_id: string }[];
      await client.delete(userPath(user)).expect(204);
      assert.deepEqual((await client.get(userPath(user, '/logs')).expect(200)).body, []);
      const pseudonym = (await client.get(`/logs/${signup!.log_id}`).expect(200)).body.user_id as string;
      assert.match(pseudonym, /^erased\|/u);
      const res = await client.get(userPath(pseudonym, '/logs')).expect(200);
      assert.deepEqual(res.body.map((l: { type: string }) => l.type), ['sdu', 'ss']);
    });
  });

  describe('POST /tickets/password-change', () => {
    async function redeem(ticket: string, password: string) {
      const url = new URL(ticket);
      const agent = browser(t.app);
      await agent.get(`${url.pathname}${url.search}`).expect(200);
      const csrf = await agent.csrf();
      return agent.post('/auth/password/reset').type('form').send({ _csrf: csrf, token: url.searchParams.get('token'), password });
    }

    it('issues a one-time reset link (201) by user_id; redeeming it sets the password and ends the sessions', async () => {
      const { agent, user } = await signedInBrowser(t);
      const res = await client.post('/tickets/password-change').send({ user_id: user.user_id, result_url: 'https://app.example.com/done' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.ticket, /^http:\/\/127\.0\.0\.1\/auth\/password\/reset\?token=[A-Za-z0-9_-]{43}$/u);
      // The ticket's result_url is where the browser goes once the password is set.
      const redeemed = await redeem(res.body.ticket, 'a ticket-made passphrase');
      assert.equal(redeemed.status, 303);
      assert.equal(redeemed.headers.location, 'https://app.example.com/done');
      await agent.get('/private').expect(401);
      const again = await redeem(res.body.ticket, 'yet another passphrase');
      assert.equal(again.status, 400);
      const login = browser(t.app);
      const csrf = await login.csrf();
      await login.post('/auth/login').type('form').send({ _csrf: csrf, username: user.email, password: 'a ticket-made passphrase' }).expect(303);
    });

    it('marks the email verified only with mark_email_as_verified', async () => {
      const plain = await t.auth.gatehouse.users.createUser({ email: `t-${Date.now()}-a@example.com`, password: STRONG_PASSWORD });
      const marked = await t.auth.gatehouse.users.createUser({ email: `t-${Date.now()}-b@example.com`, password: STRONG_PASSWORD });
      const a = await client.post('/tickets/password-change').send({ user_id: plain.user_id }).expect(201);
      const b = await client.post('/tickets/password-change').send({ email: marked.email, connection_id: 'Username-Password-Authentication', mark_email_as_verified: true }).expect(201);
      assert.ok((await redeem(a.body.ticket, 'first new passphrase')).ok);
      assert.ok((await redeem(b.body.ticket, 'second new passphrase')).ok);
      assert.equal((await t.storage.getUser(plain.user_id))?.email_verified, false);
      assert.equal((await t.storage.getUser(marked.user_id))?.email_verified, true);
    });

    it('expires the ticket after ttl_sec', async () => {
      const user = await createVerifiedUser(t);
      const res = await client.post('/tickets/password-change').send({ user_id: user.user_id, ttl_sec: 1 }).expect(201);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await redeem(res.body.ticket, 'too late passphrase')).status, 400);
    });

    for (const [label, body, field] of [
      ['a foreign result_url', { result_url: 'https://evil.example/phish' }, 'result_url'],
      ['a javascript: result_url', { result_url: 'javascript:alert(1)' }, 'result_url'],
      ['a protocol-relative result_url', { result_url: '//evil.example' }, 'result_url'],
      ['ttl_sec over 30 days', { ttl_sec: 30 * 86400 + 1 }, 'ttl_sec'],
      ['a negative ttl_sec', { ttl_sec: -1 }, 'ttl_sec'],
      ['an unknown connection', { connection_id: 'con_other' }, 'connection_id'],
      ['an unknown field', { admin: true }, 'admin'],
    ] as const) {
      it(`refuses ${label} (400)`, async () => {
        const user = await createVerifiedUser(t);
        const res = await client.post('/tickets/password-change').send({ user_id: user.user_id, ...body });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.errorCode, 'invalid_body');
        assert.equal(res.body.field, field);
      });
    }

    it('needs exactly one of user_id and email, and a known user', async () => {
      const user = await createVerifiedUser(t);
      assert.equal((await client.post('/tickets/password-change').send({})).status, 400);
      assert.equal((await client.post('/tickets/password-change').send({ user_id: user.user_id, email: user.email })).status, 400);
      const missing = await client.post('/tickets/password-change').send({ user_id: 'auth0|missing' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.errorCode, 'inexistent_user');
      assert.equal((await client.post('/tickets/password-change').send({ email: 'nobody-here@example.com' })).status, 404);
    });
  });
});
