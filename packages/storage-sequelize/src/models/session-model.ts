import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `sessions`. `user_id` has no foreign key: anonymous sessions (null) and sessions of users not yet written are normal. */
export interface SessionRow {
  sid: string;
  data: string;
  expires_at: Date;
  user_id: string | null;
}

export function defineSessionModel(sequelize: Sequelize, prefix: string): RowModel<SessionRow> {
  return sequelize.define(
    `${prefix}sessions`,
    {
      sid: { type: DataTypes.STRING, primaryKey: true },
      data: DataTypes.TEXT,
      expires_at: DataTypes.DATE(3),
      user_id: DataTypes.STRING,
    },
    modelOptions(`${prefix}sessions`),
  );
}
