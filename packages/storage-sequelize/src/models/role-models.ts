import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

export interface RoleRow {
  id: string;
  name: string;
  description: string;
}

export interface RolePermissionRow {
  role_id: string;
  resource_server_identifier: string;
  permission_name: string;
}

export interface UserRoleRow {
  user_id: string;
  role_id: string;
}

/** `roles`, `role_permissions` and `user_roles`: three tables that only make sense together. */
export function defineRoleModels(sequelize: Sequelize, prefix: string) {
  const role: RowModel<RoleRow> = sequelize.define(
    `${prefix}roles`,
    {
      id: { type: DataTypes.STRING, primaryKey: true },
      name: DataTypes.STRING,
      description: DataTypes.TEXT,
    },
    modelOptions(`${prefix}roles`),
  );
  const rolePermission: RowModel<RolePermissionRow> = sequelize.define(
    `${prefix}role_permissions`,
    {
      role_id: { type: DataTypes.STRING, primaryKey: true },
      resource_server_identifier: { type: DataTypes.STRING, primaryKey: true },
      permission_name: { type: DataTypes.STRING, primaryKey: true },
    },
    modelOptions(`${prefix}role_permissions`),
  );
  const userRole: RowModel<UserRoleRow> = sequelize.define(
    `${prefix}user_roles`,
    {
      user_id: { type: DataTypes.STRING, primaryKey: true },
      role_id: { type: DataTypes.STRING, primaryKey: true },
    },
    modelOptions(`${prefix}user_roles`),
  );
  return { role, rolePermission, userRole };
}
