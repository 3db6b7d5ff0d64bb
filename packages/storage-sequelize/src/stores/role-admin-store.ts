import { GatehouseError, type Permission, type Role, type RoleStore } from '@gatehouse/core';
import { rolesWithPermissions, uniquePermissions } from './role-store.js';
import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { RoleRow } from '../models/role-models.js';
import { rowOf } from '../models/row-model.js';

/** Code-unit order, as the memory reference store sorts (never the database's collation). */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type RoleAdminStore = Pick<
  RoleStore,
  | 'getRole'
  | 'listRoles'
  | 'createRole'
  | 'updateRole'
  | 'deleteRole'
  | 'addRolePermissions'
  | 'removeRolePermissions'
  | 'removeUserRoles'
  | 'listRoleMembers'
  | 'getUserDirectPermissions'
  | 'addUserPermissions'
  | 'removeUserPermissions'
>;


/** `(a = ? AND b = ?) OR ...` for a list of permissions. */
const permissionWhere = (permissions: Permission[]) => ({
  [Op.or]: uniquePermissions(permissions).map((p) => ({ resource_server_identifier: p.resource_server_identifier, permission_name: p.permission_name })),
});

/** The management API's role operations: role CRUD, role permissions, members, direct user permissions. */
export function createRoleAdminStore(ctx: AdapterContext): RoleAdminStore {
  const { models } = ctx;

  const withPermissions = (roles: RoleRow[], transaction?: Transaction) => rolesWithPermissions(ctx, roles, transaction);

  async function getRole(roleId: string, transaction?: Transaction): Promise<Role | null> {
    const row = await models.role.findByPk(roleId, { transaction });
    if (!row) return null;
    const [role] = await withPermissions([rowOf(row)], transaction);
    return role ?? null;
  }

  async function nameTaken(name: string, exceptId: string | null, transaction: Transaction): Promise<boolean> {
    const row = await models.role.findOne({ where: { name }, attributes: ['id'], transaction });
    return row !== null && rowOf(row).id !== exceptId;
  }

  async function assertRole(roleId: string, transaction: Transaction): Promise<void> {
    const row = await models.role.findByPk(roleId, { attributes: ['id'], transaction, lock: ctx.rowLock });
    if (!row) throw new GatehouseError('inexistent_role');
  }

  /** A uniqueness violation on roles is a taken name (or id), whichever index caught it. */
  async function asRoleExists<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new GatehouseError('role_exists', { cause: err });
      throw err;
    }
  }

  return {
    getRole: (roleId) => getRole(roleId),

    async listRoles({ nameFilter, page, perPage }) {
      // Roles are few (Auth0 caps a tenant at 1,000): filtering and ordering here keeps
      // "contains, case-insensitive" and code-unit order the same on every database, whatever
      // its collation and LIKE escaping rules.
      const rows = (await models.role.findAll()).map(rowOf);
      const needle = nameFilter?.toLowerCase();
      const matching = rows
        .filter((r) => needle === undefined || r.name.toLowerCase().includes(needle))
        .sort((a, b) => compare(a.name, b.name));
      return { roles: await withPermissions(matching.slice(page * perPage, page * perPage + perPage)), total: matching.length };
    },

    async createRole(role) {
      return asRoleExists(() =>
        ctx.transaction(async (transaction) => {
          if (await nameTaken(role.name, null, transaction)) throw new GatehouseError('role_exists');
          await models.role.create({ id: role.id, name: role.name, description: role.description }, { transaction });
          const permissions = uniquePermissions(role.permissions).map((p) => ({ role_id: role.id, ...p }));
          if (permissions.length > 0) await models.rolePermission.bulkCreate(permissions, { transaction });
          const created = await getRole(role.id, transaction);
          if (!created) throw new Error(`createRole: ${role.id} not found right after it was written.`);
          return created;
        }),
      );
    },

    async updateRole(roleId, changes) {
      return asRoleExists(() =>
        ctx.transaction(async (transaction) => {
          const row = await models.role.findByPk(roleId, { transaction, lock: ctx.rowLock });
          if (!row) return null;
          if (changes.name !== undefined && (await nameTaken(changes.name, roleId, transaction))) throw new GatehouseError('role_exists');
          const update: Partial<RoleRow> = {};
          if (changes.name !== undefined) update.name = changes.name;
          if (changes.description !== undefined) update.description = changes.description;
          if (Object.keys(update).length > 0) await models.role.update(update, { where: { id: roleId }, transaction });
          return getRole(roleId, transaction);
        }),
      );
    },

    async deleteRole(roleId) {
      // role_permissions and user_roles go with it (ON DELETE CASCADE).
      const deleted = await ctx.writeOne(() => models.role.destroy({ where: { id: roleId } }));
      return deleted > 0;
    },

    async addRolePermissions(roleId, permissions) {
      await ctx.transaction(async (transaction) => {
        await assertRole(roleId, transaction);
        const rows = uniquePermissions(permissions).map((p) => ({ role_id: roleId, ...p }));
        if (rows.length > 0) await models.rolePermission.bulkCreate(rows, { ignoreDuplicates: true, transaction });
      });
    },

    async removeRolePermissions(roleId, permissions) {
      await ctx.transaction(async (transaction) => {
        await assertRole(roleId, transaction);
        if (permissions.length === 0) return;
        await models.rolePermission.destroy({ where: { role_id: roleId, ...permissionWhere(permissions) }, transaction });
      });
    },

    async removeUserRoles(userId, roleIds, options = {}) {
      const ids = [...new Set(roleIds)];
      if (ids.length === 0) return;
      await ctx.transaction(async (transaction) => {
        const keep = options.keepHolderOf;
        if (keep !== undefined && ids.includes(keep)) {
          // Locking every grant of the protected role serializes concurrent removals: the second
          // waits, then sees the first one's delete and counts one holder fewer.
          const holders = await models.userRole.findAll({ where: { role_id: keep }, transaction, lock: ctx.rowLock });
          const holderIds = holders.map((h) => rowOf(h).user_id);
          if (holderIds.includes(userId) && holderIds.length <= 1) throw new GatehouseError('last_admin');
        }
        await models.userRole.destroy({ where: { user_id: userId, role_id: { [Op.in]: ids } }, transaction });
      });
    },

    async listRoleMembers(roleId, page, perPage) {
      const where = { role_id: roleId };
      const [total, grants] = await Promise.all([
        models.userRole.count({ where }),
        models.userRole.findAll({ where, order: [['user_id', 'ASC']], offset: page * perPage, limit: perPage }),
      ]);
      const ids = grants.map((g) => rowOf(g).user_id);
      if (ids.length === 0) return { users: [], total };
      const rows = await models.user.findAll({ where: { user_id: { [Op.in]: ids } }, attributes: ['user_id', 'email', 'name', 'picture'] });
      const byId = new Map(rows.map((r) => [rowOf(r).user_id, rowOf(r)]));
      const users = ids
        .map((id) => byId.get(id))
        .filter((u) => u !== undefined)
        .map((u) => ({ user_id: u.user_id, email: u.email, name: u.name, picture: u.picture }));
      return { users, total };
    },

    async getUserDirectPermissions(userId) {
      const rows = await models.userPermission.findAll({ where: { user_id: userId } });
      return uniquePermissions(rows.map(rowOf));
    },

    async addUserPermissions(userId, permissions) {
      await ctx.transaction(async (transaction) => {
        // Checked up front: MySQL's INSERT IGNORE would skip a missing user silently.
        const user = await models.user.findOne({ where: { user_id: userId }, attributes: ['user_id'], transaction, lock: ctx.rowLock });
        if (!user) throw new GatehouseError('inexistent_user');
        const rows = uniquePermissions(permissions).map((p) => ({ user_id: userId, ...p }));
        if (rows.length > 0) await models.userPermission.bulkCreate(rows, { ignoreDuplicates: true, transaction });
      });
    },

    async removeUserPermissions(userId, permissions) {
      if (permissions.length === 0) return;
      await ctx.writeOne(() => models.userPermission.destroy({ where: { user_id: userId, ...permissionWhere(permissions) } }));
    },
  };
}
