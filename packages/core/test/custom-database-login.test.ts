import assert from 'node:assert/strict';
import {
  CustomDatabaseLogin,
  GatehouseError,
  resolveCustomDatabaseOptions,
  runScript,
  UserService,
  type CustomDatabaseOptions,
} from '../src/index.js';
import { createMemoryStorage } from '../src/testing/index.js';

/* CustomDatabaseLogin on the in-memory reference store; the HTTP suite (test/integration) runs it on real databases. */

const quiet = { error: () => undefined };
const call = { connection: 'legacy', script: 'login', timeoutMs: 200, logger: quiet };

describe('custom database login', () => {
  it('maps script outcomes to stable codes', async () => {
    await assert.rejects(runScript(call, () => { throw new Error('sync failure'); }), { code: 'connection_unavailable' });
    await assert.rejects(runScript(call, async () => Promise.reject(new Error('async failure'))), { code: 'connection_unavailable' });
    const ported = Object.assign(new Error('nope'), { name: 'WrongUsernameOrPasswordError' });
    await assert.rejects(runScript(call, async () => Promise.reject(ported)), { code: 'invalid_credentials' });
    await assert.rejects(runScript(call, async () => Promise.reject(new GatehouseError('user_blocked'))), { code: 'user_blocked' });
    await assert.rejects(runScript(call, () => new Promise(() => undefined)), { code: 'connection_unavailable' });
    assert.equal(await runScript(call, async () => 42), 42);
  });

  it('migrates once on the memory store, then checks locally', async () => {
    const storage = createMemoryStorage();
    const users = new UserService({ storage });
    let calls = 0;
    const options: CustomDatabaseOptions = {
      name: 'legacy',
      import: true,
      login: async (email, password) => {
        calls += 1;
        return email === 'ann@example.com' && password === 'old secret' ? { user_id: 7, email, username: 'ann' } : null;
      },
      getUser: async () => null,
    };
    const login = new CustomDatabaseLogin(users, resolveCustomDatabaseOptions(options), quiet);
    assert.deepEqual(await login.login('ann@example.com', 'old secret'), { provider: 'auth0', user_id: '7' });
    assert.match((await storage.getPasswordHash('auth0|7'))!, /^\$argon2id\$/u);
    await login.login('ANN', 'old secret');
    await assert.rejects(login.login('ann@example.com', 'wrong'), { code: 'invalid_credentials' });
    await assert.rejects(login.login('bob@example.com', 'old secret'), { code: 'invalid_credentials' });
    await assert.rejects(login.login('ann@example.com', ['old secret']), { code: 'invalid_body' });
    assert.equal(calls, 2);
  });

  it('refuses profiles it cannot store, and drops unknown fields', async () => {
    const storage = createMemoryStorage();
    const users = new UserService({ storage });
    const profiles: unknown[] = [
      { email: 'x@example.com' },
      { user_id: 'a', email: 'not an email' },
      { user_id: 'a' },
      { user_id: 'a', email: 'x@example.com', app_metadata: { blocked: true } },
      { user_id: 'a\nb', email: 'x@example.com' },
      'a string',
    ];
    for (const profile of profiles) {
      const login = new CustomDatabaseLogin(
        users,
        resolveCustomDatabaseOptions({ name: 'legacy', import: false, login: async () => profile as never }),
        quiet,
      );
      await assert.rejects(login.login('x@example.com', 'pw'), { code: 'invalid_profile' }, JSON.stringify(profile));
    }
    assert.equal(await storage.countUsers(), 0);
    const login = new CustomDatabaseLogin(
      users,
      resolveCustomDatabaseOptions({ name: 'legacy', import: false, login: async () => ({ user_id: 'a', email: 'x@example.com', password: 'leak' }) as never }),
      quiet,
    );
    await login.login('x@example.com', 'pw');
    assert.doesNotMatch(JSON.stringify(await storage.getUser('auth0|a')), /leak/u);
    assert.equal(await storage.getPasswordHash('auth0|a'), null);
  });
});
