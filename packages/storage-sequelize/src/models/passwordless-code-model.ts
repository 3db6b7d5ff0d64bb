import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `passwordless_codes`: the hash of a live code or link of one address. */
export interface PasswordlessCodeRow {
  connection: string;
  address: string;
  kind: 'code' | 'link';
  hash: string;
  session_hash: string | null;
  attempts: number;
  created_at: Date;
  expires_at: Date;
}

export function definePasswordlessCodeModel(sequelize: Sequelize, prefix: string): RowModel<PasswordlessCodeRow> {
  return sequelize.define(
    `${prefix}passwordless_codes`,
    {
      connection: { type: DataTypes.STRING(64), primaryKey: true },
      address: { type: DataTypes.STRING(255), primaryKey: true },
      kind: DataTypes.STRING(8),
      hash: DataTypes.STRING(64),
      session_hash: DataTypes.STRING(64),
      attempts: DataTypes.INTEGER,
      created_at: DataTypes.DATE(3),
      expires_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}passwordless_codes`),
  );
}
