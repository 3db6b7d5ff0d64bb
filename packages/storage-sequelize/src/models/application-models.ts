import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `applications`: the client's searchable columns, the rest as JSON text in `settings`. */
export interface ApplicationRow {
  client_id: string;
  name: string;
  client_secret_hash: string | null;
  settings: string;
  created_at: Date;
  updated_at: Date;
}

/** A row of `application_users`: the user is on the application's allow-list. */
export interface ApplicationUserRow {
  client_id: string;
  user_id: string;
}

/** A row of `application_grants`: a remembered consent (lists as JSON text). */
export interface ApplicationGrantRow {
  id: string;
  user_id: string;
  client_id: string;
  scope: string;
  claims: string;
  resource_scopes: string;
  oidc_grant_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of `oidc_payloads`: one oidc-provider artifact. */
export interface OidcPayloadRow {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Date | null;
  consumed_at: Date | null;
}

/** A row of `signing_keys`. */
export interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: string;
  encrypted_jwk: string;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

export function defineApplicationModels(sequelize: Sequelize, prefix: string) {
  const application: RowModel<ApplicationRow> = sequelize.define(
    `${prefix}applications`,
    {
      client_id: { type: DataTypes.STRING(255), primaryKey: true },
      name: DataTypes.STRING(255),
      client_secret_hash: DataTypes.STRING(64),
      settings: DataTypes.TEXT,
      created_at: DataTypes.DATE(3),
      updated_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}applications`),
  );
  const applicationUser: RowModel<ApplicationUserRow> = sequelize.define(
    `${prefix}application_users`,
    {
      client_id: { type: DataTypes.STRING(255), primaryKey: true },
      user_id: { type: DataTypes.STRING(255), primaryKey: true },
    },
    modelOptions(`${prefix}application_users`),
  );
  const applicationGrant: RowModel<ApplicationGrantRow> = sequelize.define(
    `${prefix}application_grants`,
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      user_id: DataTypes.STRING(255),
      client_id: DataTypes.STRING(255),
      scope: DataTypes.TEXT,
      claims: DataTypes.TEXT,
      resource_scopes: DataTypes.TEXT,
      oidc_grant_id: DataTypes.STRING(255),
      created_at: DataTypes.DATE(3),
      updated_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}application_grants`),
  );
  const oidcPayload: RowModel<OidcPayloadRow> = sequelize.define(
    `${prefix}oidc_payloads`,
    {
      model: { type: DataTypes.STRING(64), primaryKey: true },
      id: { type: DataTypes.STRING(191), primaryKey: true },
      payload: DataTypes.TEXT,
      grant_id: DataTypes.STRING(191),
      user_code: DataTypes.STRING(191),
      uid: DataTypes.STRING(191),
      expires_at: DataTypes.DATE(3),
      consumed_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}oidc_payloads`),
  );
  const signingKey: RowModel<SigningKeyRow> = sequelize.define(
    `${prefix}signing_keys`,
    {
      kid: { type: DataTypes.STRING(64), primaryKey: true },
      alg: DataTypes.STRING(16),
      public_jwk: DataTypes.TEXT,
      encrypted_jwk: DataTypes.TEXT,
      created_at: DataTypes.DATE(3),
      rotated_at: DataTypes.DATE(3),
      revoked_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}signing_keys`),
  );
  return { application, applicationUser, applicationGrant, oidcPayload, signingKey };
}
