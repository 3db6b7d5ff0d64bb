import assert from 'node:assert/strict';
import type { SequelizeStorage } from '@gatehouse/storage-sequelize';
import { identity } from '@gatehouse/express';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { dropKeys, requireTestRedis, TEST_REDIS_URL, testRedisClient, testRedisPrefix } from '../support/redis.js';
import { browser, sessionCookie, startTestApp, STRONG_PASSWORD, type TestApp } from '../support/test-app.js';
import { TcpProxy } from '../support/tcp-proxy.js';

type Client = Awaited<ReturnType<typeof testRedisClient>>;

/** How many SQL statements `work` sends to the database. */
async function queriesDuring(t: TestApp, work: () => Promise<unknown>): Promise<number> {
  const sequelize = (t.storage as SequelizeStorage).sequelize;
  let count = 0;
  const hook = () => {
    count += 1;
  };
  sequelize.addHook('beforeQuery', 'count', hook);
  try {
    await work();
  } finally {
    sequelize.removeHook('beforeQuery', 'count');
  }
  return count;
}

describe('sessions: the fast path on the database store', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => t.close());

  it('answers a signed-in request with one query when the user did not change, and sees a change at the next request', async () => {
    const { agent, user } = await signedInBrowser(t);
    await agent.get('/auth/me').expect(200); // the first request copies the user into the session
    assert.equal(await queriesDuring(t, () => agent.get('/auth/me').expect(200)), 1, 'one query: the session with its user stamp');
    await t.storage.modifyUser(user.user_id, () => ({ name: 'Renamed Elsewhere', updated_at: new Date() }));
    assert.equal((await agent.get('/auth/me').expect(200)).body.name, 'Renamed Elsewhere');
    assert.equal(await queriesDuring(t, () => agent.get('/auth/me').expect(200)), 1);
  });

  it("refuses a blocked user's next request even when their sessions were not ended", async () => {
    const { agent, user } = await signedInBrowser(t);
    await agent.get('/private').expect(200);
    await agent.get('/private').expect(200);
    // Written straight to the database (as another tool would), without ending any session.
    await t.storage.modifyUser(user.user_id, () => ({ blocked: true, updated_at: new Date() }));
    await agent.get('/private').expect(401);
  });
});

describe('sessions in Redis (identity({ redis }))', function () {
  let t: TestApp;
  let redis: Client;
  let proxy: TcpProxy;
  const prefix = testRedisPrefix();

  before(async function () {
    await requireTestRedis(this);
    redis = await testRedisClient();
    // Through a proxy this test can cut, so an outage does not stop the machine's Redis.
    const target = new URL(TEST_REDIS_URL);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
    t = await startTestApp({ redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix } });
  });
  after(async () => {
    await t?.close();
    await proxy?.stop();
    if (redis) {
      await dropKeys(redis, prefix);
      redis.destroy();
    }
  });

  it('keeps the session in Redis under its user, and none in the database', async () => {
    const { agent, user } = await signedInBrowser(t);
    await agent.get('/private').expect(200);
    const members = await redis.sMembers(`${prefix}user-sessions:${user.user_id}`);
    assert.equal(members.length, 1);
    const stored = JSON.parse((await redis.get(`${prefix}sess:${members[0]}`))!) as { passport: { user: string } };
    assert.equal(stored.passport.user, user.user_id);
    assert.ok((await redis.ttl(`${prefix}sess:${members[0]}`)) > 6 * 86_400, 'the key expires with the session');
    // t.storage is the database itself (identity() puts the session port on Redis in front of it).
    assert.deepEqual(await t.storage.listUserSessions(user.user_id, new Date()), []);
    assert.equal((await t.auth.gatehouse.storage.listUserSessions(user.user_id, new Date())).length, 1);
  });

  it('answers a signed-in request with no database query when the user did not change', async () => {
    const { agent, user } = await signedInBrowser(t);
    await agent.get('/auth/me').expect(200);
    assert.equal(await queriesDuring(t, () => agent.get('/auth/me').expect(200)), 0);
    // A change through Gatehouse moves the user's stamp in Redis: the next request reads the user.
    await t.auth.gatehouse.users.updateUser(user.user_id, { name: 'Changed By Admin' }, 'admin');
    assert.equal((await agent.get('/auth/me').expect(200)).body.name, 'Changed By Admin');
    assert.equal(await queriesDuring(t, () => agent.get('/auth/me').expect(200)), 0);
  });

  it("ends the user's other sessions on a password change, keeping the current one", async () => {
    const user = await createVerifiedUser(t);
    const login = async () => {
      const agent = browser(t.app);
      await agent.post('/auth/login').type('form').send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD }).expect(303);
      return agent;
    };
    const [first, second, third] = [await login(), await login(), await login()];
    await second.get('/private').expect(200);
    const newPassword = 'another long passphrase 42';
    await first.post('/auth/me/password').send({ _csrf: await first.csrf(), current_password: STRONG_PASSWORD, new_password: newPassword }).expect(204);
    await first.get('/private').expect(200);
    await second.get('/private').expect(401);
    await third.get('/private').expect(401);
    assert.deepEqual((await redis.sMembers(`${prefix}user-sessions:${user.user_id}`)).length, 1);
  });

  it("refuses a blocked user's next request, and ends a deleted user's sessions", async () => {
    const a = await signedInBrowser(t);
    await a.agent.get('/private').expect(200);
    await t.auth.gatehouse.users.setBlocked(a.user.user_id, true);
    await a.agent.get('/private').expect(401);

    const b = await signedInBrowser(t);
    await b.agent.get('/private').expect(200);
    await t.auth.gatehouse.users.deleteUser(b.user.user_id);
    await b.agent.get('/private').expect(401);
    assert.deepEqual(await redis.sMembers(`${prefix}user-sessions:${b.user.user_id}`), []);
  });

  it('kills the session at logout', async () => {
    const { agent } = await signedInBrowser(t);
    const cookie = agent.jar.getCookie('gatehouse.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!.value;
    await agent.post('/auth/logout').send({ _csrf: await agent.csrf() }).expect(204);
    // The old cookie, replayed, has no session behind it.
    const replay = await browser(t.app).get('/private').set('cookie', `gatehouse.sid=${cookie}`).expect(401);
    assert.equal(sessionCookie(replay), undefined);
  });

  it('shares the cache through Redis: of concurrent adds and takes of one key exactly one wins', async () => {
    const cache = t.auth.gatehouse.cache('test');
    const adds = await Promise.all(Array.from({ length: 10 }, (_, i) => cache.add('replay', `v${i}`, 60_000)));
    assert.equal(adds.filter(Boolean).length, 1);
    const takes = await Promise.all(Array.from({ length: 10 }, () => cache.take('replay')));
    assert.equal(takes.filter((v) => v !== null).length, 1);
    assert.equal(await cache.get('replay'), null);
    assert.ok(await cache.add('ttl', 'x', 1));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await cache.get('ttl'), null, 'an entry is gone after its ttl');
  });

  it('answers 503 on protected routes while Redis is unreachable, and recovers without a restart', async () => {
    const { agent } = await signedInBrowser(t);
    await agent.get('/private').expect(200);
    proxy.cut();
    try {
      for (const path of ['/private', '/auth/me']) {
        const res = await agent.get(path).set('accept', 'application/json');
        assert.equal(res.status, 503, `${path} answers 503 during the outage`);
        assert.equal(res.body.errorCode, 'session_store_unavailable');
      }
    } finally {
      proxy.restore();
    }
    // node-redis reconnects on its own; the same session works again.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await agent.get('/private')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200);
  });

  it('refuses a bad redis option at construction with a TypeError', () => {
    for (const bad of ['redis://x', { url: 'http://x' }, { url: 'redis://x', client: {} }, { client: {} }, {}, { url: 'redis://x', prefix: '' }]) {
      assert.throws(() => identity({ redis: bad as never, database: t.storage, logger: { info() {}, warn() {}, error() {} } }), TypeError, JSON.stringify(bad));
    }
  });
});
