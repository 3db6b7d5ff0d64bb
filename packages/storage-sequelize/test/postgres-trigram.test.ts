import assert from 'node:assert/strict';
import { parseQuery } from '@gatehouse/core';
import { QueryTypes } from 'sequelize';
import { createSequelizeStorage } from '../src/index.js';
import { compileQuery } from '../src/search/compile-query.js';
import { requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

/** Which indexes a plan reads, from EXPLAIN's JSON. */
function indexesOf(plan: unknown): string[] {
  if (plan === null || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  return [
    ...(typeof node['Index Name'] === 'string' ? [node['Index Name']] : []),
    ...Object.values(node).flatMap((value) => (Array.isArray(value) ? value.flatMap(indexesOf) : indexesOf(value))),
  ];
}

describe(`trigram indexes on ${testDatabaseKind()}`, function () {
  const prefix = `trgm${process.pid}_`;
  let storage: ReturnType<typeof createSequelizeStorage> | undefined;

  before(async function () {
    // Trigram indexes exist only on PostgreSQL (pg_trgm); the other databases have nothing to check.
    if (testDatabaseKind() !== 'postgres') return this.skip();
    const url = await testDatabaseUrl();
    await requireTestDatabase(this, url);
    storage = createSequelizeStorage({ url, tablePrefix: prefix });
    await storage.migrate();
    const [trgm] = await storage.sequelize.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
    // Without the extension 0003 made no trigram index: nothing to check.
    if (trgm.length === 0) return this.skip();
  });

  after(async () => {
    if (!storage) return;
    const tables = await storage.sequelize.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '${prefix}%'`,
      { type: QueryTypes.SELECT },
    );
    const names = tables.map((t) => `"${t.tablename}"`);
    if (names.length > 0) await storage.sequelize.query(`DROP TABLE ${names.join(', ')} CASCADE`);
    await storage.close();
  });

  it('cover lower(column), so email and username equality (logins, imports) only ever reads the b-trees', async () => {
    const sequelize = storage!.sequelize;
    const [defs] = await sequelize.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE '${prefix}users\\_t\\_%'`);
    assert.equal(defs.length, 6);
    for (const { indexdef } of defs as { indexdef: string }[]) assert.match(indexdef, /USING gin \(lower\(\(\w+\)::text\) gin_trgm_ops\)/u);

    // The state an import leaves: statistics from when the table was smaller, the rest of the rows
    // in the GIN pending list. A trigram index on the bare column is chosen for `= ANY` here.
    const users = (from: number, to: number) =>
      sequelize.query(
        `INSERT INTO "${prefix}users" (user_id, connection, email_lower, username_lower, user_metadata, app_metadata, created_at, updated_at)
         SELECT 'auth0|' || i, 'db', 'user' || i || '@bench' || (i % 50) || '.example', 'user' || i, '{}', '{}', now(), now() FROM generate_series(${from}, ${to}) i`,
      );
    await users(1, 2000);
    await sequelize.query(`ANALYZE "${prefix}users"`);
    await users(2001, 3000);
    for (const [column, values] of [['email_lower', ['user7@bench7.example', 'a@b.c', 'd@e.f']], ['username_lower', ['user7', 'user8', 'nobody']]] as const) {
      for (const where of [`${column} = ANY($2::text[])`, `${column} = $2`]) {
        const [row] = await sequelize.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT user_id FROM "${prefix}users" WHERE connection = $1 AND ${where}`, {
          bind: ['db', where.includes('ANY') ? values : values[0]],
          type: QueryTypes.SELECT,
        });
        const used = indexesOf(row?.['QUERY PLAN']);
        assert.ok(used.every((name) => !name.includes('_t_')), `${where}: ${used.join(', ')}`);
      }
    }
  });

  it('still serve infix searches, which the compiler writes as lower(column) LIKE', async () => {
    const sequelize = storage!.sequelize;
    const u = sequelize.getQueryInterface().quoteIdentifier('u');
    // Statistics as autovacuum would leave them (and the GIN pending list merged into the index).
    await sequelize.query(`VACUUM ANALYZE "${prefix}users"`);
    for (const q of ['email:*bench7*', 'name:*lovelace*', 'nickname:*ada']) {
      const where = compileQuery(parseQuery(q), { sequelize, users: u, identitiesTable: `"${prefix}identities"`, metadataTable: `"${prefix}metadata_values"` });
      const used = await sequelize.transaction(async (transaction) => {
        // Scans off, so the plan shows which index can answer at all.
        await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
        const [row] = await sequelize.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM "${prefix}users" ${u} WHERE ${where.sql}`, {
          replacements: where.params,
          type: QueryTypes.SELECT,
          transaction,
        });
        return indexesOf(row?.['QUERY PLAN']);
      });
      assert.ok(used.some((name) => name.includes('_t_')), `${q}: ${used.join(', ')}`);
    }
  });
});
