import type { Migration, MigrationContext } from './migration.js';

/*
 * PostgreSQL only. Since pg_trgm 1.6 (PostgreSQL 14) a trigram GIN index also answers `=`, and the
 * planner costs that far below the b-tree: an email lookup, or an import's batch lookup of 500
 * emails, went through the trigram index, which intersects the posting lists of every trigram of
 * the value ('use', '@ex', ...: nearly every user) and scans the index's whole pending list (not
 * flushed until vacuum; never where autovacuum is off). Measured: 3.9 s for one 500-email batch at
 * 16,000 users, under 1 ms through the b-tree. The trigram indexes now cover `lower(column)`: the
 * columns are lower-cased copies, so search's infix LIKE says `lower(column)` and still finds them
 * (see compile-query.ts), while every `column = value` can only match the b-trees.
 */
const TRIGRAM = ['email_lower', 'name_lower', 'nickname_lower', 'given_name_lower', 'family_name_lower', 'username_lower'];

async function rebuild({ sequelize, queryInterface: qi, prefix }: MigrationContext, target: (column: string) => string): Promise<void> {
  const users = qi.quoteIdentifier(`${prefix}users`);
  for (const column of TRIGRAM) {
    const name = `${prefix}users_t_${column}`;
    // Only where 0003 could create them (pg_trgm may be missing, or not ours to create).
    const [found] = await sequelize.query('SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :name', { replacements: { name } });
    if (found.length === 0) continue;
    await sequelize.query(`DROP INDEX ${qi.quoteIdentifier(name)}`);
    await sequelize.query(`CREATE INDEX ${qi.quoteIdentifier(name)} ON ${users} USING gin (${target(qi.quoteIdentifier(column))} gin_trgm_ops)`);
  }
}

export const trigramExpressions: Migration = {
  name: '0014-trigram-expressions',

  async up(context) {
    if (context.dialect === 'postgres') await rebuild(context, (column) => `lower(${column})`);
  },

  async down(context) {
    if (context.dialect === 'postgres') await rebuild(context, (column) => column);
  },
};
