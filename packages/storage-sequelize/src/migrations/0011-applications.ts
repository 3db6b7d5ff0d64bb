import { DataTypes, type QueryInterfaceCreateTableOptions } from 'sequelize';
import type { Migration, MigrationContext } from './migration.js';

/*
 * Issue 6 (Gatehouse as an OpenID Connect provider): applications (OAuth clients), their
 * per-user allow-lists, remembered consents, oidc-provider's artifacts (one generic table keyed
 * by model + id, with the grant/uid/user-code lookups its adapter interface needs) and the
 * provider's signing keys. Allow-lists and consents hang on the user and the application with ON
 * DELETE CASCADE. Same conventions as 0001: DATE(3), index-friendly lengths, a binary collation
 * on MySQL.
 */

const MS_DATE = DataTypes.DATE(3);

function tableOptions({ dialect }: MigrationContext): QueryInterfaceCreateTableOptions {
  return dialect === 'mysql' || dialect === 'mariadb' ? { charset: 'utf8mb4', collate: 'utf8mb4_bin' } : {};
}

function reference(table: string, key: string) {
  return {
    type: DataTypes.STRING(255),
    allowNull: false,
    references: { model: table, key },
    onDelete: 'CASCADE',
    onUpdate: 'CASCADE',
  };
}

export const applications: Migration = {
  name: '0011-applications',

  async up(context) {
    const { queryInterface, prefix } = context;
    await queryInterface.createTable(
      `${prefix}applications`,
      {
        client_id: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
        name: { type: DataTypes.STRING(255), allowNull: false },
        client_secret_hash: { type: DataTypes.STRING(64), allowNull: true },
        // Everything else of the client (URLs, grant types, access rule): read and written whole.
        settings: { type: DataTypes.TEXT, allowNull: false },
        created_at: { type: MS_DATE, allowNull: false },
        updated_at: { type: MS_DATE, allowNull: false },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}applications`, ['name', 'client_id'], { name: `${prefix}applications_name` });

    await queryInterface.createTable(
      `${prefix}application_users`,
      {
        client_id: { ...reference(`${prefix}applications`, 'client_id'), primaryKey: true },
        user_id: { ...reference(`${prefix}users`, 'user_id'), primaryKey: true },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}application_users`, ['user_id'], { name: `${prefix}application_users_user` });

    await queryInterface.createTable(
      `${prefix}application_grants`,
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        user_id: reference(`${prefix}users`, 'user_id'),
        client_id: reference(`${prefix}applications`, 'client_id'),
        scope: { type: DataTypes.TEXT, allowNull: false },
        claims: { type: DataTypes.TEXT, allowNull: false },
        resource_scopes: { type: DataTypes.TEXT, allowNull: false },
        oidc_grant_id: { type: DataTypes.STRING(255), allowNull: true },
        created_at: { type: MS_DATE, allowNull: false },
        updated_at: { type: MS_DATE, allowNull: false },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}application_grants`, ['user_id', 'client_id'], { name: `${prefix}application_grants_pair`, unique: true });
    await queryInterface.addIndex(`${prefix}application_grants`, ['client_id'], { name: `${prefix}application_grants_client` });

    await queryInterface.createTable(
      `${prefix}oidc_payloads`,
      {
        model: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        id: { type: DataTypes.STRING(191), primaryKey: true, allowNull: false },
        payload: { type: DataTypes.TEXT, allowNull: false },
        grant_id: { type: DataTypes.STRING(191), allowNull: true },
        user_code: { type: DataTypes.STRING(191), allowNull: true },
        uid: { type: DataTypes.STRING(191), allowNull: true },
        expires_at: { type: MS_DATE, allowNull: true },
        consumed_at: { type: MS_DATE, allowNull: true },
      },
      tableOptions(context),
    );
    await queryInterface.addIndex(`${prefix}oidc_payloads`, ['grant_id'], { name: `${prefix}oidc_payloads_grant` });
    await queryInterface.addIndex(`${prefix}oidc_payloads`, ['model', 'uid'], { name: `${prefix}oidc_payloads_uid` });
    await queryInterface.addIndex(`${prefix}oidc_payloads`, ['model', 'user_code'], { name: `${prefix}oidc_payloads_user_code` });
    await queryInterface.addIndex(`${prefix}oidc_payloads`, ['expires_at'], { name: `${prefix}oidc_payloads_expires_at` });

    await queryInterface.createTable(
      `${prefix}signing_keys`,
      {
        kid: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        alg: { type: DataTypes.STRING(16), allowNull: false },
        public_jwk: { type: DataTypes.TEXT, allowNull: false },
        encrypted_jwk: { type: DataTypes.TEXT, allowNull: false },
        created_at: { type: MS_DATE, allowNull: false },
        rotated_at: { type: MS_DATE, allowNull: true },
        revoked_at: { type: MS_DATE, allowNull: true },
      },
      tableOptions(context),
    );
  },

  async down({ queryInterface, prefix }) {
    await queryInterface.dropTable(`${prefix}signing_keys`);
    await queryInterface.dropTable(`${prefix}oidc_payloads`);
    await queryInterface.dropTable(`${prefix}application_grants`);
    await queryInterface.dropTable(`${prefix}application_users`);
    await queryInterface.dropTable(`${prefix}applications`);
  },
};
