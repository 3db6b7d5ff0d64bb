import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `user_permissions`: a permission granted to a user directly, not through a role. */
export interface UserPermissionRow {
  user_id: string;
  resource_server_identifier: string;
  permission_name: string;
}

export function defineUserPermissionModel(sequelize: Sequelize, prefix: string): RowModel<UserPermissionRow> {
  return sequelize.define(
    `${prefix}user_permissions`,
    {
      user_id: { type: DataTypes.STRING, primaryKey: true },
      resource_server_identifier: { type: DataTypes.STRING, primaryKey: true },
      permission_name: { type: DataTypes.STRING, primaryKey: true },
    },
    modelOptions(`${prefix}user_permissions`),
  );
}
