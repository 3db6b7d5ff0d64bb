import { DataTypes, type ModelAttributes, type QueryInterfaceCreateTableOptions } from 'sequelize';
import type { Migration, MigrationContext } from './migration.js';

/*
 * The first schema. Column definitions live here, not in the models: a migration is a frozen
 * snapshot, while models follow the current schema.
 *
 * Lengths are chosen so every index fits InnoDB's 3072-byte key limit in utf8mb4 (4 bytes a
 * character); index names are `<prefix><table>_<what>`, under MySQL's 64 characters with a
 * 32-character prefix. Times are DATE(3): DATETIME(3) on MySQL, which drops milliseconds
 * otherwise; PostgreSQL and SQLite keep them anyway.
 */

const MS_DATE = DataTypes.DATE(3);
/** LONGTEXT on MySQL, where plain TEXT stops at 64 KB (metadata may reach 1 MB); TEXT is unbounded elsewhere. */
const longText = ({ dialect }: MigrationContext) =>
  dialect === 'mysql' || dialect === 'mariadb' ? DataTypes.TEXT('long') : DataTypes.TEXT;

function tableOptions({ dialect }: MigrationContext): QueryInterfaceCreateTableOptions {
  // utf8mb4 for emoji; the binary collation makes uniqueness exact, as on PostgreSQL and SQLite
  // (a *_ci collation would treat "é" and "e" as one email).
  return dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {};
}

const cascadeTo = (table: string, key: string) => ({
  references: { model: table, key },
  onDelete: 'CASCADE',
  onUpdate: 'CASCADE',
});

function schema(context: MigrationContext): Record<string, ModelAttributes> {
  const { prefix } = context;
  const users = `${prefix}users`;
  const LONG_TEXT = longText(context);
  return {
    users: {
      user_id: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
      connection: { type: DataTypes.STRING(128), allowNull: false },
      email: { type: DataTypes.STRING(320), allowNull: true },
      email_lower: { type: DataTypes.STRING(320), allowNull: true },
      email_verified: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      username: { type: DataTypes.STRING(128), allowNull: true },
      username_lower: { type: DataTypes.STRING(128), allowNull: true },
      phone_number: { type: DataTypes.STRING(64), allowNull: true },
      phone_verified: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      name: { type: DataTypes.STRING(300), allowNull: true },
      given_name: { type: DataTypes.STRING(300), allowNull: true },
      family_name: { type: DataTypes.STRING(300), allowNull: true },
      nickname: { type: DataTypes.STRING(300), allowNull: true },
      picture: { type: DataTypes.TEXT, allowNull: true },
      blocked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      user_metadata: { type: LONG_TEXT, allowNull: false },
      app_metadata: { type: LONG_TEXT, allowNull: false },
      created_at: { type: MS_DATE, allowNull: false },
      updated_at: { type: MS_DATE, allowNull: false },
      last_login: { type: MS_DATE, allowNull: true },
      last_ip: { type: DataTypes.STRING(64), allowNull: true },
      logins_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    },
    identities: {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      user_id: { type: DataTypes.STRING(255), allowNull: false, ...cascadeTo(users, 'user_id') },
      connection: { type: DataTypes.STRING(128), allowNull: false },
      provider: { type: DataTypes.STRING(128), allowNull: false },
      provider_user_id: { type: DataTypes.STRING(255), allowNull: false },
      is_social: { type: DataTypes.BOOLEAN, allowNull: false },
      profile_data: { type: LONG_TEXT, allowNull: true },
    },
    credentials: {
      user_id: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false, ...cascadeTo(users, 'user_id') },
      password_hash: { type: DataTypes.TEXT, allowNull: false },
      updated_at: { type: MS_DATE, allowNull: false },
    },
    tokens: {
      hash: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false },
      purpose: { type: DataTypes.STRING(32), allowNull: false },
      user_id: { type: DataTypes.STRING(255), allowNull: false, ...cascadeTo(users, 'user_id') },
      expires_at: { type: MS_DATE, allowNull: false },
      consumed_at: { type: MS_DATE, allowNull: true },
      data: { type: LONG_TEXT, allowNull: false },
    },
    sessions: {
      sid: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
      data: { type: LONG_TEXT, allowNull: false },
      expires_at: { type: MS_DATE, allowNull: false },
      user_id: { type: DataTypes.STRING(255), allowNull: true },
    },
    roles: {
      id: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false },
      name: { type: DataTypes.STRING(191), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
    },
    role_permissions: {
      role_id: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false, ...cascadeTo(`${prefix}roles`, 'id') },
      resource_server_identifier: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
      permission_name: { type: DataTypes.STRING(191), primaryKey: true, allowNull: false },
    },
    user_roles: {
      user_id: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false, ...cascadeTo(users, 'user_id') },
      role_id: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false, ...cascadeTo(`${prefix}roles`, 'id') },
    },
    logs: {
      log_id: { type: DataTypes.STRING(128), primaryKey: true, allowNull: false },
      date: { type: MS_DATE, allowNull: false },
      type: { type: DataTypes.STRING(32), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
      user_id: { type: DataTypes.STRING(255), allowNull: true },
      ip: { type: DataTypes.STRING(64), allowNull: true },
      details: { type: LONG_TEXT, allowNull: false },
    },
  };
}

/** [table, index suffix, columns, unique] */
const INDEXES: [string, string, string[], boolean][] = [
  // NULL emails and usernames may repeat: every supported database treats NULLs as distinct in a unique index.
  ['users', 'conn_email', ['connection', 'email_lower'], true],
  ['users', 'conn_username', ['connection', 'username_lower'], true],
  ['users', 'email', ['email_lower'], false],
  ['identities', 'provider_uid', ['provider', 'provider_user_id'], true],
  ['identities', 'user', ['user_id'], false],
  ['tokens', 'user', ['user_id'], false],
  ['sessions', 'expires', ['expires_at'], false],
  ['sessions', 'user', ['user_id'], false],
  ['roles', 'name', ['name'], true],
  ['user_roles', 'role', ['role_id'], false],
  ['logs', 'date', ['date'], false],
  ['logs', 'user_date', ['user_id', 'date'], false],
];

/** Tables in creation order: referenced tables first. */
const TABLES = ['users', 'identities', 'credentials', 'tokens', 'sessions', 'roles', 'role_permissions', 'user_roles', 'logs'];

export const initial: Migration = {
  name: '0001-initial',

  async up(context) {
    const { queryInterface, prefix } = context;
    const tables = schema(context);
    for (const table of TABLES) {
      await queryInterface.createTable(`${prefix}${table}`, tables[table]!, tableOptions(context));
    }
    for (const [table, suffix, fields, unique] of INDEXES) {
      await queryInterface.addIndex(`${prefix}${table}`, fields, { name: `${prefix}${table}_${suffix}`, unique });
    }
  },

  async down({ queryInterface, prefix }) {
    for (const table of [...TABLES].reverse()) await queryInterface.dropTable(`${prefix}${table}`);
  },
};
