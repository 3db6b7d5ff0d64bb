import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/*
 * The shared cache: short-lived entries every instance must see (SAML request ids and assertion
 * replay markers, login transactions). The primary key is what makes "add if absent" atomic.
 */
export const cache: Migration = {
  name: '0006-cache',

  async up({ queryInterface, prefix, dialect }) {
    await queryInterface.createTable(
      `${prefix}cache`,
      {
        key: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
        value: { type: DataTypes.TEXT, allowNull: false },
        expires_at: { type: DataTypes.DATE(3), allowNull: false },
      },
      dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {},
    );
    await queryInterface.addIndex(`${prefix}cache`, ['expires_at'], { name: `${prefix}cache_expires_at` });
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.dropTable(`${prefix}cache`);
  },
};
