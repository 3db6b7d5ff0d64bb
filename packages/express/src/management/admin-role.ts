import { ADMIN_ROLE, type Storage } from '@gatehouse/core';

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
