import { GatehouseError, type Permission, type Role, type RoleStore } from '@gatehouse/core';
import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { RoleRow } from '../models/role-models.js';
import { rowOf } from '../models/row-model.js';

const key = (p: Permission) => `${p.resource_server_identifier}\u0000${p.permission_name}`;

/** Without duplicates, in code-unit order (the order the memory reference store uses). */
export function uniquePermissions(permissions: Permission[]): Permission[] {
  const unique = new Map(permissions.map((p) => [key(p), { resource_server_identifier: p.resource_server_identifier, permission_name: p.permission_name }]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/** Roles with their permissions: one query for all their permission rows. */
export async function rolesWithPermissions(ctx: AdapterContext, roles: RoleRow[], transaction?: Transaction): Promise<Role[]> {
  if (roles.length === 0) return [];
  const rows = await ctx.models.rolePermission.findAll({ where: { role_id: { [Op.in]: roles.map((r) => r.id) } }, transaction });
  return roles.map((role) => ({
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: uniquePermissions(rows.map(rowOf).filter((p) => p.role_id === role.id)),
  }));
}

/** The role methods user flows need; the management API's are in role-admin-store.ts. */
export function createRoleStore(
  ctx: AdapterContext,
): Pick<RoleStore, 'ensureRole' | 'getRoleByName' | 'assignUserRoles' | 'getUserRoles' | 'getUserPermissions' | 'countUsersWithRole'> {
  const { models } = ctx;

  const withPermissions = (roles: RoleRow[], transaction?: Transaction) => rolesWithPermissions(ctx, roles, transaction);

  async function getRoleByName(name: string): Promise<Role | null> {
    const row = await models.role.findOne({ where: { name } });
    if (!row) return null;
    const [role] = await withPermissions([rowOf(row)]);
    return role ?? null;
  }

  async function userRoleIds(userId: string): Promise<string[]> {
    const grants = await models.userRole.findAll({ where: { user_id: userId } });
    return grants.map((g) => rowOf(g).role_id);
  }

  return {
    getRoleByName,

    async ensureRole(role) {
      const existing = await getRoleByName(role.name);
      if (existing) return existing;
      try {
        await ctx.transaction(async (transaction) => {
          await models.role.create({ id: role.id, name: role.name, description: role.description }, { transaction });
          const permissions = uniquePermissions(role.permissions).map((p) => ({ role_id: role.id, ...p }));
          if (permissions.length > 0) await models.rolePermission.bulkCreate(permissions, { transaction });
        });
      } catch (err) {
        // Another process created the role between our read and our write: theirs stands.
        if (!(err instanceof UniqueConstraintError)) throw err;
        const winner = await getRoleByName(role.name);
        if (winner) return winner;
        throw err;
      }
      const created = await getRoleByName(role.name);
      if (!created) throw new Error(`ensureRole: ${role.name} not found right after it was written.`);
      return created;
    },

    async assignUserRoles(userId, roleIds) {
      const ids = [...new Set(roleIds)];
      await ctx.transaction(async (transaction) => {
        // Checked up front: MySQL's INSERT IGNORE below would skip a missing user or role silently.
        const user = await models.user.findOne({ where: { user_id: userId }, attributes: ['user_id'], transaction, lock: ctx.rowLock });
        if (!user) throw new GatehouseError('inexistent_user');
        if (ids.length === 0) return;
        const found = await models.role.findAll({ where: { id: { [Op.in]: ids } }, attributes: ['id'], transaction });
        const known = new Set(found.map((r) => rowOf(r).id));
        const missing = ids.find((id) => !known.has(id));
        if (missing !== undefined) throw new GatehouseError('not_found', { message: `The role ${missing} does not exist.` });
        // Grants are idempotent: an existing (user, role) pair is left as it is.
        await models.userRole.bulkCreate(
          ids.map((role_id) => ({ user_id: userId, role_id })),
          { ignoreDuplicates: true, transaction },
        );
      });
    },

    async getUserRoles(userId) {
      const ids = await userRoleIds(userId);
      if (ids.length === 0) return [];
      const roles = await models.role.findAll({ where: { id: { [Op.in]: ids } }, order: [['name', 'ASC']] });
      return withPermissions(roles.map(rowOf));
    },

    async getUserPermissions(userId) {
      const [ids, direct] = await Promise.all([userRoleIds(userId), models.userPermission.findAll({ where: { user_id: userId } })]);
      const rows = ids.length === 0 ? [] : await models.rolePermission.findAll({ where: { role_id: { [Op.in]: ids } } });
      return uniquePermissions([...rows.map(rowOf), ...direct.map(rowOf)]);
    },

    async countUsersWithRole(roleId) {
      return models.userRole.count({ where: { role_id: roleId } });
    },
  };
}
