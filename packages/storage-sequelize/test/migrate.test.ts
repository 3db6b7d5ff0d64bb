import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelizeStorage, type SequelizeStorage } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations/index.js';
import { removeTestDatabase, requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

const kind = testDatabaseKind();

/** Gatehouse's tables under `prefix`, children first so foreign keys let them go. */
/** Every table of this prefix (tables get added by new migrations; the list must follow by itself). */
async function tablesOf(sequelize: Sequelize, prefix: string): Promise<string[]> {
  const all = (await sequelize.getQueryInterface().showAllTables()) as unknown as (string | { tableName: string })[];
  return all.map((t) => (typeof t === 'string' ? t : t.tableName)).filter((name) => name.startsWith(prefix));
}

/** Drops every table of the prefix; foreign keys decide the order, so drop what can go and repeat. */
async function dropTables(sequelize: Sequelize, prefix: string): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const tables = await tablesOf(sequelize, prefix);
    if (tables.length === 0) return;
    for (const table of tables) await sequelize.getQueryInterface().dropTable(table).catch(() => undefined);
  }
  throw new Error(`could not drop the tables of ${prefix}: ${(await tablesOf(sequelize, prefix)).join(', ')}`);
}

async function migrationNames(sequelize: Sequelize, prefix: string): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(`SELECT name FROM ${sequelize.getQueryInterface().quoteIdentifier(`${prefix}migrations`)}`, {
    type: QueryTypes.SELECT,
  });
  return rows.map((r) => r.name);
}

describe(`migrations on ${kind}`, function () {
  this.timeout(60_000);
  let url: string;
  // A fresh prefix per run: on the shared PostgreSQL/MariaDB database each test migrates from nothing.
  let prefix: string;
  const storages: SequelizeStorage[] = [];
  const open = () => {
    const storage = createSequelizeStorage({ url, tablePrefix: prefix });
    storages.push(storage);
    return storage;
  };

  before(async function () {
    url = await testDatabaseUrl(kind);
    await requireTestDatabase(this, url);
  });

  beforeEach(() => {
    prefix = `ght${randomBytes(4).toString('hex')}_`;
  });

  afterEach(async () => {
    const [first] = storages;
    if (first && kind !== 'sqlite') await dropTables(first.sequelize, prefix);
    for (const storage of storages.splice(0)) await storage.close();
  });

  after(async () => {
    if (url) await removeTestDatabase(url);
  });

  const ALL = MIGRATIONS.map((m) => m.name);

  it('records every migration once and does nothing the second time', async () => {
    const storage = open();
    await storage.migrate();
    assert.deepEqual(await migrationNames(storage.sequelize, prefix), ALL);
    const sid = `sid-${randomBytes(4).toString('hex')}`;
    const record = { data: '{}', expires_at: new Date(Date.now() + 60_000), user_id: null };
    await storage.setSession(sid, record);
    await storage.migrate();
    assert.deepEqual(await migrationNames(storage.sequelize, prefix), ALL);
    assert.deepEqual(await storage.getSession(sid, new Date()), record);
  });

  it('lets four storages migrate one empty database at the same time', async () => {
    const all = [open(), open(), open(), open()];
    await Promise.all(all.map((s) => s.migrate()));
    assert.deepEqual(await migrationNames(all[0]!.sequelize, prefix), ALL);
    for (const storage of all) assert.equal(await storage.countUsers(), 0);
  });

  it('fits every index name in 64 characters with the longest allowed table prefix', async () => {
    prefix = `ght${randomBytes(16).toString('hex')}`.slice(0, 31) + '_';
    assert.equal(prefix.length, 32);
    const storage = open();
    await storage.migrate();
    const queryInterface = storage.sequelize.getQueryInterface();
    const names: string[] = [];
    for (const table of await tablesOf(storage.sequelize, prefix)) {
      const indexes = (await queryInterface.showIndex(table)) as { name: string }[];
      names.push(...indexes.map((i) => i.name).filter((name) => name.startsWith(prefix)));
    }
    assert.ok(names.includes(`${prefix}users_conn_email`), names.join(', '));
    for (const name of names) assert.ok(name.length <= 64, name);
  });
});
