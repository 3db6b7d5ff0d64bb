import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LogEvent } from '@gatehouse/core';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { api, mintToken, userPath } from '../support/management.js';
import { browser, startTestApp, type TestApp } from '../support/test-app.js';

type LogJson = { log_id: string; date: string; type: string; description: string; user_id: string | null; ip: string | null; details: Record<string, unknown> };

describe('management API: GET /logs and the audit trail', function () {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  before(async () => {
    t = await startTestApp();
    client = api(t, await mintToken(t));
  });
  after(async () => t.close());

  /** Events of one fresh user, dated minute 1..n of 2021-03-04 (UTC), with the given types. */
  async function seeded(types: string[]): Promise<{ userId: string; events: LogEvent[] }> {
    const userId = `auth0|seed${randomUUID().replace(/-/gu, '').slice(0, 20)}`;
    const events = types.map((type, i) => ({
      log_id: `log_${randomUUID()}`,
      date: new Date(Date.UTC(2021, 2, 4, 10, i + 1)),
      type,
      description: `seeded ${i}`,
      user_id: userId,
      ip: '198.51.100.1',
      details: { i },
    }));
    for (const e of events) await t.storage.appendLog(e);
    return { userId, events };
  }
  const q = (query: string) => `/logs?q=${encodeURIComponent(query)}`;

  describe('search', () => {
    it('filters by user_id, type (one or several) and a UTC date range, newest first by default', async () => {
      const { userId, events } = await seeded(['s', 'f', 'fp', 's', 'sapi']);
      const all = await client.get(q(`user_id:"${userId}"`)).expect(200);
      assert.deepEqual(all.body.map((l: LogJson) => l.log_id), [...events].reverse().map((e) => e.log_id));
      assert.deepEqual(Object.keys(all.body[0]).sort(), ['date', 'description', 'details', 'ip', 'log_id', 'type', 'user_id']);
      assert.equal(all.body[0].date, '2021-03-04T10:05:00.000Z');

      const logins = await client.get(q(`type:s AND user_id:"${userId}"`)).expect(200);
      assert.deepEqual(logins.body.map((l: LogJson) => l.description), ['seeded 3', 'seeded 0']);
      const failures = await client.get(q(`user_id:"${userId}" type:(f OR fp)`)).expect(200);
      assert.deepEqual(failures.body.map((l: LogJson) => l.type), ['fp', 'f']);
      const range = await client.get(q(`user_id:"${userId}" AND date:[2021-03-04T10:02:00Z TO 2021-03-04T10:04:00Z}`)).expect(200);
      assert.deepEqual(range.body.map((l: LogJson) => l.description), ['seeded 2', 'seeded 1']);
      const day = await client.get(q(`user_id:"${userId}" AND date:2021-03-04`)).expect(200);
      assert.equal(day.body.length, 5);
      const none = await client.get(q(`user_id:"${userId}" AND date:[2021-03-05 TO *]`)).expect(200);
      assert.deepEqual(none.body, []);
    });

    it('pages with page/per_page, include_totals and sort=date:1', async () => {
      const { userId, events } = await seeded(['s', 's', 's', 's', 's']);
      const res = await client.get(`${q(`user_id:"${userId}"`)}&page=1&per_page=2&include_totals=true&sort=date:1`).expect(200);
      assert.equal(res.body.start, 2);
      assert.equal(res.body.limit, 2);
      assert.equal(res.body.length, 2);
      assert.equal(res.body.total, 5);
      assert.deepEqual(res.body.logs.map((l: LogJson) => l.log_id), events.slice(2, 4).map((e) => e.log_id));
    });

    it('pages by checkpoint: from a log_id, take N, oldest first, until an empty page', async () => {
      const { userId, events } = await seeded(['s', 'f', 's', 'f', 's']);
      const seen: string[] = [];
      let from = '';
      for (let i = 0; i < 10; i++) {
        const page = await client.get(`${q(`user_id:"${userId}"`)}&from=${from}&take=2`).expect(200);
        if (page.body.length === 0) break;
        seen.push(...page.body.map((l: LogJson) => l.log_id));
        from = page.body.at(-1).log_id;
      }
      assert.deepEqual(seen, events.map((e) => e.log_id));
      const newestFirst = await client.get(`${q(`user_id:"${userId}"`)}&from=${events[3]!.log_id}&take=10&sort=date:-1`).expect(200);
      assert.deepEqual(newestFirst.body.map((l: LogJson) => l.log_id), events.slice(0, 3).reverse().map((e) => e.log_id));
    });

    it('gets one event by id (404 inexistent_log otherwise)', async () => {
      const { events } = await seeded(['sv']);
      const res = await client.get(`/logs/${events[0]!.log_id}`).expect(200);
      assert.equal(res.body.type, 'sv');
      const missing = await client.get(`/logs/log_${randomUUID()}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.errorCode, 'inexistent_log');
    });

    it('refuses bad queries and parameters with 400, never 500', async () => {
      for (const bad of ['email:x@example.com', 'type:(s OR', 'date:[2021-02-30 TO *]', 'type:s AND', 'type:s type:f', "user_id:\"x' OR 1=1 --\" OR"]) {
        const res = await client.get(q(bad));
        assert.equal(res.status, 400, bad);
        assert.equal(res.body.errorCode, 'invalid_query', bad);
      }
      for (const bad of ['sort=date:2', 'per_page=101', 'take=0', 'take=101', 'from=log_missing', 'from=&page=1', 'include_totals=yes']) {
        const res = await client.get(`/logs?${bad}`);
        assert.equal(res.status, 400, bad);
        assert.equal(res.body.errorCode, 'invalid_query_string', bad);
      }
      const injection = await client.get(q(`user_id:"auth0|x' OR '1'='1"`)).expect(200);
      assert.deepEqual(injection.body, [], 'values are data, never SQL');
    });

    it('needs read:logs (403 insufficient_scope otherwise, 401 without a token)', async () => {
      const weak = api(t, await mintToken(t, ['read:users']));
      assert.equal((await weak.get('/logs')).status, 403);
      assert.equal((await weak.get('/logs/anything')).status, 403);
      const anonymous = await browser(t.app).get('/api/v2/logs');
      assert.equal(anonymous.status, 401);
      assert.equal((await api(t, await mintToken(t, ['read:logs'])).get('/logs?per_page=1')).status, 200);
    });
  });

  describe('what is recorded', () => {
    const userLogs = async (userId: string) => (await client.get(userPath(userId, '/logs?per_page=100')).expect(200)).body as LogJson[];

    it('login success and failure with the reason, in UTC, with the client ip', async () => {
      const user = await createVerifiedUser(t);
      const agent = browser(t.app);
      await agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), username: user.email, password: 'wrong password here' }).expect(401);
      await t.auth.gatehouse.users.setBlocked(user.user_id, true, { actor: 'tok_test' });
      const blocked = browser(t.app);
      await blocked.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await blocked.csrf(), username: user.email, password: 'correct horse battery staple' }).expect(401);
      const logs = await userLogs(user.user_id);
      const wrong = logs.find((l) => l.type === 'fp')!;
      assert.ok(wrong, JSON.stringify(logs));
      assert.match(wrong.date, /Z$/u);
      assert.ok(wrong.ip);
      assert.equal(logs.find((l) => l.type === 'f')?.details.reason, 'blocked');
      assert.equal(logs.find((l) => l.description === 'User blocked')?.details.actor, 'tok_test');
    });

    it('metadata changes with the keys changed, never the values, and the actor', async () => {
      const user = await createVerifiedUser(t);
      await client.patch(userPath(user)).send({ user_metadata: { favourite_colour: 'secret-teal' }, app_metadata: { plan: 'gold', seats: 3 } }).expect(200);
      const update = (await userLogs(user.user_id)).find((l) => l.type === 'sapi')!;
      assert.deepEqual(update.details.user_metadata_keys, ['favourite_colour']);
      assert.deepEqual(update.details.app_metadata_keys, ['plan', 'seats']);
      assert.match(String(update.details.actor), /^tok_/u);
      assert.ok(!JSON.stringify(update).includes('secret-teal'));
      await client.patch(userPath(user)).send({ blocked: true }).expect(200);
      await client.patch(userPath(user)).send({ blocked: false }).expect(200);
      const descriptions = (await userLogs(user.user_id)).map((l) => l.description);
      assert.deepEqual(descriptions.slice(0, 2), ['User unblocked', 'User blocked']);
    });

    it('role and permission changes, with the actor', async () => {
      const user = await createVerifiedUser(t);
      const role = (await client.post('/roles').send({ name: `audit-${Date.now()}` }).expect(200)).body as { id: string };
      await client.post(userPath(user, '/roles')).send({ roles: [role.id] }).expect(204);
      await client.delete(userPath(user, '/roles')).send({ roles: [role.id] }).expect(204);
      await client.post(userPath(user, '/permissions')).send({ permissions: [{ resource_server_identifier: 'https://api.example.com/', permission_name: 'read:x' }] }).expect(201);
      const logs = await userLogs(user.user_id);
      for (const description of ['Roles assigned', 'Roles removed', 'Permissions granted']) {
        const entry = logs.find((l) => l.description === description);
        assert.ok(entry, description);
        assert.match(String(entry.details.actor), /^tok_/u);
      }
      assert.deepEqual(logs.find((l) => l.description === 'Roles assigned')!.details.roles, [role.id]);
      const created = await client.get(q(`type:sapi AND date:[${new Date(Date.now() - 60_000).toISOString()} TO *]`)).expect(200);
      assert.ok(created.body.some((l: LogJson) => l.description === 'Role created' && l.details.role === role.id));
    });

    it('signup and password change, from the hosted pages', async () => {
      const { agent, user } = await signedInBrowser(t);
      await agent.post('/auth/me/password').set('x-csrf-token', await agent.csrf()).send({ current_password: 'correct horse battery staple', new_password: 'another fine passphrase' }).expect(204);
      const types = (await userLogs(user.user_id)).map((l) => l.type);
      assert.deepEqual(types, ['scp', 's', 'ss']);
    });

    it('encodes values against log injection: CR, LF and other control characters become \\u escapes', async () => {
      const agent = browser(t.app);
      // (A NUL is left out: it is refused before any log is written, elsewhere.)
      const forged = 'nobody@example.com\r\n2024-01-01 admin login ok\u2028\u001b[31m!';
      await agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), username: forged, password: 'whatever it is' });
      const res = await client.get(`${q('type:fu')}&per_page=20`).expect(200);
      const entry = (res.body as LogJson[]).find((l) => String(l.details.identifier ?? '').startsWith('nobody@example.com'));
      assert.ok(entry, 'the failed login is logged');
      const identifier = String(entry.details.identifier);
      assert.ok(!/[\u0000-\u001f\u007f]/u.test(identifier), identifier);
      assert.equal(identifier, 'nobody@example.com\\u000d\\u000a2024-01-01 admin login ok\\u2028\\u001b[31m!');
    });
  });

  describe('retention', () => {
    it('the periodic sweep deletes events older than logs.retentionDays, and only those', async () => {
      const r = await startTestApp({ logs: { retentionDays: 30 }, session: { sweepIntervalMs: 25 } });
      try {
        const day = 86_400_000;
        const old = { log_id: `log_${randomUUID()}`, date: new Date(Date.now() - 31 * day), type: 's', description: 'old', user_id: null, ip: null, details: {} };
        const recent = { ...old, log_id: `log_${randomUUID()}`, date: new Date(Date.now() - 29 * day), description: 'recent' };
        await r.storage.appendLog(old);
        await r.storage.appendLog(recent);
        for (let i = 0; i < 400 && (await r.storage.getLog(old.log_id)); i++) await new Promise((resolve) => setTimeout(resolve, 25));
        assert.equal(await r.storage.getLog(old.log_id), null, 'the old event is gone');
        assert.ok(await r.storage.getLog(recent.log_id), 'the recent one stays');
      } finally {
        await r.close();
      }
    });

    it('refuses a retention that is not a positive number of days', async () => {
      const { identity } = await import('@gatehouse/express');
      for (const retentionDays of [0, -1, 1.5, '30']) {
        assert.throws(() => identity({ logs: { retentionDays: retentionDays as number }, logger: { info() {}, warn() {}, error() {} } }), TypeError);
      }
    });
  });
});
