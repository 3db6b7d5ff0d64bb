import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/*
 * Passwordless one-time codes and magic links. Only hashes are stored (see PasswordlessCodes in
 * core). The primary key (connection, address) keeps one live secret per address, so a resend
 * replaces the previous one; `attempts` counts wrong tries with a single UPDATE, and redemption is
 * one conditional DELETE, so both stay atomic without transactions. Links are found by `hash`.
 */
export const passwordlessCodes: Migration = {
  name: '0012-passwordless-codes',

  async up({ queryInterface, prefix, dialect }) {
    const table = `${prefix}passwordless_codes`;
    await queryInterface.createTable(
      table,
      {
        // Connection names are at most 63 characters.
        connection: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        // A normalized email (<= 254) or E.164 number.
        address: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
        kind: { type: DataTypes.STRING(8), allowNull: false },
        hash: { type: DataTypes.STRING(64), allowNull: false },
        session_hash: { type: DataTypes.STRING(64), allowNull: true },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE(3), allowNull: false },
        expires_at: { type: DataTypes.DATE(3), allowNull: false },
      },
      dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {},
    );
    await queryInterface.addIndex(table, ['hash'], { name: `${prefix}passwordless_codes_hash`, unique: true });
    await queryInterface.addIndex(table, ['expires_at'], { name: `${prefix}passwordless_codes_expires_at` });
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.dropTable(`${prefix}passwordless_codes`);
  },
};
