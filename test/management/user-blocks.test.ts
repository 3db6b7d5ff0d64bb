import assert from 'node:assert/strict';
import type { User } from '@gatehouse/core';
import { createVerifiedUser } from '../support/accounts.js';
import { api, mintToken, userPath } from '../support/management.js';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';

const DB = 'Username-Password-Authentication';

let ipSeq = Math.floor(Math.random() * (1 << 20));
const newIp = () => {
  ipSeq += 1;
  return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
};

/**
 * Auth0's `/api/v2/user-blocks`: brute-force blocks made by real failed logins over HTTP, listed
 * and lifted by identifier or user id, with the scopes Auth0 asks (read:users, update:users), and
 * apart from the admin `blocked` flag.
 */
describe('management API: user blocks', function () {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await startTestApp({ trustProxy: 'loopback' });
    token = await mintToken(t);
  });
  after(async () => t.close());

  async function login(identifier: string, password: string, ip: string) {
    const agent = browser(t.app);
    return agent.post('/auth/login').set('Accept', 'application/json').set('X-Forwarded-For', ip).send({ _csrf: await agent.csrf(), username: identifier, password });
  }

  /** A user blocked from a new IP after 10 wrong passwords through the hosted login. */
  async function blockedUser(identifier: (u: User) => string = (u) => u.email!): Promise<{ user: User; ip: string }> {
    const user = await t.auth.gatehouse.users.createUser({ email: uniqueEmail('blk'), username: `u${Math.random().toString(36).slice(2, 12)}`, password: STRONG_PASSWORD, email_verified: true });
    const ip = newIp();
    for (let i = 0; i < 10; i++) assert.equal((await login(identifier(user), 'wrong password!', ip)).status, 401);
    assert.equal((await login(identifier(user), STRONG_PASSWORD, ip)).status, 429);
    return { user, ip };
  }

  const blocksPath = (user: User) => userPath(user).replace('/users/', '/user-blocks/');
  const byIdentifier = (identifier: string) => `/user-blocks?identifier=${encodeURIComponent(identifier)}`;

  it('lists a block by identifier and by user id, in Auth0\'s shape', async () => {
    const { user, ip } = await blockedUser();
    const client = api(t, token);
    const expected = { blocked_for: [{ identifier: user.email, ip, connection: DB }] };
    assert.deepEqual((await client.get(byIdentifier(user.email!)).expect(200)).body, expected);
    assert.deepEqual((await client.get(byIdentifier(user.email!.toUpperCase())).expect(200)).body, expected, 'identifiers are case-insensitive');
    assert.deepEqual((await client.get(blocksPath(user)).expect(200)).body, expected);
    assert.deepEqual((await client.get(byIdentifier(uniqueEmail('clean'))).expect(200)).body, { blocked_for: [] });
  });

  it('finds a block made under the username through the email, and the user id', async () => {
    const { user, ip } = await blockedUser((u) => u.username!);
    const client = api(t, token);
    const expected = { blocked_for: [{ identifier: user.username, ip, connection: DB }] };
    assert.deepEqual((await client.get(byIdentifier(user.email!)).expect(200)).body, expected);
    assert.deepEqual((await client.get(blocksPath(user)).expect(200)).body, expected);
  });

  it('lifts the blocks of a user id: 204, the database row gone, the login through', async () => {
    const { user, ip } = await blockedUser();
    await api(t, token).delete(blocksPath(user)).expect(204);
    assert.deepEqual(await t.storage.listLoginBlocks({ userId: user.user_id }, new Date()), []);
    assert.equal((await login(user.email!, STRONG_PASSWORD, ip)).status, 200);
    const { logs } = await t.storage.listUserLogs(user.user_id, 0, 50);
    assert.ok(logs.some((l) => l.type === 'ublkdu' && typeof l.details.actor === 'string'), 'audited with the actor');
  });

  it('lifts the blocks of an identifier, also of one that names no user', async () => {
    const { user, ip } = await blockedUser();
    await api(t, token).delete(byIdentifier(user.email!)).expect(204);
    assert.equal((await login(user.email!, STRONG_PASSWORD, ip)).status, 200);

    const ghost = uniqueEmail('ghost');
    const ghostIp = newIp();
    for (let i = 0; i < 10; i++) await login(ghost, 'wrong password!', ghostIp);
    assert.equal((await api(t, token).get(byIdentifier(ghost)).expect(200)).body.blocked_for.length, 1);
    await api(t, token).delete(byIdentifier(ghost)).expect(204);
    assert.deepEqual(await t.storage.listLoginBlocks({ identifier: ghost }, new Date()), []);
  });

  it('leaves brute-force blocks alone on PATCH blocked:false (as Auth0 does)', async () => {
    const { user, ip } = await blockedUser();
    await api(t, token).patch(userPath(user)).send({ blocked: false }).expect(200);
    assert.equal((await t.storage.listLoginBlocks({ userId: user.user_id }, new Date())).length, 1);
    assert.equal((await login(user.email!, STRONG_PASSWORD, ip)).status, 429);
  });

  it('needs read:users to list and update:users to lift, changing nothing otherwise', async () => {
    const { user } = await blockedUser();
    const reader = api(t, await mintToken(t, ['read:users']));
    const nobody = api(t, await mintToken(t, ['read:logs']));
    assert.equal((await nobody.get(blocksPath(user)).expect(403)).body.errorCode, 'insufficient_scope');
    assert.equal((await nobody.get(byIdentifier(user.email!)).expect(403)).body.errorCode, 'insufficient_scope');
    await reader.get(blocksPath(user)).expect(200);
    assert.equal((await reader.delete(blocksPath(user)).expect(403)).body.errorCode, 'insufficient_scope');
    assert.equal((await reader.delete(byIdentifier(user.email!)).expect(403)).body.errorCode, 'insufficient_scope');
    assert.equal((await t.storage.listLoginBlocks({ userId: user.user_id }, new Date())).length, 1);
  });

  it('answers 404 for an unknown user id and 400 without an identifier', async () => {
    const client = api(t, token);
    assert.equal((await client.get('/user-blocks/auth0%7C000000000000000000000000').expect(404)).body.errorCode, 'inexistent_user');
    assert.equal((await client.delete('/user-blocks/auth0%7C000000000000000000000000').expect(404)).body.errorCode, 'inexistent_user');
    assert.equal((await client.get('/user-blocks').expect(400)).body.errorCode, 'invalid_query_string');
    assert.equal((await client.delete('/user-blocks?identifier=').expect(400)).body.errorCode, 'invalid_query_string');
    assert.equal((await client.get('/user-blocks?identifier=a&identifier=b').expect(400)).body.errorCode, 'invalid_query_string');
  });

  it('lists nothing for a user who was never blocked', async () => {
    const user = await createVerifiedUser(t);
    assert.deepEqual((await api(t, token).get(blocksPath(user)).expect(200)).body, { blocked_for: [] });
  });
});
