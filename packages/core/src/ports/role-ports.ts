/* Roles and permissions, as Auth0's RBAC. See ../ports.ts for the rules every port follows. */

/** A permission on an API, as in Auth0. */
export interface Permission {
  resource_server_identifier: string;
  permission_name: string;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: Permission[];
}

/** A user as a role's member list shows it (Auth0's `GET /roles/{id}/users`). */
export interface RoleMember {
  user_id: string;
  email: string | null;
  name: string | null;
  picture: string | null;
}

export interface RoleStore {
  /** Creates the role, or resolves to the existing role of that name unchanged (idempotent, for bootstrap). */
  ensureRole(role: Role): Promise<Role>;
  getRoleByName(name: string): Promise<Role | null>;
  /** The role with its permissions, or null. */
  getRole(roleId: string): Promise<Role | null>;
  /**
   * Roles by name (code-unit order), a page at a time. `nameFilter` keeps the roles whose name
   * contains it, case-insensitively. `total` counts every match, not just the page.
   */
  listRoles(query: { nameFilter?: string; page: number; perPage: number }): Promise<{ roles: Role[]; total: number }>;
  /** Creates a role; `role_exists` when its name (or id) is taken. */
  createRole(role: Role): Promise<Role>;
  /** Renames or re-describes a role; null when absent, `role_exists` when the new name is taken. */
  updateRole(roleId: string, changes: { name?: string; description?: string }): Promise<Role | null>;
  /** Deletes the role with its permissions and grants; false when absent. */
  deleteRole(roleId: string): Promise<boolean>;
  /** Adds permissions to a role (idempotent); `inexistent_role` when absent. */
  addRolePermissions(roleId: string, permissions: Permission[]): Promise<void>;
  /** Removes permissions from a role (absent ones are ignored); `inexistent_role` when absent. */
  removeRolePermissions(roleId: string, permissions: Permission[]): Promise<void>;
  /** Grants roles (idempotent). `inexistent_user` for an unknown user, `not_found` for an unknown role (nothing granted). */
  assignUserRoles(userId: string, roleIds: string[]): Promise<void>;
  /**
   * Takes roles away (absent grants are ignored). With `keepHolderOf`, atomically refuses with
   * `last_admin` (nothing removed) when the removal would leave no user holding that role.
   */
  removeUserRoles(userId: string, roleIds: string[], options?: { keepHolderOf?: string }): Promise<void>;
  getUserRoles(userId: string): Promise<Role[]>;
  /** The users holding a role, by user_id, a page at a time, with the total. */
  listRoleMembers(roleId: string, page: number, perPage: number): Promise<{ users: RoleMember[]; total: number }>;
  /** The permissions granted to the user directly (not through roles), without duplicates. */
  getUserDirectPermissions(userId: string): Promise<Permission[]>;
  /** Grants permissions directly to a user (idempotent); `inexistent_user` for an unknown user. */
  addUserPermissions(userId: string, permissions: Permission[]): Promise<void>;
  /** Takes direct permissions away (absent ones are ignored). */
  removeUserPermissions(userId: string, permissions: Permission[]): Promise<void>;
  /** The union of the permissions of the user's roles and the user's direct permissions, without duplicates. */
  getUserPermissions(userId: string): Promise<Permission[]>;
  countUsersWithRole(roleId: string): Promise<number>;
}
