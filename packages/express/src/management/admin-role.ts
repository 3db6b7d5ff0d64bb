import { ADMIN_ROLE, GatehouseError, type Storage } from '@gatehouse/core';

/**
 * Makes sure the admin role exists and holds every management scope, also those added by a
 * newer Gatehouse than the one that first created it (ensureRole leaves an existing role as it is).
 */
export async function syncAdminRole(storage: Storage): Promise<void> {
  const role = await storage.ensureRole(ADMIN_ROLE);
  const held = new Set(role.permissions.map((p) => `${p.resource_server_identifier}\u0000${p.permission_name}`));
  const missing = ADMIN_ROLE.permissions.filter((p) => !held.has(`${p.resource_server_identifier}\u0000${p.permission_name}`));
  if (missing.length > 0) await storage.addRolePermissions(role.id, missing);
}

/**
 * Refuses (409 `last_admin`) to delete the only user holding the admin role. A check before the
 * delete, not one atomic statement: two admins deleting each other at the same instant could
 * both pass (removing the admin *role* is atomic, see RoleStore.removeUserRoles).
 */
export async function assertNotLastAdmin(storage: Storage, userId: string): Promise<void> {
  const roles = await storage.getUserRoles(userId);
  if (!roles.some((r) => r.id === ADMIN_ROLE.id)) return;
  if ((await storage.countUsersWithRole(ADMIN_ROLE.id)) <= 1) throw new GatehouseError('last_admin');
}
