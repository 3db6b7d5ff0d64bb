import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `identities`: one way a user signs in. `id` keeps the order they were added in. */
export interface IdentityRow {
  id?: number;
  user_id: string;
  connection: string;
  provider: string;
  provider_user_id: string;
  is_social: boolean;
  /** JSON text, or null when the provider sent no profile. */
  profile_data: string | null;
}

export function defineIdentityModel(sequelize: Sequelize, prefix: string): RowModel<IdentityRow> {
  return sequelize.define(
    `${prefix}identities`,
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      user_id: DataTypes.STRING,
      connection: DataTypes.STRING,
      provider: DataTypes.STRING,
      provider_user_id: DataTypes.STRING,
      is_social: DataTypes.BOOLEAN,
      profile_data: DataTypes.TEXT,
    },
    modelOptions(`${prefix}identities`),
  );
}
