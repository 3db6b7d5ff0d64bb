import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `idp_tokens`: the sealed provider tokens of one identity. */
export interface IdpTokenRow {
  provider: string;
  provider_user_id: string;
  user_id: string;
  sealed: string;
  updated_at: Date;
}

export function defineIdpTokenModel(sequelize: Sequelize, prefix: string): RowModel<IdpTokenRow> {
  return sequelize.define(
    `${prefix}idp_tokens`,
    {
      provider: { type: DataTypes.STRING(128), primaryKey: true },
      provider_user_id: { type: DataTypes.STRING(255), primaryKey: true },
      user_id: DataTypes.STRING(255),
      sealed: DataTypes.TEXT,
      updated_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}idp_tokens`),
  );
}
