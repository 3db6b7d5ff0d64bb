import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `tokens`: a one-time token by its SHA-256, never the token itself. */
export interface TokenRow {
  hash: string;
  purpose: string;
  user_id: string;
  expires_at: Date;
  /** Set once, by the conditional UPDATE that redeems the token. */
  consumed_at: Date | null;
  /** JSON text. */
  data: string;
}

export function defineTokenModel(sequelize: Sequelize, prefix: string): RowModel<TokenRow> {
  return sequelize.define(
    `${prefix}tokens`,
    {
      hash: { type: DataTypes.STRING, primaryKey: true },
      purpose: DataTypes.STRING,
      user_id: DataTypes.STRING,
      expires_at: DataTypes.DATE(3),
      consumed_at: DataTypes.DATE(3),
      data: DataTypes.TEXT,
    },
    modelOptions(`${prefix}tokens`),
  );
}
