import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { identity, type IdentityRouter } from '@gatehouse/express';
import { createSequelizeStorage, type SequelizeStorage } from '@gatehouse/storage-sequelize';
import express from 'express';
import { MailCatcher } from '../support/mail-catcher.js';
import { dropKeys, requireTestRedis, TEST_REDIS_URL, testRedisClient, testRedisPrefix } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../support/test-database.js';
import { STRONG_PASSWORD, uniqueEmail } from '../support/test-app.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** One instance of the app: its own identity(), database pool and Redis client, on its own port. */
interface Instance {
  name: string;
  url: string;
  auth: IdentityRouter;
  storage: SequelizeStorage;
  server: Server;
}

/** A browser as far as these tests need one: one cookie jar, whichever instance it talks to (a load balancer's job). */
class Browser {
  private cookie = '';

  async request(instance: Instance, method: string, path: string, body?: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(instance.url + path, {
      method,
      redirect: 'manual',
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      if (pair!.startsWith('gatehouse.sid=')) this.cookie = /expires=Thu, 01 Jan 1970/iu.test(set) ? '' : pair!;
    }
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async csrf(instance: Instance): Promise<string> {
    const res = await this.request(instance, 'GET', '/auth/csrf-token');
    assert.equal(res.status, 200);
    return res.body.csrfToken as string;
  }

  async login(instance: Instance, email: string, password = STRONG_PASSWORD): Promise<number> {
    const _csrf = await this.csrf(instance);
    return (await this.request(instance, 'POST', '/auth/login', { _csrf, username: email, password })).status;
  }
}

/*
 * Several instances of one app on the machine's PostgreSQL and Redis (issue 9): nothing may
 * depend on one process's memory. Runs only with GATEHOUSE_TEST_DB=postgres, the deployment this
 * describes (CI runs the suite on PostgreSQL too); on SQLite and MariaDB it is skipped.
 */
describe('several instances on PostgreSQL + Redis', function () {
  this.timeout(60_000);
  const prefix = testRedisPrefix();
  const instances: Instance[] = [];
  let mail: MailCatcher;
  let proxy: TcpProxy;
  let A: Instance, B: Instance, C: Instance;

  before(async function () {
    if (testDatabaseKind() !== 'postgres') {
      console.warn('      skipped: the multi-instance test runs with GATEHOUSE_TEST_DB=postgres (several instances share one PostgreSQL and Redis)');
      return this.skip();
    }
    const databaseUrl = await testDatabaseUrl();
    await requireTestDatabase(this, databaseUrl);
    await requireTestRedis(this);
    mail = await new MailCatcher().start();
    // Every instance reaches Redis through this proxy, so the test can cut Redis off for all of them.
    const target = new URL(TEST_REDIS_URL);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
    for (const name of ['A', 'B', 'C']) {
      const storage = createSequelizeStorage({ url: databaseUrl });
      const auth = identity({
        database: storage,
        redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix },
        baseUrl: 'http://127.0.0.1',
        secret: 'multi-instance-secret-shared-by-all-of-them',
        mail: { transport: mail.url },
        logger: quiet,
      });
      const app = express();
      app.use(auth);
      app.get('/private', (req, res) => (req.user ? res.json({ user_id: req.user.user_id, instance: name }) : res.status(401).json({ anonymous: true })));
      await auth.ready;
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      instances.push({ name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth, storage, server });
    }
    [A, B, C] = instances as [Instance, Instance, Instance];
  });

  after(async () => {
    for (const i of instances) {
      await new Promise((resolve) => i.server.close(resolve));
      await i.auth.close();
      await i.storage.close();
    }
    await proxy?.stop();
    await mail?.stop();
    if (instances.length > 0) {
      const redis = await testRedisClient();
      await dropKeys(redis, prefix);
      redis.destroy();
    }
  });

  async function newUser(): Promise<string> {
    const email = uniqueEmail('multi');
    await A.auth.gatehouse.users.createUser({ email, password: STRONG_PASSWORD, email_verified: true });
    return email;
  }

  it('a session created on A works on B and C', async () => {
    const email = await newUser();
    const browser = new Browser();
    assert.equal(await browser.login(A, email), 200);
    for (const instance of [A, B, C]) {
      const res = await browser.request(instance, 'GET', '/private');
      assert.equal(res.status, 200, `signed in on ${instance.name}`);
      assert.equal(res.body.instance, instance.name);
    }
  });

  it('logout on A kills the session on B', async () => {
    const email = await newUser();
    const browser = new Browser();
    assert.equal(await browser.login(A, email), 200);
    const stolen = new Browser();
    Object.assign(stolen, browser); // the same cookie, kept by someone else
    assert.equal((await stolen.request(B, 'GET', '/private')).status, 200);
    assert.equal((await browser.request(A, 'POST', '/auth/logout', { _csrf: await browser.csrf(A) })).status, 204);
    assert.equal((await stolen.request(B, 'GET', '/private')).status, 401);
  });

  it('a password change on B ends the sessions on C', async () => {
    const email = await newUser();
    const elsewhere = new Browser();
    assert.equal(await elsewhere.login(A, email), 200);
    assert.equal((await elsewhere.request(C, 'GET', '/private')).status, 200);
    const changer = new Browser();
    assert.equal(await changer.login(B, email), 200);
    const changed = await changer.request(B, 'POST', '/auth/me/password', {
      _csrf: await changer.csrf(B),
      current_password: STRONG_PASSWORD,
      new_password: 'a brand new passphrase 2026',
    });
    assert.equal(changed.status, 204);
    assert.equal((await elsewhere.request(C, 'GET', '/private')).status, 401);
    assert.equal((await changer.request(C, 'GET', '/private')).status, 200, 'the session that changed it stays');
  });

  it('holds the brute-force limit across instances (attempts spread round-robin)', async () => {
    const email = await newUser();
    const browser = new Browser();
    // 10 failures per identifier + IP block the pair; spread over three instances, each alone saw 3 or 4.
    for (let i = 0; i < 10; i++) {
      const status = await browser.login(instances[i % 3]!, email, 'wrong passphrase, not it');
      assert.equal(status, 401, `attempt ${i + 1}`);
    }
    for (const instance of instances) {
      assert.equal(await browser.login(instance, email), 429, `${instance.name} refuses even the right password`);
    }
  });

  it('a one-time code cannot be redeemed twice on two instances at once', async () => {
    const email = await newUser();
    const asker = new Browser();
    const forgot = await asker.request(A, 'POST', '/auth/password/forgot', { _csrf: await asker.csrf(A), email });
    assert.equal(forgot.status, 200);
    const token = MailCatcher.link(await mail.waitFor(email, /reset/iu)).searchParams.get('token')!;
    const [one, two] = [new Browser(), new Browser()];
    const [csrfOne, csrfTwo] = [await one.csrf(B), await two.csrf(C)];
    const results = await Promise.all([
      one.request(B, 'POST', '/auth/password/reset', { _csrf: csrfOne, token, password: 'first new passphrase 2026' }),
      two.request(C, 'POST', '/auth/password/reset', { _csrf: csrfTwo, token, password: 'second new passphrase 2026' }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400]);
    const winner = results[0]!.status === 200 ? 'first new passphrase 2026' : 'second new passphrase 2026';
    assert.equal(await new Browser().login(A, email, winner), 200);
  });

  it('a Redis outage answers 503 on protected routes (not 200, no crash), and recovery needs no restart', async () => {
    const email = await newUser();
    const browser = new Browser();
    assert.equal(await browser.login(A, email), 200);
    proxy.cut();
    try {
      for (const instance of instances) {
        const res = await browser.request(instance, 'GET', '/private');
        assert.equal(res.status, 503, `${instance.name} during the outage`);
        assert.equal(res.body.errorCode, 'session_store_unavailable');
      }
    } finally {
      proxy.restore();
    }
    for (const instance of instances) {
      const deadline = Date.now() + 15_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        status = (await browser.request(instance, 'GET', '/private')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, `${instance.name} recovered by itself`);
    }
  });
});
