import { DataTypes, type QueryInterfaceCreateTableOptions } from 'sequelize';
import type { Migration, MigrationContext } from './migration.js';

/*
 * Bulk jobs (users imports and exports) and the per-record errors of imports. The counters and
 * the resume checkpoint live on the job row and are written in the same transaction as each
 * imported batch; error rows are keyed by (job, record number), so a batch can never list a
 * record twice. Same conventions as 0001: DATE(3), utf8mb4_bin on MySQL.
 *
 * Exports page through the users by keyset on user_id, compared and ordered in code-point order
 * (COLLATE "C" on PostgreSQL, whose default collation may be linguistic). An index in that
 * collation lets each page be an index range scan that stops after the page, instead of a sort
 * of every user per page. SQLite and MySQL (utf8mb4_bin) order the primary key that way already.
 */

const MS_DATE = DataTypes.DATE(3);

function tableOptions({ dialect }: MigrationContext): QueryInterfaceCreateTableOptions {
  return dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {};
}

const longText = ({ dialect }: MigrationContext) =>
  dialect === 'mysql' || dialect === 'mariadb' ? DataTypes.TEXT('long') : DataTypes.TEXT;

const counter = () => ({ type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });

export const jobs: Migration = {
  name: '0004-jobs',

  async up(context) {
    const { queryInterface, prefix } = context;
    await queryInterface.createTable(
      `${prefix}jobs`,
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        type: { type: DataTypes.STRING(32), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        connection: { type: DataTypes.STRING(128), allowNull: true },
        external_id: { type: DataTypes.STRING(255), allowNull: true },
        // JSON: what the job was asked.
        params: { type: DataTypes.TEXT, allowNull: false },
        inserted: counter(),
        updated: counter(),
        failed: counter(),
        total: counter(),
        checkpoint_records: counter(),
        checkpoint_bytes: counter(),
        location: { type: DataTypes.STRING(255), allowNull: true },
        error: { type: DataTypes.TEXT, allowNull: true },
        created_at: { type: MS_DATE, allowNull: false },
        updated_at: { type: MS_DATE, allowNull: false },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}jobs`, ['created_at'], { name: `${prefix}jobs_created` });
    if (context.dialect === 'postgres') {
      const q = (name: string) => queryInterface.quoteIdentifier(name);
      await context.sequelize.query(`CREATE INDEX ${q(`${prefix}users_user_id_c`)} ON ${q(`${prefix}users`)} (user_id COLLATE "C")`);
    }

    await queryInterface.createTable(
      `${prefix}job_errors`,
      {
        job_id: {
          type: DataTypes.STRING(64),
          primaryKey: true,
          allowNull: false,
          references: { model: `${prefix}jobs`, key: 'id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        record_index: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
        // JSON: the record without its password hashes, and its [{code, message, path}].
        user: { type: longText(context), allowNull: false },
        errors: { type: DataTypes.TEXT, allowNull: false },
      },
      tableOptions(context),
    );
  },

  async down({ queryInterface, prefix, dialect, sequelize }) {
    if (dialect === 'postgres') await sequelize.query(`DROP INDEX IF EXISTS ${queryInterface.quoteIdentifier(`${prefix}users_user_id_c`)}`);
    await queryInterface.dropTable(`${prefix}job_errors`);
    await queryInterface.dropTable(`${prefix}jobs`);
  },
};
