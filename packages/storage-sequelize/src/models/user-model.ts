import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `users`. `*_lower` columns carry the unique indexes, so lookups are exact and indexed. */
export interface UserRow {
  user_id: string;
  connection: string;
  email: string | null;
  email_lower: string | null;
  email_verified: boolean;
  username: string | null;
  username_lower: string | null;
  phone_number: string | null;
  phone_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  nickname: string | null;
  picture: string | null;
  blocked: boolean;
  /** JSON text: metadata is read and written whole, so no JSON column type is needed. */
  user_metadata: string;
  app_metadata: string;
  created_at: Date;
  updated_at: Date;
  last_login: Date | null;
  last_ip: string | null;
  logins_count: number;
  /** Lower-cased search copies (see search/searchable-columns.ts); written with the fields they copy. */
  name_lower?: string | null;
  given_name_lower?: string | null;
  family_name_lower?: string | null;
  nickname_lower?: string | null;
  email_domain?: string | null;
}

export function defineUserModel(sequelize: Sequelize, prefix: string): RowModel<UserRow> {
  return sequelize.define(
    `${prefix}users`,
    {
      user_id: { type: DataTypes.STRING, primaryKey: true },
      connection: DataTypes.STRING,
      email: DataTypes.STRING,
      email_lower: DataTypes.STRING,
      email_verified: DataTypes.BOOLEAN,
      username: DataTypes.STRING,
      username_lower: DataTypes.STRING,
      phone_number: DataTypes.STRING,
      phone_verified: DataTypes.BOOLEAN,
      name: DataTypes.STRING,
      given_name: DataTypes.STRING,
      family_name: DataTypes.STRING,
      nickname: DataTypes.STRING,
      picture: DataTypes.TEXT,
      blocked: DataTypes.BOOLEAN,
      user_metadata: DataTypes.TEXT,
      app_metadata: DataTypes.TEXT,
      created_at: DataTypes.DATE(3),
      updated_at: DataTypes.DATE(3),
      last_login: DataTypes.DATE(3),
      last_ip: DataTypes.STRING,
      logins_count: DataTypes.INTEGER,
      name_lower: DataTypes.STRING,
      given_name_lower: DataTypes.STRING,
      family_name_lower: DataTypes.STRING,
      nickname_lower: DataTypes.STRING,
      email_domain: DataTypes.STRING,
    },
    modelOptions(`${prefix}users`),
  );
}
