import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `cache`: a short-lived shared entry. */
export interface CacheRow {
  key: string;
  value: string;
  expires_at: Date;
}

export function defineCacheModel(sequelize: Sequelize, prefix: string): RowModel<CacheRow> {
  return sequelize.define(
    `${prefix}cache`,
    {
      key: { type: DataTypes.STRING(255), primaryKey: true },
      value: DataTypes.TEXT,
      expires_at: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}cache`),
  );
}
