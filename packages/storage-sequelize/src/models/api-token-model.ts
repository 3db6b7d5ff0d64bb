import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `api_tokens`: a management API token by its SHA-256, never the token itself. */
export interface ApiTokenRow {
  id: string;
  name: string;
  hash: string;
  /** JSON array text. */
  scopes: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export function defineApiTokenModel(sequelize: Sequelize, prefix: string): RowModel<ApiTokenRow> {
  return sequelize.define(
    `${prefix}api_tokens`,
    {
      id: { type: DataTypes.STRING, primaryKey: true },
      name: DataTypes.STRING,
      hash: DataTypes.STRING,
      scopes: DataTypes.TEXT,
      created_at: DataTypes.DATE(3),
      expires_at: DataTypes.DATE(3),
      revoked_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}api_tokens`),
  );
}
