import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ManagementClient, ManagementError } from 'auth0';
import { RolesClient } from 'auth0/roles';
import { TicketsClient } from 'auth0/tickets';
import { UsersClient } from 'auth0/users';
import { JobsClient } from 'auth0/jobs';
import { signedInBrowser } from '../support/accounts.js';
import { mintToken } from '../support/management.js';
import { startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

const CONNECTION = 'Username-Password-Authentication';

/**
 * The official `auth0` SDK, unchanged, against a listening Gatehouse: the per-resource clients
 * take `baseUrl`; ManagementClient always builds `https://<domain>/api/v2`, so it gets a `fetch`
 * that sends that origin to the test server instead.
 */
describe('management API: the official auth0 SDK', function () {
  let t: TestApp;
  let server: Server;
  let baseUrl: string;
  let token: string;

  before(async () => {
    t = await startTestApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2`;
    token = await mintToken(t);
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  /** The status of the SDK's rejection. */
  async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof ManagementError, String(err));
      return err.statusCode;
    }
    assert.fail('expected the SDK call to fail');
  }

  it('creates, gets, updates, blocks, unblocks and deletes a user with UsersClient', async () => {
    const users = new UsersClient({ baseUrl, token, maxRetries: 0 });
    const email = uniqueEmail('sdk');
    const created = await users.create({ connection: CONNECTION, email, password: STRONG_PASSWORD, email_verified: true, app_metadata: { plan: 'free' } });
    assert.equal(created.email, email.toLowerCase());
    const id = created.user_id!;
    assert.match(id, /^auth0\|/u);

    const got = await users.get(id);
    assert.equal(got.user_id, id);
    assert.deepEqual(got.app_metadata, { plan: 'free' });
    const picked = await users.get(id, { fields: 'email,user_id', include_fields: true });
    assert.deepEqual(Object.keys(picked).sort(), ['email', 'user_id']);

    const updated = await users.update(id, { name: 'SDK User', user_metadata: { lang: 'fr' }, app_metadata: { plan: 'gold' } });
    assert.equal(updated.name, 'SDK User');
    assert.deepEqual(updated.user_metadata, { lang: 'fr' });
    assert.deepEqual((await t.storage.getUser(id))?.app_metadata, { plan: 'gold' });

    const byEmail = await users.listUsersByEmail({ email });
    assert.deepEqual(byEmail.map((u) => u.user_id), [id]);

    await users.update(id, { blocked: true });
    assert.equal((await t.storage.getUser(id))?.blocked, true);
    await users.update(id, { blocked: false });
    assert.equal((await t.storage.getUser(id))?.blocked, false);

    await users.delete(id);
    assert.equal(await t.storage.getUser(id), null);
    assert.equal(await statusOf(users.get(id)), 404);
  });

  it('searches with users.list({ q }) and auto-paginates past the first page', async () => {
    const users = new UsersClient({ baseUrl, token, maxRetries: 0 });
    const tag = `sdk${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const user = await users.create({ connection: CONNECTION, email: uniqueEmail('sdk-list'), password: STRONG_PASSWORD, app_metadata: { tag, n: i } });
      ids.push(user.user_id!);
    }

    const found = await users.list({ q: `app_metadata.tag:"${tag}" AND app_metadata.n:[1 TO 2]`, search_engine: 'v3', sort: 'created_at:1' });
    assert.deepEqual(found.data.map((u) => u.user_id), ids.slice(1, 3));
    assert.equal(found.response.total, 2, 'the SDK asked for include_totals and got the envelope');

    // Three pages of 2: the SDK goes on while a page is full and stops at the short (or empty) one.
    const walked: string[] = [];
    const pages = await users.list({ q: `app_metadata.tag:"${tag}"`, search_engine: 'v3', sort: 'created_at:1', per_page: 2, include_totals: true });
    for await (const user of pages) walked.push(user.user_id!);
    assert.deepEqual(walked, ids);
    assert.equal(pages.response.total, 5);
  });

  it('ends the blocked user\'s session when the SDK blocks them', async () => {
    const { agent, user } = await signedInBrowser(t);
    await agent.get('/private').expect(200);
    await new UsersClient({ baseUrl, token, maxRetries: 0 }).update(user.user_id, { blocked: true });
    await agent.get('/private').expect(401);
  });

  it('manages roles and a user\'s roles with RolesClient and UsersClient', async () => {
    const roles = new RolesClient({ baseUrl, token, maxRetries: 0 });
    const users = new UsersClient({ baseUrl, token, maxRetries: 0 });
    const name = `sdk-role-${Date.now()}`;
    const role = await roles.create({ name, description: 'Made by the SDK' });
    assert.equal(role.name, name);
    assert.equal((await roles.get(role.id!)).description, 'Made by the SDK');
    await roles.update(role.id!, { description: 'Changed by the SDK' });
    const page = await roles.list({ name_filter: name });
    assert.deepEqual(page.data.map((r) => r.id), [role.id]);

    const user = await users.create({ connection: CONNECTION, email: uniqueEmail('sdk-roles'), password: STRONG_PASSWORD });
    await users.roles.assign(user.user_id!, { roles: [role.id!] });
    const assigned = await users.roles.list(user.user_id!);
    assert.deepEqual(assigned.data.map((r) => r.name), [name]);
    // Auto-pagination ends on an empty page.
    const all = [];
    for await (const r of await users.roles.list(user.user_id!, { per_page: 1 })) all.push(r.id);
    assert.deepEqual(all, [role.id]);
    await users.roles.delete(user.user_id!, { roles: [role.id!] });
    assert.deepEqual((await users.roles.list(user.user_id!)).data, []);

    await roles.delete(role.id!);
    assert.equal(await statusOf(roles.get(role.id!)), 404);
  });

  it('imports users with JobsClient and reads the job and its per-record errors', async () => {
    const jobs = new JobsClient({ baseUrl, token, maxRetries: 0 });
    const good = uniqueEmail('sdk-import');
    const file = new File([JSON.stringify([{ email: good, email_verified: true }, { email: 'not-an-email' }])], 'users.json', { type: 'application/json' });
    const started = await jobs.usersImports.create({ users: file, connection_id: CONNECTION });
    assert.equal(started.status, 'pending');
    assert.equal(started.type, 'users_import');
    let job = await jobs.get(started.id!);
    for (let i = 0; i < 200 && job.status !== 'completed' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = await jobs.get(started.id!);
    }
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.deepEqual((job as { summary?: unknown }).summary, { inserted: 1, updated: 0, failed: 1, total: 2 });
    const errors = (await jobs.errors.get(started.id!)) as Array<{ user: { email: string }; errors: Array<{ code: string; path: string }> }>;
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.user.email, 'not-an-email');
    assert.equal(errors[0]!.errors[0]!.code, 'FORMAT');
    assert.equal((await t.storage.listUsersByEmail(good.toLowerCase())).length, 1);
  });

  it('creates a password-change ticket with TicketsClient', async () => {
    const user = await new UsersClient({ baseUrl, token, maxRetries: 0 }).create({ connection: CONNECTION, email: uniqueEmail('sdk-ticket'), password: STRONG_PASSWORD });
    const ticket = await new TicketsClient({ baseUrl, token, maxRetries: 0 }).changePassword({ user_id: user.user_id!, ttl_sec: 600 });
    assert.match(ticket.ticket, /\/auth\/password\/reset\?token=/u);
  });

  it('surfaces Gatehouse\'s errors as the SDK\'s typed errors (400, 401, 403, 404, 409)', async () => {
    const users = new UsersClient({ baseUrl, token, maxRetries: 0 });
    const email = uniqueEmail('sdk-errors');
    const user = await users.create({ connection: CONNECTION, email, password: STRONG_PASSWORD });
    assert.equal(await statusOf(users.create({ connection: CONNECTION, email, password: STRONG_PASSWORD })), 409);
    assert.equal(await statusOf(users.update(user.user_id!, { password: 'another strong passphrase', email: uniqueEmail() })), 400);
    assert.equal(await statusOf(users.get('auth0|000000000000000000000000')), 404);
    const bad = new UsersClient({ baseUrl, token: 'gh_not-a-real-token', maxRetries: 0 });
    assert.equal(await statusOf(bad.get(user.user_id!)), 401);
    const readOnly = new UsersClient({ baseUrl, token: await mintToken(t, ['read:users']), maxRetries: 0 });
    assert.equal(await statusOf(readOnly.delete(user.user_id!)), 403);
    assert.ok(await t.storage.getUser(user.user_id!));
    await assert.rejects(readOnly.update(user.user_id!, { blocked: true }), (err: ManagementError) => {
      assert.deepEqual(err.body, {
        statusCode: 403,
        error: 'Forbidden',
        message: 'Insufficient scope or permissions for this operation.',
        errorCode: 'insufficient_scope',
      });
      return true;
    });
    assert.equal((await t.storage.getUser(user.user_id!))?.blocked, false);
  });

  it('works through ManagementClient, with the global fetch pointing the Auth0 domain at Gatehouse', async () => {
    // ManagementClient always builds https://<domain>/api/v2 and drops `fetch`/`fetcher` options,
    // so the outside world is rewired instead: the global fetch sends that origin to the test server.
    const domain = 'tenant.example.auth0.com';
    const origin = new URL(baseUrl).origin;
    const realFetch = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      seen.push(url);
      return realFetch(url.replace(`https://${domain}`, origin), init);
    };
    try {
      const management = new ManagementClient({ domain, token, maxRetries: 0 });
      const user = await management.users.create({ connection: CONNECTION, email: uniqueEmail('sdk-mc'), password: STRONG_PASSWORD });
      assert.equal((await management.users.get(user.user_id!)).user_id, user.user_id);
      await management.users.update(user.user_id!, { blocked: true });
      assert.equal((await t.storage.getUser(user.user_id!))?.blocked, true);
      await management.users.delete(user.user_id!);
      assert.equal(await t.storage.getUser(user.user_id!), null);
      assert.ok(seen.every((u) => u.startsWith(`https://${domain}/api/v2/`)), seen.join(' '));
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
