import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/*
 * Brute-force blocks (Auth0's `/user-blocks`): one row per (identifier, ip) in force. The counts
 * that lead to a block live in the rate limiter (memory or Redis); the block itself lives here,
 * because it outlives the counting window, every instance must honour it, and admins list it by
 * identifier or user. The unique index is what makes "block once" atomic.
 */
export const loginBlocks: Migration = {
  name: '0007-login-blocks',

  async up({ queryInterface, prefix, dialect }) {
    const table = `${prefix}login_blocks`;
    await queryInterface.createTable(
      table,
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        // Normalized email or username, <= 254 characters.
        identifier: { type: DataTypes.STRING(255), allowNull: false },
        // The longest IPv6 text form is 45 characters; room for a zone id.
        ip: { type: DataTypes.STRING(64), allowNull: false },
        connection: { type: DataTypes.STRING(255), allowNull: false },
        // Null for an identifier that names no user; the user's blocks go with the user.
        user_id: {
          type: DataTypes.STRING(255),
          allowNull: true,
          references: { model: `${prefix}users`, key: 'user_id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        created_at: { type: DataTypes.DATE(3), allowNull: false },
        expires_at: { type: DataTypes.DATE(3), allowNull: false },
      },
      dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {},
    );
    await queryInterface.addIndex(table, ['identifier', 'ip'], { name: `${prefix}login_blocks_identifier_ip`, unique: true });
    await queryInterface.addIndex(table, ['user_id'], { name: `${prefix}login_blocks_user_id` });
    await queryInterface.addIndex(table, ['expires_at'], { name: `${prefix}login_blocks_expires_at` });
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.dropTable(`${prefix}login_blocks`);
  },
};
