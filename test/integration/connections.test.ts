import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { identity } from '@gatehouse/express';
import { GatehouseError } from '@gatehouse/core';
import type { Connection, ConnectionServices, ExternalProfile, StrategyLike } from '@gatehouse/core';
import { browser, startTestApp, type TestApp } from '../support/test-app.js';

/*
 * The connection framework through HTTP, with two small connections written here: a directory
 * checked by username + password, and a provider that redirects out and back. The real
 * connections (SAML, LDAP, custom database) have their own suites against real peers; this one
 * pins down what identity() does around any connection.
 */

type Outcome = { success(p: ExternalProfile): void; fail(info?: unknown): void; error(e: unknown): void; redirect(url: string): void };

interface Entry { password: string; profile: ExternalProfile }

function directory(name: string, entries: Map<string, Entry>, extra: Partial<Connection> = {}): Connection {
  return {
    name,
    kind: 'enterprise',
    displayName: `Directory ${name}`,
    loginMode: 'credentials',
    managedRoles: ['conn-test-staff'],
    createStrategy(): StrategyLike {
      return {
        authenticate(this: Outcome, req: unknown) {
          const body = (req as { body: Record<string, unknown> }).body;
          const entry = typeof body.username === 'string' ? entries.get(body.username) : undefined;
          if (body.username === 'outage') return this.error(new Error('directory down'));
          if (!entry || entry.password !== body.password) return this.fail();
          this.success(structuredClone(entry.profile));
        },
      };
    },
    ...extra,
  };
}

/** A provider that sends the browser to /fake-idp and back with a one-time code. */
function redirector(name: string, codes: Map<string, ExternalProfile>): Connection & { services?: ConnectionServices } {
  const connection: Connection & { services?: ConnectionServices } = {
    name,
    kind: 'social',
    displayName: 'Fake IdP',
    loginMode: 'redirect',
    startOptions: (transaction) => ({ transaction }),
    createStrategy(services) {
      connection.services = services;
      return {
        authenticate(this: Outcome, req: unknown, options?: unknown) {
          const query = (req as { query: Record<string, unknown> }).query;
          if (typeof query.code === 'string') {
            const profile = codes.get(query.code);
            codes.delete(query.code);
            return profile ? this.success({ ...profile, transaction: String(query.tx) }) : this.fail(new GatehouseError('connection_login_failed'));
          }
          const tx = (options as { transaction: string }).transaction;
          this.redirect(`/fake-idp?tx=${tx}&redirect_uri=${encodeURIComponent(services.callbackUrl)}`);
        },
      };
    },
  };
  return connection;
}

describe('connections: the flow identity() runs around any connection', function () {
  let t: TestApp;
  const entries = new Map<string, Entry>();
  const codes = new Map<string, ExternalProfile>();
  const id = randomBytes(4).toString('hex');
  const fake = redirector('fakeidp', codes);

  before(async () => {
    t = await startTestApp({ connections: [directory('corp', entries), fake] });
    await t.storage.ensureRole({ id: 'rol_conn_test_staff', name: 'conn-test-staff', description: 'test', permissions: [] });
    t.app.get('/fake-idp', (req, res) => {
      const code = randomBytes(8).toString('hex');
      codes.set(code, { provider: 'fake', user_id: `u-${id}`, email: `fake-${id}@example.com`, email_verified: true, name: 'Fay Fake' });
      res.redirect(`/auth/callback/fakeidp?code=${code}&tx=${String(req.query.tx)}`);
    });
    entries.set(`jane-${id}`, {
      password: 'directory-password',
      profile: { provider: 'ad', user_id: `corp|jane-${id}`, email: `Jane-${id}@Corp.example`, email_verified: true, name: 'Jane Doe', roles: ['conn-test-staff'] },
    });
  });
  after(async () => t.close());

  it('offers each connection on the login page', async () => {
    const page = await browser(t.app).get('/auth/login').expect(200);
    assert.match(page.text, /<option value="corp"\s*>Directory corp<\/option>/u);
    assert.match(page.text, /href="\/auth\/fakeidp\?returnTo=%2F"[^>]*>Continue with Fake IdP/u);
  });

  it('signs in through a credentials connection: a user with the identity and the mapped role, then the same user again', async () => {
    const agent = browser(t.app);
    const first = await agent.post('/auth/corp').send({ _csrf: await agent.csrf(), username: `jane-${id}`, password: 'directory-password' }).expect(200);
    assert.equal(first.body.user_id, `ad|corp|jane-${id}`);
    await agent.get('/private').expect(200, { user_id: `ad|corp|jane-${id}` });
    const user = (await t.storage.getUser(`ad|corp|jane-${id}`))!;
    assert.equal(user.email, `jane-${id}@corp.example`);
    assert.equal(user.email_verified, true);
    assert.deepEqual(user.identities, [{ connection: 'corp', provider: 'ad', user_id: `corp|jane-${id}`, isSocial: false }]);
    assert.deepEqual((await t.storage.getUserRoles(user.user_id)).map((r) => r.name), ['conn-test-staff']);

    // The directory renamed her and took her out of the group: the next login mirrors both.
    entries.get(`jane-${id}`)!.profile.name = 'Jane Smith';
    entries.get(`jane-${id}`)!.profile.roles = [];
    const again = browser(t.app);
    await again.post('/auth/login').send({ _csrf: await again.csrf(), connection: 'corp', username: `jane-${id}`, password: 'directory-password' }).expect(200);
    const after = (await t.storage.getUser(user.user_id))!;
    assert.equal(after.name, 'Jane Smith');
    assert.equal(after.logins_count, 2);
    assert.deepEqual(await t.storage.getUserRoles(user.user_id), []);
    assert.deepEqual((await t.storage.listUsersByEmail(`jane-${id}@corp.example`)).map((u) => u.user_id), [user.user_id]);
  });

  it('answers a rejected login with a generic 401, and an outage with 503, writing nothing', async () => {
    const agent = browser(t.app);
    const wrong = await agent.post('/auth/corp').send({ _csrf: await agent.csrf(), username: `nobody-${id}`, password: 'x' }).expect(401);
    assert.equal(wrong.body.errorCode, 'connection_login_failed');
    const down = await agent.post('/auth/corp').send({ _csrf: await agent.csrf(), username: 'outage', password: 'x' }).expect(503);
    assert.equal(down.body.errorCode, 'connection_unavailable');
    assert.doesNotMatch(JSON.stringify(down.body), /directory down/u);
    await agent.get('/private').expect(401);
    assert.equal(await t.storage.findUserByIdentity('ad', `corp|nobody-${id}`), null);
  });

  it('re-renders the login page with the error for a browser', async () => {
    const agent = browser(t.app);
    const page = await agent.post('/auth/login').type('form').set('accept', 'text/html')
      .send({ _csrf: await agent.csrf(), connection: 'corp', username: `nobody-${id}`, password: 'x' }).expect(401);
    assert.match(page.text, /Sign-in with this provider did not succeed/u);
  });

  it('refuses an unusable profile from a provider with 502 and creates no user', async () => {
    entries.set(`bad-${id}`, { password: 'pw', profile: { provider: 'ad', user_id: `corp|bad\n${id}` } });
    const agent = browser(t.app);
    const res = await agent.post('/auth/corp').send({ _csrf: await agent.csrf(), username: `bad-${id}`, password: 'pw' }).expect(502);
    assert.equal(res.body.errorCode, 'invalid_profile');
  });

  it('refuses a blocked user', async () => {
    entries.set(`blocked-${id}`, { password: 'pw', profile: { provider: 'ad', user_id: `corp|blocked-${id}` } });
    const agent = browser(t.app);
    await agent.post('/auth/corp').send({ _csrf: await agent.csrf(), username: `blocked-${id}`, password: 'pw' }).expect(200);
    await t.storage.modifyUser(`ad|corp|blocked-${id}`, () => ({ blocked: true, updated_at: new Date() }));
    const again = browser(t.app);
    const res = await again.post('/auth/corp').send({ _csrf: await again.csrf(), username: `blocked-${id}`, password: 'pw' }).expect(401);
    assert.equal(res.body.errorCode, 'user_blocked');
  });

  it('still needs the CSRF token to post credentials', async () => {
    const res = await browser(t.app).post('/auth/corp').send({ username: `jane-${id}`, password: 'directory-password' }).expect(403);
    assert.equal(res.body.errorCode, 'invalid_csrf_token');
  });

  it('goes out to a redirect provider and back to the returnTo, without a CSRF token on the callback', async () => {
    const agent = browser(t.app);
    const start = await agent.get('/auth/fakeidp?returnTo=%2Fprivate').expect(302);
    assert.match(start.headers.location!, /^\/fake-idp\?tx=[\w-]{20,}&redirect_uri=/u);
    assert.equal(new URL(start.headers.location!, 'http://x').searchParams.get('redirect_uri'), fake.services!.callbackUrl);
    const back = await agent.get(start.headers.location!).expect(302);
    const done = await agent.get(back.headers.location!).set('accept', 'text/html').expect(303);
    assert.equal(done.headers.location, '/private');
    await agent.get('/private').expect(200, { user_id: `fake|u-${id}` });
    const user = (await t.storage.getUser(`fake|u-${id}`))!;
    assert.equal(user.identities[0]!.isSocial, true);
  });

  it('finds the returnTo through the transaction when the callback arrives without the session cookie', async () => {
    const agent = browser(t.app);
    const start = await agent.get('/auth/fakeidp?returnTo=%2Faccount-x').expect(302);
    const back = await agent.get(start.headers.location!).expect(302);
    // A cross-site POST under SameSite=Lax: a fresh client, no cookies.
    const done = await browser(t.app).get(back.headers.location!).set('accept', 'text/html').expect(303);
    assert.equal(done.headers.location, '/account-x');
  });

  it('answers 404 for an unknown connection and a replayed callback fails', async () => {
    await browser(t.app).get('/auth/callback/nope').expect(404);
    const res = await browser(t.app).get('/auth/callback/fakeidp?code=unknown&tx=x').expect(401);
    assert.equal(res.body.errorCode, 'connection_login_failed');
  });

  it('refuses bad connection settings at construction', () => {
    const base = { baseUrl: 'http://127.0.0.1', secret: 'x'.repeat(40), logger: { info() {}, warn() {}, error() {} } };
    assert.throws(() => identity({ ...base, connections: [directory('login', entries)] }), /reserved route name/u);
    assert.throws(() => identity({ ...base, connections: [directory('a', entries), directory('a', entries)] }), /two connections are named "a"/u);
    assert.throws(() => identity({ ...base, connections: [directory('Bad Name', entries)] }), /lower-case letters/u);
    const { baseUrl: _b, ...noBase } = base;
    assert.throws(() => identity({ ...noBase, connections: [directory('corp', entries)] }), /baseUrl/u);
  });
});
