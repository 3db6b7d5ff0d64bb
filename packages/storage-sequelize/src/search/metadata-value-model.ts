import { DataTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Metadata } from '@gatehouse/core';
import { modelOptions, type RowModel } from '../models/row-model.js';
import { metadataValueRows, type MetadataSource, type MetadataValueRow } from './metadata-values.js';

export type MetadataValueModel = RowModel<MetadataValueRow & { id?: number }>;

export function defineMetadataValueModel(sequelize: Sequelize, prefix: string): MetadataValueModel {
  return sequelize.define(
    `${prefix}metadata_values`,
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      user_id: DataTypes.STRING,
      source: DataTypes.STRING,
      path: DataTypes.STRING,
      value_text: DataTypes.STRING,
      value_num: DataTypes.DOUBLE,
    },
    modelOptions(`${prefix}metadata_values`),
  );
}

/**
 * Rewrites the indexed values of one metadata document, inside the caller's transaction, so the
 * index can never disagree with the profile it was taken from.
 */
export async function replaceMetadataValues(
  model: MetadataValueModel,
  userId: string,
  source: MetadataSource,
  metadata: Metadata,
  transaction: Transaction,
): Promise<void> {
  await model.destroy({ where: { user_id: userId, source }, transaction });
  const rows = metadataValueRows(userId, source, metadata);
  if (rows.length > 0) await model.bulkCreate(rows, { transaction });
}
