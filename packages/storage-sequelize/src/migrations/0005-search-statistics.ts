import type { Migration } from './migration.js';

/*
 * PostgreSQL plans metadata searches from row estimates, and without help it multiplies the
 * selectivities of source, path and value as if they were independent (they are not: `age` values
 * live only under path `age`), underestimating ten-fold and driving a 1M-user search from the
 * wrong end. Extended statistics over the columns together fix the estimates. Other databases
 * have no equivalent; nothing to do there.
 */
export const searchStatistics: Migration = {
  name: '0005-search-statistics',

  async up({ sequelize, dialect, prefix, queryInterface: qi }) {
    if (dialect !== 'postgres') return;
    const table = qi.quoteIdentifier(`${prefix}metadata_values`);
    await sequelize.query(`CREATE STATISTICS IF NOT EXISTS ${qi.quoteIdentifier(`${prefix}mv_num_stats`)} (dependencies, mcv) ON source, path, value_num FROM ${table}`);
    await sequelize.query(`CREATE STATISTICS IF NOT EXISTS ${qi.quoteIdentifier(`${prefix}mv_text_stats`)} (dependencies, mcv) ON source, path, value_text FROM ${table}`);
    await sequelize.query(`ANALYZE ${table}`);
  },

  async down({ sequelize, dialect, prefix, queryInterface: qi }) {
    if (dialect !== 'postgres') return;
    await sequelize.query(`DROP STATISTICS IF EXISTS ${qi.quoteIdentifier(`${prefix}mv_num_stats`)}`);
    await sequelize.query(`DROP STATISTICS IF EXISTS ${qi.quoteIdentifier(`${prefix}mv_text_stats`)}`);
  },
};
