import assert from 'node:assert/strict';
import { Sequelize } from 'sequelize';
import { createSequelizeStorage, DEFAULTS } from '../src/index.js';

describe('createSequelizeStorage options', () => {
  const rejectsWith = (options: Parameters<typeof createSequelizeStorage>[0], message: RegExp) =>
    assert.throws(() => createSequelizeStorage(options), (err: unknown) => err instanceof TypeError && message.test(err.message));

  it('throws a TypeError naming the scheme for an unknown URL scheme', () => {
    rejectsWith({ url: 'mongodb://127.0.0.1/gatehouse' }, /unknown scheme "mongodb:".*sqlite:, postgres:/);
    rejectsWith({ url: './data/gatehouse.sqlite' }, /unknown scheme "\(none\)"/);
  });

  it('never repeats a password from the URL in its message', () => {
    assert.throws(
      () => createSequelizeStorage({ url: 'mssql://sa:hunter2@db/gatehouse' }),
      (err: unknown) => err instanceof TypeError && !err.message.includes('hunter2'),
    );
    assert.throws(
      () => createSequelizeStorage({ url: 'postgres://sa:hunter2@' }),
      (err: unknown) => err instanceof TypeError && !err.message.includes('hunter2'),
    );
  });

  it('requires a host and a database in network URLs', () => {
    rejectsWith({ url: 'postgres://127.0.0.1' }, /host and a database/);
    rejectsWith({ url: 'mysql://' }, /not a valid mysql: URL|host and a database/);
  });

  it('requires a file for sqlite:', () => {
    rejectsWith({ url: 'sqlite:' }, /needs a file path/);
  });

  it('requires url or sequelize, and not both', () => {
    rejectsWith({}, /options\.url is required/);
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    rejectsWith({ url: 'sqlite::memory:', sequelize }, /not both/);
    rejectsWith({ sequelize: {} as Sequelize }, /must be a Sequelize instance/);
  });

  it('refuses bad numbers and table prefixes', () => {
    rejectsWith({ url: 'sqlite::memory:', busyTimeoutMs: -1 }, /busyTimeoutMs must be a non-negative integer/);
    rejectsWith({ url: 'sqlite::memory:', connectTimeoutMs: 0 }, /connectTimeoutMs must be a positive integer/);
    rejectsWith({ url: 'sqlite::memory:', tablePrefix: 'gh-' }, /tablePrefix/);
    rejectsWith({ url: 'sqlite::memory:', tablePrefix: 'x'.repeat(33) }, /tablePrefix/);
  });

  it('accepts every supported URL form and reports the dialect', async () => {
    const cases = [
      ['sqlite::memory:', 'sqlite'],
      ['postgres://u@127.0.0.1:5432/db', 'postgres'],
      ['postgresql://u@127.0.0.1/db', 'postgres'],
      ['mysql://u@127.0.0.1/db', 'mysql'],
      ['mariadb://u@127.0.0.1/db', 'mariadb'],
    ] as const;
    for (const [url, dialect] of cases) {
      const storage = createSequelizeStorage({ url });
      assert.equal(storage.dialect, dialect, url);
      await storage.close();
    }
  });

  it('lets 0 be set where 0 means something (merged with ??, not ||)', async () => {
    const storage = createSequelizeStorage({ url: 'sqlite::memory:', busyTimeoutMs: 0, tablePrefix: '' });
    await storage.migrate();
    const [rows] = await storage.sequelize.query('PRAGMA busy_timeout');
    assert.deepEqual(rows, [{ timeout: 0 }]);
    const tables = await storage.sequelize.getQueryInterface().showAllTables();
    assert.ok(tables.includes('users'));
    await storage.close();
  });

  it('documents its defaults', () => {
    assert.deepEqual(DEFAULTS, { logging: false, busyTimeoutMs: 5000, connectTimeoutMs: 10_000, tablePrefix: 'gatehouse_', exactCountUpTo: 10_000 });
  });
});
