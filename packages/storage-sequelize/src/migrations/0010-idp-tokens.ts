import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/*
 * Provider tokens (OAuth access and refresh tokens) per identity, sealed by core with AES-256-GCM
 * before they get here: the table only ever holds ciphertext. One row per identity (provider,
 * provider_user_id); the row follows the user holding the identity and goes with that user.
 */
export const idpTokens: Migration = {
  name: '0010-idp-tokens',

  async up({ queryInterface, prefix, dialect }) {
    const table = `${prefix}idp_tokens`;
    await queryInterface.createTable(
      table,
      {
        provider: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false },
        provider_user_id: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
        user_id: {
          type: DataTypes.STRING(255),
          allowNull: false,
          references: { model: `${prefix}users`, key: 'user_id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        // Access tokens of some providers are JWTs of several kB; TEXT holds 64 kB on MySQL.
        sealed: { type: DataTypes.TEXT, allowNull: false },
        updated_at: { type: DataTypes.DATE(3), allowNull: false },
      },
      dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {},
    );
    await queryInterface.addIndex(table, ['user_id'], { name: `${prefix}idp_tokens_user_id` });
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.dropTable(`${prefix}idp_tokens`);
  },
};
