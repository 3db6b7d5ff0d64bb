import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `credentials`: the password hash, kept apart from the profile so profile reads never carry it. */
export interface CredentialRow {
  user_id: string;
  password_hash: string;
  updated_at: Date;
}

export function defineCredentialModel(sequelize: Sequelize, prefix: string): RowModel<CredentialRow> {
  return sequelize.define(
    `${prefix}credentials`,
    {
      user_id: { type: DataTypes.STRING, primaryKey: true },
      password_hash: DataTypes.TEXT,
      updated_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}credentials`),
  );
}
