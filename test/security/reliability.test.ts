import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createSequelizeStorage, type SequelizeStorage } from '@gatehouse/storage-sequelize';
import { QueryTypes } from 'sequelize';
import sqlite3 from 'sqlite3';
import { browser, startTestApp, STRONG_PASSWORD, uniqueEmail, type TestApp } from '../support/test-app.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { removeTestDatabase, sqliteTempPath, testDatabaseKind, testDatabaseUrl } from '../support/test-database.js';

const WRITER = fileURLToPath(new URL('../support/crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Users of one tag that lack their identity or their credential row (a torn write). */
async function tornUsers(storage: SequelizeStorage, tag: string): Promise<unknown[]> {
  return storage.sequelize.query(
    `SELECT u.user_id FROM gatehouse_users u
     WHERE u.email LIKE :pattern
       AND (NOT EXISTS (SELECT 1 FROM gatehouse_identities i WHERE i.user_id = u.user_id)
         OR NOT EXISTS (SELECT 1 FROM gatehouse_credentials c WHERE c.user_id = u.user_id))`,
    { type: QueryTypes.SELECT, replacements: { pattern: `${tag}-%` } },
  );
}

/**
 * SECURITY.md, Reliability: a writer killed mid-write leaves a consistent database, and a database
 * that goes away mid-request costs a 503, never a partial write, and no restart. The concurrency
 * cases (50 merges, failed-login counters, one-time codes, concurrent signups) and the session
 * store outage live beside their features: see test/security/README.md.
 */
describe('security: reliability', function () {
  this.timeout(120_000);

  describe('a writer process killed with SIGKILL mid-write, again and again', () => {
    const kind = testDatabaseKind();
    let url: string;
    let storage: SequelizeStorage;
    const tag = `crash${randomBytes(4).toString('hex')}`;

    before(async () => {
      url = kind === 'sqlite' ? `sqlite:${sqliteTempPath()}` : await testDatabaseUrl();
      storage = createSequelizeStorage({ url });
      await storage.migrate();
    });
    after(async () => {
      await storage.close();
      if (kind === 'sqlite') await removeTestDatabase(url);
    });

    /** Runs the writer until it has written `writes` users, then kills it without warning; resolves to what it reported written. */
    function killMidWrite(writes: number): Promise<string[]> {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--conditions=source', '--import=tsx', WRITER, url, tag], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        const created: string[] = [];
        let stderr = '';
        let buffer = '';
        let killed = false;
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) if (line.startsWith('created ')) created.push(line.slice('created '.length));
          if (!killed && created.length >= writes) {
            killed = true;
            // Four writers run at once: at any instant some of them are inside a transaction.
            child.kill('SIGKILL');
          }
        });
        child.on('error', reject);
        child.on('exit', (_code, signal) => {
          if (signal !== 'SIGKILL') return reject(new Error(`the writer exited on its own: ${stderr.slice(0, 2000)}`));
          resolve(created);
        });
      });
    }

    it('leaves no user without its identity and credential rows, keeps every acknowledged write, and (SQLite) passes integrity_check', async () => {
      const acknowledged: string[] = [];
      for (let round = 0; round < 5; round++) acknowledged.push(...(await killMidWrite(8 + round * 7)));
      assert.ok(acknowledged.length >= 5 * 8);

      assert.deepEqual(await tornUsers(storage, tag), []);
      const missing: string[] = [];
      for (const id of acknowledged) if (!(await storage.getUser(id))) missing.push(id);
      assert.deepEqual(missing, [], 'every write the writer saw return is durable');
      if (kind === 'sqlite') {
        assert.deepEqual(await storage.sequelize.query('PRAGMA integrity_check', { type: QueryTypes.SELECT }), [{ integrity_check: 'ok' }]);
        assert.deepEqual(await storage.sequelize.query('PRAGMA foreign_key_check', { type: QueryTypes.SELECT }), []);
      }
      // Nothing stays locked behind the dead writers: the next write goes through.
      const id = randomBytes(12).toString('hex');
      const writer = await storage.createUser({
        user_id: `auth0|${id}`, connection: 'Username-Password-Authentication', email: `${tag}-after-${id}@crash.example.com`,
        email_verified: false, username: null, phone_number: null, phone_verified: false, name: null, given_name: null, family_name: null,
        nickname: null, picture: null, blocked: false, user_metadata: {}, app_metadata: {},
        identity: { connection: 'Username-Password-Authentication', provider: 'auth0', user_id: id, isSocial: false }, password_hash: 'x', created_at: new Date(),
      });
      assert.ok(writer);
    });
  });

  describe('failed-login counters under concurrency', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp();
    });
    after(async () => t.close());

    it('counts 20 concurrent wrong passwords without losing one: at most 10 are checked, the block is recorded once and holds against the right password', async () => {
      const user = await t.auth.gatehouse.users.createUser({ email: uniqueEmail('burst'), password: STRONG_PASSWORD, email_verified: true });
      const agents = await Promise.all(Array.from({ length: 20 }, async () => {
        const agent = browser(t.app);
        return { agent, csrf: await agent.csrf() };
      }));
      const statuses = (await Promise.all(agents.map(({ agent, csrf }) =>
        agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: csrf, username: user.email, password: 'wrong password, but long' })))).map((r) => r.status);
      assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join(','));
      // Each attempt is counted before its password is checked: no more than the limit get that far.
      assert.ok(statuses.filter((s) => s === 401).length <= 10, statuses.join(','));
      const blocks = await t.auth.gatehouse.loginGuard.service.listBlocks({ userId: user.user_id, identifier: user.email! });
      assert.equal(blocks.length, 1, 'one block for the identifier and IP');
      const agent = browser(t.app);
      const right = await agent.post('/auth/login').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD });
      assert.equal(right.status, 429);
      assert.equal(right.body.errorCode, 'too_many_attempts');
    });
  });

  describe('the database going away in the middle of a request', () => {
    let t: TestApp;
    let storage: SequelizeStorage;
    let outside: SequelizeStorage;
    let proxy: TcpProxy | undefined;
    let sqliteFile: string | undefined;
    /** Makes the database unreachable for the app; resolves to the way back. */
    let takeDown: () => Promise<() => Promise<void>>;

    before(async () => {
      const shared = await testDatabaseUrl();
      if (testDatabaseKind() === 'sqlite') {
        // SQLite has no server to lose: another process holding the write lock past busy_timeout is its outage.
        sqliteFile = shared.slice('sqlite:'.length);
        storage = createSequelizeStorage({ url: shared, busyTimeoutMs: 50 });
        takeDown = async () => {
          const db = new sqlite3.Database(sqliteFile!);
          const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
          await exec('BEGIN IMMEDIATE');
          return async () => {
            await exec('COMMIT');
            await new Promise<void>((resolve) => db.close(() => resolve()));
          };
        };
      } else {
        const target = new URL(shared);
        proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
        const through = new URL(shared);
        through.port = String(proxy.port);
        storage = createSequelizeStorage({ url: through.href, connectTimeoutMs: 2000 });
        takeDown = async () => {
          proxy!.cut();
          return async () => proxy!.restore();
        };
      }
      t = await startTestApp({ database: storage });
      outside = createSequelizeStorage({ url: shared });
    });
    after(async () => {
      await t.close();
      await storage.close();
      await outside.close();
      await proxy?.stop();
      if (sqliteFile) await removeTestDatabase(`sqlite:${sqliteFile}`);
    });

    it('answers 503 storage_unavailable, writes nothing, and works again without a restart', async () => {
      const agent = browser(t.app);
      const csrf = await agent.csrf();
      const email = uniqueEmail('outage');
      // The request's reads went through; the database goes as the user's write begins.
      let restore: (() => Promise<void>) | undefined;
      const createUser = storage.createUser.bind(storage);
      storage.createUser = async (record) => {
        restore = await takeDown();
        return createUser(record);
      };
      let res;
      try {
        res = await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: csrf, email, password: STRONG_PASSWORD });
      } finally {
        storage.createUser = createUser;
        await restore?.();
      }
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.errorCode, 'storage_unavailable');
      assert.equal(res.headers['retry-after'], '5');
      assert.deepEqual(await outside.listUsersByEmail(email), [], 'no partial write');

      // Back: the same process, the same pool, the same signup.
      const again = await agent.post('/auth/signup').set('Accept', 'application/json').send({ _csrf: await agent.csrf(), email, password: STRONG_PASSWORD });
      assert.equal(again.status, 201, JSON.stringify(again.body));
      const [user] = await outside.listUsersByEmail(email);
      assert.ok(user);
      assert.equal(user.identities.length, 1);
      assert.ok(await outside.getPasswordHash(user.user_id));
    });
  });
});
