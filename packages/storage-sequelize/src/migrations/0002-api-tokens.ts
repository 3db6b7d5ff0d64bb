import { DataTypes, type QueryInterfaceCreateTableOptions } from 'sequelize';
import type { Migration, MigrationContext } from './migration.js';

/*
 * The tables the management API brought: API tokens (hashed), and permissions granted to a user
 * directly rather than through a role. Same conventions as 0001: index-friendly lengths for
 * utf8mb4, DATE(3), a binary collation on MySQL.
 */

const MS_DATE = DataTypes.DATE(3);

function tableOptions({ dialect }: MigrationContext): QueryInterfaceCreateTableOptions {
  return dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {};
}

export const apiTokens: Migration = {
  name: '0002-api-tokens',

  async up(context) {
    const { queryInterface, prefix } = context;
    await queryInterface.createTable(
      `${prefix}api_tokens`,
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        name: { type: DataTypes.STRING(255), allowNull: false },
        // SHA-256 hex of the token; the token itself is never stored.
        hash: { type: DataTypes.STRING(64), allowNull: false },
        // JSON array of scope names.
        scopes: { type: DataTypes.TEXT, allowNull: false },
        created_at: { type: MS_DATE, allowNull: false },
        expires_at: { type: MS_DATE, allowNull: true },
        revoked_at: { type: MS_DATE, allowNull: true },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}api_tokens`, ['hash'], { name: `${prefix}api_tokens_hash`, unique: true });

    await queryInterface.createTable(
      `${prefix}user_permissions`,
      {
        user_id: {
          type: DataTypes.STRING(255),
          primaryKey: true,
          allowNull: false,
          references: { model: `${prefix}users`, key: 'user_id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        resource_server_identifier: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
        permission_name: { type: DataTypes.STRING(191), primaryKey: true, allowNull: false },
      },
      tableOptions(context),
    );
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.dropTable(`${prefix}user_permissions`);
    await queryInterface.dropTable(`${prefix}api_tokens`);
  },
};
