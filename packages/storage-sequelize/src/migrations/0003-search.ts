import { DataTypes, QueryTypes } from 'sequelize';
import { metadataValueRows } from '../search/metadata-values.js';
import { searchCopies } from '../search/searchable-columns.js';
import type { Migration, MigrationContext } from './migration.js';

/*
 * What user search needs to stay indexed at a million users: lower-cased copies of the
 * case-insensitive fields (plain b-tree indexes then serve exact and prefix matches on every
 * database), the email domain, indexes on the other searchable columns, and a side table of
 * metadata scalars (user, source, path, value) so metadata queries never scan JSON. On PostgreSQL,
 * text indexes use varchar_pattern_ops (LIKE 'x%' under any collation) and pg_trgm serves infix
 * wildcards when the extension can be created.
 */

const COPIES = ['name_lower', 'given_name_lower', 'family_name_lower', 'nickname_lower'] as const;
const TEXT_INDEXES = ['email_lower', 'username_lower', 'email_domain', 'phone_number', 'last_ip', ...COPIES];
const OTHER_INDEXES = ['created_at', 'updated_at', 'last_login', 'logins_count'];
const TRIGRAM = ['email_lower', 'name_lower', 'nickname_lower', 'given_name_lower', 'family_name_lower', 'username_lower'];

async function backfill({ sequelize, prefix }: MigrationContext): Promise<void> {
  const qi = sequelize.getQueryInterface();
  const users = qi.quoteIdentifier(`${prefix}users`);
  let after = '';
  for (;;) {
    const rows = await sequelize.query<{
      user_id: string;
      email: string | null;
      name: string | null;
      given_name: string | null;
      family_name: string | null;
      nickname: string | null;
      user_metadata: string;
      app_metadata: string;
    }>(
      `SELECT user_id, email, name, given_name, family_name, nickname, user_metadata, app_metadata FROM ${users} WHERE user_id > :after ORDER BY user_id LIMIT 500`,
      { type: QueryTypes.SELECT, replacements: { after } },
    );
    if (rows.length === 0) return;
    for (const row of rows) {
      await qi.bulkUpdate(`${prefix}users`, searchCopies(row), { user_id: row.user_id });
      const values = [
        ...metadataValueRows(row.user_id, 'user', JSON.parse(row.user_metadata)),
        ...metadataValueRows(row.user_id, 'app', JSON.parse(row.app_metadata)),
      ];
      if (values.length > 0) await qi.bulkInsert(`${prefix}metadata_values`, values);
    }
    after = rows[rows.length - 1]!.user_id;
  }
}

export const search: Migration = {
  name: '0003-search',

  async up(context) {
    const { queryInterface: qi, prefix, dialect, sequelize } = context;
    const users = `${prefix}users`;
    for (const column of COPIES) await qi.addColumn(users, column, { type: DataTypes.STRING(300), allowNull: true });
    await qi.addColumn(users, 'email_domain', { type: DataTypes.STRING(255), allowNull: true });

    await qi.createTable(
      `${prefix}metadata_values`,
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        user_id: {
          type: DataTypes.STRING(255),
          allowNull: false,
          references: { model: users, key: 'user_id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        source: { type: DataTypes.STRING(8), allowNull: false },
        path: { type: DataTypes.STRING(255), allowNull: false },
        value_text: { type: DataTypes.STRING(255), allowNull: true },
        value_num: { type: DataTypes.DOUBLE, allowNull: true },
      },
      dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {},
    );
    const pg = dialect === 'postgres';
    const field = (name: string) => (pg ? { name, operator: 'varchar_pattern_ops' } : name);
    for (const column of TEXT_INDEXES) {
      await qi.addIndex(users, { fields: [field(column)], name: `${prefix}users_s_${column}` });
    }
    for (const column of OTHER_INDEXES) await qi.addIndex(users, [column], { name: `${prefix}users_s_${column}` });
    await qi.addIndex(`${prefix}metadata_values`, { fields: ['source', 'path', field('value_text')], name: `${prefix}mv_text` });
    await qi.addIndex(`${prefix}metadata_values`, ['source', 'path', 'value_num'], { name: `${prefix}mv_num` });
    await qi.addIndex(`${prefix}metadata_values`, ['user_id'], { name: `${prefix}mv_user` });
    await qi.addIndex(`${prefix}identities`, ['connection', 'user_id'], { name: `${prefix}identities_conn` });

    if (pg && (await trigramAvailable(context))) {
      for (const column of TRIGRAM) {
        await sequelize.query(
          `CREATE INDEX ${qi.quoteIdentifier(`${prefix}users_t_${column}`)} ON ${qi.quoteIdentifier(users)} USING gin (${qi.quoteIdentifier(column)} gin_trgm_ops)`,
        );
      }
    }
    await backfill(context);
  },

  async down({ queryInterface: qi, prefix }) {
    await qi.dropTable(`${prefix}metadata_values`);
    for (const column of [...COPIES, 'email_domain']) await qi.removeColumn(`${prefix}users`, column);
  },
};

/** pg_trgm is a contrib extension: present on most servers, but creating it may need rights we lack. */
async function trigramAvailable({ sequelize }: MigrationContext): Promise<boolean> {
  try {
    await sequelize.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    return true;
  } catch {
    return false;
  }
}
