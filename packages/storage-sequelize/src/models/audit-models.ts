import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `password_history`: one past hash of a user (cascades with the user). */
export interface PasswordHistoryRow {
  id: string;
  user_id: string;
  hash: string;
  created_at: Date;
}

/** A row of `consents` (cascades with the user). */
export interface ConsentRow {
  consent_id: string;
  user_id: string;
  purpose: string;
  version: string;
  granted: boolean;
  date: Date;
  ip: string | null;
}

export function defineAuditModels(sequelize: Sequelize, prefix: string) {
  const passwordHistory: RowModel<PasswordHistoryRow> = sequelize.define(
    `${prefix}password_history`,
    {
      id: { type: DataTypes.STRING, primaryKey: true },
      user_id: DataTypes.STRING,
      hash: DataTypes.TEXT,
      created_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}password_history`),
  );
  const consent: RowModel<ConsentRow> = sequelize.define(
    `${prefix}consents`,
    {
      consent_id: { type: DataTypes.STRING, primaryKey: true },
      user_id: DataTypes.STRING,
      purpose: DataTypes.STRING,
      version: DataTypes.STRING,
      granted: DataTypes.BOOLEAN,
      date: DataTypes.DATE(3),
      ip: DataTypes.STRING,
    },
    modelOptions(`${prefix}consents`),
  );
  return { passwordHistory, consent };
}
