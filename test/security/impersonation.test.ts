import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ADMIN_ROLE, MANAGEMENT_API, type LogEvent, type User } from '@gatehouse/core';
import { identity } from '@gatehouse/express';
import supertest from 'supertest';
import { createVerifiedUser } from '../support/accounts.js';
import { api, mintToken, userPath } from '../support/management.js';
import { browser, sessionCookie, startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const perm = (permission_name: string) => ({ resource_server_identifier: MANAGEMENT_API, permission_name });

/**
 * Impersonation (issue 8): only a signed-in holder of `impersonate:users` with a recent sign-in,
 * never of admins or of users with more permissions; a time-boxed session marked as impersonated
 * that cannot change credentials, the account or use the management API; stop returns to the
 * admin's own session; everything audited. Checked over HTTP with the database read afterwards.
 */
describe('security: impersonation', function () {
  let t: TestApp;
  let roleSeq = 0;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  /** A signed-in browser of a new user, with the session cookie value of its sign-in. */
  async function signIn(user: User) {
    const agent = browser(t.app);
    const csrf = await agent.csrf();
    const res = await agent.post('/auth/login').type('form').send({ _csrf: csrf, username: user.email, password: STRONG_PASSWORD }).expect(303);
    return { agent, user, cookie: sessionCookie(res)! };
  }

  async function admin() {
    const user = await createVerifiedUser(t);
    await t.storage.assignUserRoles(user.user_id, [ADMIN_ROLE.id]);
    return signIn(user);
  }

  /** A user with a role of exactly these management permissions. */
  async function holder(permissions: string[]) {
    const user = await createVerifiedUser(t);
    roleSeq += 1;
    const role = await t.storage.createRole({
      id: `rol_imp${Date.now().toString(16)}${roleSeq}${Math.random().toString(16).slice(2, 6)}`,
      name: `impersonation-${Date.now()}-${roleSeq}-${Math.random()}`,
      description: 'test',
      permissions: permissions.map(perm),
    });
    await t.storage.assignUserRoles(user.user_id, [role.id]);
    return signIn(user);
  }

  type Agent = Awaited<ReturnType<typeof signIn>>['agent'];

  async function impersonate(agent: Agent, target: User | string) {
    const csrf = await agent.csrf();
    return agent.post(`/api/v2${userPath(target, '/impersonate')}`).set('x-csrf-token', csrf).send({});
  }

  async function logsOf(userId: string, type: string): Promise<LogEvent[]> {
    return (await t.storage.listUserLogs(userId, 0, 100)).logs.filter((l) => l.type === type);
  }

  /** Rewrites one stored session's data (the clock of these tests: no waiting). */
  async function editSession(sid: string, edit: (data: Record<string, unknown>) => void) {
    const record = (await t.storage.getSession(sid, new Date()))!;
    const data = JSON.parse(record.data) as Record<string, unknown>;
    edit(data);
    await t.storage.setSession(sid, { ...record, data: JSON.stringify(data) });
  }

  async function sessionsOf(userId: string) {
    return (await t.storage.listUserSessions(userId, new Date())).map((s) => ({ sid: s.sid, data: JSON.parse(s.data) as Record<string, unknown> }));
  }

  /** express-session's signed cookie value for a session id (what only the server can make). */
  const signedCookie = (sid: string) => `gatehouse.sid=${encodeURIComponent(`s:${sid}.${createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/u, '')}`)}`;

  describe('start and stop', () => {
    it('switches to a time-boxed, marked session under a new id and back to the admin\'s own session', async () => {
      const a = await admin();
      const target = await createVerifiedUser(t);
      const [own] = await sessionsOf(a.user.user_id);
      const before = Date.now();

      const res = await impersonate(a.agent, target);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user_id, target.user_id);
      assert.deepEqual(res.body.impersonator, { user_id: a.user.user_id, email: a.user.email });
      const expires = Date.parse(res.body.expires_at);
      assert.ok(expires >= before + 15 * 60_000 && expires <= Date.now() + 15 * 60_000, 'the default time box is 15 minutes');
      const newCookie = sessionCookie(res);
      assert.ok(newCookie && newCookie !== a.cookie, 'a new session id');

      // The admin's old id is dead; their session is parked under an id no browser has.
      assert.equal(await t.storage.getSession(own!.sid, new Date()), null);
      assert.equal((await supertest(t.app).get('/auth/me').set('Cookie', `gatehouse.sid=${a.cookie}`).set('Accept', 'application/json')).status, 401);
      const parked = await sessionsOf(a.user.user_id);
      assert.equal(parked.length, 1);
      assert.equal(parked[0]!.data.parked, true);
      const impersonated = await sessionsOf(target.user_id);
      assert.equal(impersonated.length, 1);
      const state = impersonated[0]!.data.impersonation as { impersonator: { user_id: string }; parkedSid: string };
      assert.equal(state.impersonator.user_id, a.user.user_id);
      assert.equal(state.parkedSid, parked[0]!.sid);
      assert.equal(impersonated[0]!.data.authTime, undefined, 'no recent sign-in is claimed for the target');

      const me = await a.agent.get('/auth/me').expect(200);
      assert.equal(me.body.user_id, target.user_id);
      assert.deepEqual(me.body.impersonator, { user_id: a.user.user_id, email: a.user.email });
      assert.equal((await a.agent.get('/private').expect(200)).body.user_id, target.user_id);

      const page = await a.agent.get('/auth/account').set('Accept', 'text/html').expect(200);
      assert.match(page.text, /class="impersonation" role="status"/u);
      assert.match(page.text, /<form method="post" action="\/auth\/impersonation\/stop"><input type="hidden" name="_csrf" value="[^"]+"><button type="submit">Stop impersonating<\/button>/u);
      assert.ok(page.text.includes(target.email!) && page.text.includes(a.user.email!));

      const [started] = await logsOf(target.user_id, 'impersonation_start');
      assert.equal(started?.details.actor, a.user.user_id);

      const csrf = await a.agent.csrf();
      const stop = await a.agent.post('/auth/impersonation/stop').set('x-csrf-token', csrf).send({});
      assert.equal(stop.status, 200, JSON.stringify(stop.body));
      assert.deepEqual(stop.body, { user_id: a.user.user_id });
      const restoredCookie = sessionCookie(stop);
      assert.ok(restoredCookie && restoredCookie !== newCookie, 'a new id again');
      const back = await a.agent.get('/auth/me').expect(200);
      assert.equal(back.body.user_id, a.user.user_id);
      assert.equal(back.body.impersonator, undefined);
      assert.deepEqual(await sessionsOf(target.user_id), [], 'the impersonated session is gone');
      const mine = await sessionsOf(a.user.user_id);
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.data.parked, undefined);
      assert.equal(mine[0]!.data.authTime, own!.data.authTime, 'the admin\'s own sign-in, without signing in again');
      assert.equal((await supertest(t.app).get('/auth/me').set('Cookie', `gatehouse.sid=${newCookie}`).set('Accept', 'application/json')).status, 401);
      await a.agent.get(`/api/v2${userPath(target)}`).expect(200);
      const [ended] = await logsOf(target.user_id, 'impersonation_stop');
      assert.equal(ended?.details.actor, a.user.user_id);
      assert.equal(ended?.details.reason, 'stopped');
    });

    it('stops from the banner\'s form (no JavaScript) back to returnTo', async () => {
      const a = await admin();
      const target = await createVerifiedUser(t);
      assert.equal((await impersonate(a.agent, target)).status, 200);
      const csrf = await a.agent.csrf();
      const res = await a.agent.post('/auth/impersonation/stop').type('form').set('Accept', 'text/html').send({ _csrf: csrf, returnTo: '/private' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/private');
      assert.equal((await a.agent.get('/private').expect(200)).body.user_id, a.user.user_id);
    });

    it('is a 409 not_impersonating outside an impersonation, and needs the CSRF token', async () => {
      const a = await admin();
      const csrf = await a.agent.csrf();
      const res = await a.agent.post('/auth/impersonation/stop').set('x-csrf-token', csrf).send({});
      assert.equal(res.status, 409);
      assert.equal(res.body.errorCode, 'not_impersonating');
      const target = await createVerifiedUser(t);
      assert.equal((await impersonate(a.agent, target)).status, 200);
      const noCsrf = await a.agent.post('/auth/impersonation/stop').send({});
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.body.errorCode, 'invalid_csrf_token');
      assert.equal((await a.agent.get('/auth/me').expect(200)).body.user_id, target.user_id);
    });

    it('honours impersonation.ttlMs', async () => {
      const short = await startTestApp({ impersonation: { ttlMs: 60_000 } });
      try {
        const user = await createVerifiedUser(short);
        await short.storage.assignUserRoles(user.user_id, [ADMIN_ROLE.id]);
        const agent = browser(short.app);
        await agent.post('/auth/login').type('form').send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD }).expect(303);
        const target = await createVerifiedUser(short);
        const before = Date.now();
        const res = await agent.post(`/api/v2${userPath(target, '/impersonate')}`).set('x-csrf-token', await agent.csrf()).send({});
        assert.equal(res.status, 200);
        const expires = Date.parse(res.body.expires_at);
        assert.ok(expires >= before + 60_000 && expires <= Date.now() + 60_000);
      } finally {
        await short.close();
      }
      const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
      assert.throws(() => identity({ database: t.storage, secret: SECRET, logger: quiet, impersonation: { ttlMs: -1 } }), /impersonation\.ttlMs/u);
    });
  });

  describe('who may impersonate whom', () => {
    async function assertNothingStarted(a: Awaited<ReturnType<typeof signIn>>, target: User) {
      assert.equal((await a.agent.get('/auth/me').expect(200)).body.user_id, a.user.user_id, 'still the caller');
      const sessions = await sessionsOf(target.user_id);
      assert.ok(sessions.every((x) => x.data.impersonation === undefined && x.data.parked === undefined), 'no impersonated or parked session');
      assert.equal((await logsOf(target.user_id, 'impersonation_start')).length, 0);
    }

    it('needs the impersonate:users permission, not the admin role', async () => {
      const target = await createVerifiedUser(t);
      const plain = await holder(['read:users']);
      const res = await impersonate(plain.agent, target);
      assert.equal(res.status, 403);
      assert.equal(res.body.errorCode, 'insufficient_scope');
      await assertNothingStarted(plain, target);

      const support = await holder(['impersonate:users', 'read:users']);
      const ok = await impersonate(support.agent, target);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    it('never impersonates an admin, oneself, a blocked user, or a user with a permission the caller lacks', async () => {
      const support = await holder(['impersonate:users', 'read:users']);
      const anAdmin = await createVerifiedUser(t);
      await t.storage.assignUserRoles(anAdmin.user_id, [ADMIN_ROLE.id]);
      const stronger = await createVerifiedUser(t);
      await t.storage.addUserPermissions(stronger.user_id, [perm('delete:users')]);
      const otherApi = await createVerifiedUser(t);
      await t.storage.addUserPermissions(otherApi.user_id, [{ resource_server_identifier: 'https://api.example.com/', permission_name: 'read:orders' }]);
      const blocked = await createVerifiedUser(t);
      await t.auth.gatehouse.users.setBlocked(blocked.user_id, true);

      for (const target of [anAdmin, stronger, otherApi, blocked, support.user]) {
        const res = await impersonate(support.agent, target);
        assert.equal(res.status, 403, `${target.email}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.errorCode, 'impersonation_forbidden');
        await assertNothingStarted(support, target);
        const [refused] = await logsOf(target.user_id, 'impersonation_refused');
        assert.equal(refused?.details.actor, support.user.user_id, 'audited with actor and target');
      }
      // An admin cannot impersonate another admin either.
      const a = await admin();
      const res = await impersonate(a.agent, anAdmin);
      assert.equal(res.body.errorCode, 'impersonation_forbidden');
      assert.equal((await impersonate(a.agent, 'auth0|000000000000000000000000')).status, 404);
    });

    it('refuses API tokens (a person must be at the keyboard), even with every scope', async () => {
      const target = await createVerifiedUser(t);
      const res = await api(t, await mintToken(t)).post(userPath(target, '/impersonate')).send({});
      assert.equal(res.status, 403);
      assert.equal(res.body.errorCode, 'impersonation_forbidden');
      assert.equal(sessionCookie(res), undefined);
      assert.deepEqual(await sessionsOf(target.user_id), []);
      const logs = await t.storage.listLogs({ types: ['impersonation_refused'], sort: -1, page: 0, perPage: 50, includeTotals: false });
      assert.ok(logs.logs.some((l) => l.details.reason === 'api_token' && String(l.details.actor).startsWith('tok_')));
    });

    it('needs a recent sign-in and the CSRF token', async () => {
      const a = await admin();
      const target = await createVerifiedUser(t);
      const noCsrf = await a.agent.post(`/api/v2${userPath(target, '/impersonate')}`).send({});
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.body.errorCode, 'invalid_csrf_token');
      const [own] = await sessionsOf(a.user.user_id);
      await editSession(own!.sid, (data) => {
        data.authTime = Date.now() - 11 * 60_000;
      });
      const stale = await impersonate(a.agent, target);
      assert.equal(stale.status, 403);
      assert.equal(stale.body.errorCode, 'reauthentication_required');
      await assertNothingStarted(a, target);
    });
  });

  describe('inside an impersonated session', () => {
    async function impersonating() {
      const a = await admin();
      const target = await createVerifiedUser(t);
      assert.equal((await impersonate(a.agent, target)).status, 200);
      const csrf = await a.agent.csrf();
      return { ...a, target, csrf };
    }

    it('cannot change the password, email or profile, delete the account or export its data; nothing is written; each refusal is audited', async () => {
      const s = await impersonating();
      const stored = async () => ({ user: await t.storage.getUser(s.target.user_id), hash: await t.storage.getPasswordHash(s.target.user_id) });
      const before = await stored();
      const change = { current_password: STRONG_PASSWORD, new_password: 'another long enough passphrase 42' };
      const attempts: Array<[string, () => PromiseLike<{ status: number; body: { errorCode?: string }; text: string }>]> = [
        ['password change', () => s.agent.post('/auth/me/password').set('x-csrf-token', s.csrf).send(change)],
        ['password change, other spelling', () => s.agent.post('/AUTH/ME/PASSWORD/').set('x-csrf-token', s.csrf).send(change)],
        ['profile change', () => s.agent.patch('/auth/me').set('x-csrf-token', s.csrf).send({ name: 'Changed by the admin' })],
        ['email change', () => s.agent.patch('/auth/me').set('x-csrf-token', s.csrf).send({ email: 'attacker@example.com' })],
        ['account deletion', () => s.agent.delete('/auth/me').set('x-csrf-token', s.csrf)],
        ['data export', () => s.agent.get('/auth/me/export').set('Accept', 'application/json')],
        ['reset email', () => s.agent.post('/auth/password/forgot').set('x-csrf-token', s.csrf).send({ email: s.target.email })],
        ['sign-in', () => s.agent.post('/auth/login').set('x-csrf-token', s.csrf).send({ username: s.target.email, password: STRONG_PASSWORD })],
      ];
      for (const [label, attempt] of attempts) {
        const res = await attempt();
        assert.equal(res.status, 403, `${label}: ${res.status} ${res.text.slice(0, 300)}`);
        assert.equal(res.body.errorCode, 'impersonation_forbidden', label);
      }
      // The hosted account page's form: a page saying why, with the banner to stop.
      const form = await s.agent.post('/auth/account/password').type('form').set('Accept', 'text/html').send({ _csrf: s.csrf, ...change });
      assert.equal(form.status, 403);
      assert.match(form.text, /not allowed while impersonating/u);
      assert.match(form.text, /Stop impersonating/u);
      assert.deepEqual(await stored(), before, 'the user, the password hash unchanged');
      const refused = await logsOf(s.target.user_id, 'impersonation_refused');
      assert.equal(refused.length, attempts.length + 1);
      assert.ok(refused.every((l) => l.details.actor === s.user.user_id && l.user_id === s.target.user_id));
      assert.ok(refused.some((l) => l.details.path === '/auth/me/password' && l.details.method === 'POST'));
      // Still impersonating: the refusals did not end or change the session.
      assert.equal((await s.agent.get('/auth/me').expect(200)).body.user_id, s.target.user_id);
    });

    it('cannot use the management API (not with the admin\'s rights, nor the user\'s) nor impersonate again', async () => {
      const s = await impersonating();
      const other = await createVerifiedUser(t);
      const list = await s.agent.get('/api/v2/users');
      assert.equal(list.status, 403);
      assert.equal(list.body.errorCode, 'impersonation_forbidden');
      const patch = await s.agent.patch(`/api/v2${userPath(s.target)}`).set('x-csrf-token', s.csrf).send({ blocked: true });
      assert.equal(patch.body.errorCode, 'impersonation_forbidden');
      const again = await s.agent.post(`/api/v2${userPath(other, '/impersonate')}`).set('x-csrf-token', s.csrf).send({});
      assert.equal(again.status, 403);
      assert.equal(again.body.errorCode, 'impersonation_forbidden');
      assert.equal((await t.storage.getUser(s.target.user_id))!.blocked, false);
      assert.deepEqual(await sessionsOf(other.user_id), []);
      assert.ok((await logsOf(s.target.user_id, 'impersonation_refused')).some((l) => l.details.reason === 'management_api'));
    });

    it('ends at its time box: signed out, the banner offers the way back, and stop restores the admin', async () => {
      const s = await impersonating();
      const [session] = await sessionsOf(s.target.user_id);
      await editSession(session!.sid, (data) => {
        (data.impersonation as { expiresAt: number }).expiresAt = Date.now() - 1;
      });
      const me = await s.agent.get('/auth/me').set('Accept', 'application/json');
      assert.equal(me.status, 401);
      assert.equal((await s.agent.get('/private')).status, 401);
      const page = await s.agent.get('/auth/login').set('Accept', 'text/html').expect(200);
      assert.match(page.text, /Your impersonation has ended/u);
      assert.match(page.text, /Return to my session/u);
      const [ended] = await logsOf(s.target.user_id, 'impersonation_stop');
      assert.equal(ended?.details.reason, 'expired');
      assert.equal(ended?.details.actor, s.user.user_id);
      const refused = await s.agent.patch('/auth/me').set('x-csrf-token', await s.agent.csrf()).send({ name: 'x' });
      assert.equal(refused.body.errorCode, 'impersonation_forbidden');
      const stop = await s.agent.post('/auth/impersonation/stop').set('x-csrf-token', await s.agent.csrf()).send({});
      assert.equal(stop.status, 200);
      assert.equal((await s.agent.get('/auth/me').expect(200)).body.user_id, s.user.user_id);
      assert.equal((await logsOf(s.target.user_id, 'impersonation_stop')).length, 1, 'the end is logged once');
    });

    it('ends when the admin\'s own sessions end (blocked meanwhile): stop then signs out instead of restoring', async () => {
      const s = await impersonating();
      await api(t, await mintToken(t)).patch(userPath(s.user)).send({ blocked: true }).expect(200);
      assert.deepEqual(await sessionsOf(s.user.user_id), [], 'the parked session went with the others');
      assert.equal((await s.agent.get('/auth/me').set('Accept', 'application/json')).status, 401);
      const [ended] = await logsOf(s.target.user_id, 'impersonation_stop');
      assert.equal(ended?.details.reason, 'impersonator_signed_out');
      const stop = await s.agent.post('/auth/impersonation/stop').set('x-csrf-token', await s.agent.csrf()).send({});
      assert.equal(stop.status, 401);
      assert.equal(stop.body.errorCode, 'login_required');
      assert.equal((await s.agent.get('/auth/me').set('Accept', 'application/json')).status, 401);
    });

    it('ends when the impersonator loses impersonate:users or the target gains rights', async () => {
      const s = await impersonating();
      await t.storage.addUserPermissions(s.target.user_id, [perm('impersonate:users')]);
      assert.equal((await s.agent.get('/auth/me').expect(200)).body.user_id, s.target.user_id, 'a permission the admin holds too changes nothing');
      await t.storage.assignUserRoles(s.target.user_id, [ADMIN_ROLE.id]);
      assert.equal((await s.agent.get('/auth/me').set('Accept', 'application/json')).status, 401);
      const [ended] = await logsOf(s.target.user_id, 'impersonation_stop');
      assert.equal(ended?.details.reason, 'no_longer_allowed');
      await t.storage.removeUserRoles(s.target.user_id, [ADMIN_ROLE.id]);
    });

    it('ends with the target\'s sessions (blocked): the impersonated session is gone', async () => {
      const s = await impersonating();
      await t.auth.gatehouse.users.setBlocked(s.target.user_id, true);
      assert.equal((await s.agent.get('/auth/me').set('Accept', 'application/json')).status, 401);
      assert.deepEqual(await sessionsOf(s.target.user_id), []);
    });

    it('logout ends both the impersonated and the parked admin session', async () => {
      const s = await impersonating();
      await s.agent.post('/auth/logout').set('x-csrf-token', s.csrf).send({}).expect(204);
      assert.deepEqual(await sessionsOf(s.target.user_id), []);
      assert.deepEqual(await sessionsOf(s.user.user_id), []);
      const [ended] = await logsOf(s.target.user_id, 'impersonation_stop');
      assert.equal(ended?.details.reason, 'logout');
    });

    it('the parked admin session is not usable, even with its id correctly signed', async () => {
      const s = await impersonating();
      const [parked] = await sessionsOf(s.user.user_id);
      const res = await supertest(t.app).get('/auth/me').set('Cookie', signedCookie(parked!.sid)).set('Accept', 'application/json');
      assert.equal(res.status, 401);
      // Whoever holds its id is an attacker: the parked session ends (the admin signs in again).
      assert.deepEqual(await sessionsOf(s.user.user_id), []);
      const managed = await supertest(t.app).get('/api/v2/users').set('Cookie', signedCookie(parked!.sid));
      assert.equal(managed.status, 401);
    });

    it('cannot sign in to the host\'s other applications as the user', async () => {
      const withApps = await startTestApp({ applications: true });
      try {
        const user = await createVerifiedUser(withApps);
        await withApps.storage.assignUserRoles(user.user_id, [ADMIN_ROLE.id]);
        const agent = browser(withApps.app);
        await agent.post('/auth/login').type('form').send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD }).expect(303);
        const target = await createVerifiedUser(withApps);
        await agent.post(`/api/v2${userPath(target, '/impersonate')}`).set('x-csrf-token', await agent.csrf()).send({}).expect(200);
        const res = await agent.get('/oidc/interaction/some-uid').set('Accept', 'application/json');
        assert.equal(res.status, 403);
        assert.equal(res.body.errorCode, 'impersonation_forbidden');
      } finally {
        await withApps.close();
      }
    });
  });
});
