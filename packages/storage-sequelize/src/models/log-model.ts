import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `logs`. `user_id` has no foreign key: the audit trail outlives the user it is about. */
export interface LogRow {
  log_id: string;
  date: Date;
  type: string;
  description: string;
  user_id: string | null;
  ip: string | null;
  /** JSON text. */
  details: string;
}

export function defineLogModel(sequelize: Sequelize, prefix: string): RowModel<LogRow> {
  return sequelize.define(
    `${prefix}logs`,
    {
      log_id: { type: DataTypes.STRING, primaryKey: true },
      date: DataTypes.DATE(3),
      type: DataTypes.STRING,
      description: DataTypes.TEXT,
      user_id: DataTypes.STRING,
      ip: DataTypes.STRING,
      details: DataTypes.TEXT,
    },
    modelOptions(`${prefix}logs`),
  );
}
