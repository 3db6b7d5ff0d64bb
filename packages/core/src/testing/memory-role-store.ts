import { GatehouseError } from '../gatehouse-error.js';
import type { Permission, Role, RoleStore } from '../ports.js';
import type { User } from '../user.js';

/** The parts of the memory storage the role store works on (grants go with users on delete). */
export interface MemoryRoleState {
  users: Map<string, { connection: string; user: User }>;
  roles: Map<string, Role>;
  /** user_id → role ids. */
  grants: Map<string, Set<string>>;
  /** user_id → permissions granted directly. */
  directPermissions: Map<string, Permission[]>;
  assertOpen(): void;
}

const copy = <T>(value: T): T => structuredClone(value);

/** Code-unit order, as a binary collation sorts; localeCompare would depend on the locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const permissionKey = (p: Permission): string => `${p.resource_server_identifier}\u0000${p.permission_name}`;

const byPermission = (a: Permission, b: Permission): number =>
  compare(a.resource_server_identifier, b.resource_server_identifier) || compare(a.permission_name, b.permission_name);

/** Permissions without duplicates, in a stable order (the SQL adapter returns the same order). */
function uniquePermissions(permissions: Permission[]): Permission[] {
  const seen = new Map<string, Permission>();
  for (const p of permissions) {
    seen.set(permissionKey(p), {
      resource_server_identifier: p.resource_server_identifier,
      permission_name: p.permission_name,
    });
  }
  return [...seen.values()].sort(byPermission);
}

/**
 * The reference role store: roles, their permissions, grants to users, and permissions granted
 * directly. Each call runs without an `await`, so it is atomic on Node's single thread (the
 * last-admin check and the removal happen together).
 */
export function createMemoryRoleStore(state: MemoryRoleState): RoleStore {
  const { users, roles, grants, directPermissions, assertOpen } = state;

  function rolesOf(userId: string): Role[] {
    const ids = grants.get(userId) ?? new Set<string>();
    return [...ids]
      .map((id) => roles.get(id))
      .filter((role): role is Role => role !== undefined)
      .sort((a, b) => compare(a.name, b.name));
  }

  return {
    async ensureRole(role) {
      assertOpen();
      for (const existing of roles.values()) if (existing.name === role.name) return copy(existing);
      if (roles.has(role.id)) throw new GatehouseError('user_exists', { message: 'A role with this id already exists.' });
      const stored: Role = { ...copy(role), permissions: uniquePermissions(role.permissions) };
      roles.set(stored.id, stored);
      return copy(stored);
    },

    async getRoleByName(name) {
      assertOpen();
      for (const role of roles.values()) if (role.name === name) return copy(role);
      return null;
    },

    async assignUserRoles(userId, roleIds) {
      assertOpen();
      if (!users.has(userId)) throw new GatehouseError('inexistent_user');
      const missing = roleIds.find((id) => !roles.has(id));
      if (missing !== undefined) throw new GatehouseError('not_found', { message: `The role ${missing} does not exist.` });
      const granted = grants.get(userId) ?? new Set<string>();
      for (const id of roleIds) granted.add(id);
      grants.set(userId, granted);
    },

    async getUserRoles(userId) {
      assertOpen();
      return copy(rolesOf(userId));
    },

    async getUserPermissions(userId) {
      assertOpen();
      return uniquePermissions([...rolesOf(userId).flatMap((role) => role.permissions), ...(directPermissions.get(userId) ?? [])]);
    },

    async getRole(roleId) {
      assertOpen();
      const role = roles.get(roleId);
      return role ? copy(role) : null;
    },

    async listRoles({ nameFilter, page, perPage }) {
      assertOpen();
      const needle = nameFilter?.toLowerCase();
      const matching = [...roles.values()]
        .filter((role) => needle === undefined || role.name.toLowerCase().includes(needle))
        .sort((a, b) => compare(a.name, b.name));
      return { roles: copy(matching.slice(page * perPage, page * perPage + perPage)), total: matching.length };
    },

    async createRole(role) {
      assertOpen();
      if (roles.has(role.id) || [...roles.values()].some((r) => r.name === role.name)) throw new GatehouseError('role_exists');
      const stored: Role = { ...copy(role), permissions: uniquePermissions(role.permissions) };
      roles.set(stored.id, stored);
      return copy(stored);
    },

    async updateRole(roleId, changes) {
      assertOpen();
      const role = roles.get(roleId);
      if (!role) return null;
      if (changes.name !== undefined && [...roles.values()].some((r) => r.id !== roleId && r.name === changes.name)) {
        throw new GatehouseError('role_exists');
      }
      if (changes.name !== undefined) role.name = changes.name;
      if (changes.description !== undefined) role.description = changes.description;
      return copy(role);
    },

    async deleteRole(roleId) {
      assertOpen();
      if (!roles.delete(roleId)) return false;
      for (const granted of grants.values()) granted.delete(roleId);
      return true;
    },

    async addRolePermissions(roleId, permissions) {
      assertOpen();
      const role = roles.get(roleId);
      if (!role) throw new GatehouseError('inexistent_role');
      role.permissions = uniquePermissions([...role.permissions, ...permissions]);
    },

    async removeRolePermissions(roleId, permissions) {
      assertOpen();
      const role = roles.get(roleId);
      if (!role) throw new GatehouseError('inexistent_role');
      const gone = new Set(permissions.map(permissionKey));
      role.permissions = role.permissions.filter((p) => !gone.has(permissionKey(p)));
    },

    async removeUserRoles(userId, roleIds, options = {}) {
      assertOpen();
      const granted = grants.get(userId);
      if (!granted) return;
      const keep = options.keepHolderOf;
      if (keep !== undefined && roleIds.includes(keep) && granted.has(keep)) {
        let holders = 0;
        for (const g of grants.values()) if (g.has(keep)) holders += 1;
        if (holders <= 1) throw new GatehouseError('last_admin');
      }
      for (const id of roleIds) granted.delete(id);
    },

    async listRoleMembers(roleId, page, perPage) {
      assertOpen();
      const members = [...grants.entries()]
        .filter(([userId, granted]) => granted.has(roleId) && users.has(userId))
        .map(([userId]) => users.get(userId)!.user)
        .sort((a, b) => compare(a.user_id, b.user_id))
        .map((u) => ({ user_id: u.user_id, email: u.email, name: u.name, picture: u.picture }));
      return { users: members.slice(page * perPage, page * perPage + perPage), total: members.length };
    },

    async getUserDirectPermissions(userId) {
      assertOpen();
      return uniquePermissions(directPermissions.get(userId) ?? []);
    },

    async addUserPermissions(userId, permissions) {
      assertOpen();
      if (!users.has(userId)) throw new GatehouseError('inexistent_user');
      directPermissions.set(userId, uniquePermissions([...(directPermissions.get(userId) ?? []), ...permissions]));
    },

    async removeUserPermissions(userId, permissions) {
      assertOpen();
      const gone = new Set(permissions.map(permissionKey));
      const held = directPermissions.get(userId);
      if (held) directPermissions.set(userId, held.filter((p) => !gone.has(permissionKey(p))));
    },

    async countUsersWithRole(roleId) {
      assertOpen();
      let count = 0;
      for (const granted of grants.values()) if (granted.has(roleId)) count += 1;
      return count;
    },
  };
}
