import { DataTypes, type QueryInterfaceCreateTableOptions } from 'sequelize';
import type { Migration, MigrationContext } from './migration.js';

/*
 * Issue 8 (password policy, GDPR, audit log): past password hashes for the history rule, consent
 * records, and an index for log searches by type. Both tables hang on the user with ON DELETE
 * CASCADE, so erasing a user erases them. Same conventions as 0001: DATE(3), index-friendly
 * lengths, a binary collation on MySQL.
 */

const MS_DATE = DataTypes.DATE(3);

function tableOptions({ dialect }: MigrationContext): QueryInterfaceCreateTableOptions {
  return dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {};
}

function userReference(prefix: string) {
  return {
    type: DataTypes.STRING(255),
    allowNull: false,
    references: { model: `${prefix}users`, key: 'user_id' },
    onDelete: 'CASCADE',
    onUpdate: 'CASCADE',
  };
}

export const passwordHistoryConsents: Migration = {
  name: '0008-password-history-consents',

  async up(context) {
    const { queryInterface, prefix } = context;
    await queryInterface.createTable(
      `${prefix}password_history`,
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        user_id: userReference(prefix),
        hash: { type: DataTypes.TEXT, allowNull: false },
        created_at: { type: MS_DATE, allowNull: false },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}password_history`, ['user_id', 'created_at'], { name: `${prefix}password_history_user` });

    await queryInterface.createTable(
      `${prefix}consents`,
      {
        consent_id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        user_id: userReference(prefix),
        purpose: { type: DataTypes.STRING(64), allowNull: false },
        version: { type: DataTypes.STRING(64), allowNull: false },
        granted: { type: DataTypes.BOOLEAN, allowNull: false },
        date: { type: MS_DATE, allowNull: false },
        ip: { type: DataTypes.STRING(64), allowNull: true },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}consents`, ['user_id', 'date'], { name: `${prefix}consents_user` });

    // GET /logs?q=type:... with a date order, and the retention sweep (the date index of 0001).
    await queryInterface.addIndex(`${prefix}logs`, ['type', 'date'], { name: `${prefix}logs_type_date` });
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.removeIndex(`${prefix}logs`, `${prefix}logs_type_date`);
    await queryInterface.dropTable(`${prefix}consents`);
    await queryInterface.dropTable(`${prefix}password_history`);
  },
};
