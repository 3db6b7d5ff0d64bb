import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `login_blocks`: a brute-force block of one IP for one identifier. */
export interface LoginBlockRow {
  id: string;
  identifier: string;
  ip: string;
  connection: string;
  user_id: string | null;
  created_at: Date;
  expires_at: Date;
}

export function defineLoginBlockModel(sequelize: Sequelize, prefix: string): RowModel<LoginBlockRow> {
  return sequelize.define(
    `${prefix}login_blocks`,
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      identifier: DataTypes.STRING(255),
      ip: DataTypes.STRING(64),
      connection: DataTypes.STRING(255),
      user_id: DataTypes.STRING(255),
      created_at: DataTypes.DATE(3),
      expires_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}login_blocks`),
  );
}
