import { ADMIN_ROLE, GatehouseError, LOG_TYPES, type Permission } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { idList, permissionList } from './body.js';
import { requireScopes } from './management-auth.js';
import { pagedBody, pageOf, paging } from './query-params.js';
import { requestContext } from './users-routes.js';
import { permissionToJson } from './wire.js';

/** `GET/POST/DELETE /roles/{id}/permissions`, `GET/POST /roles/{id}/users`. */
export function rolePermissionsRoutes(gh: GatehouseContext): Router {
  const router = Router();

  async function roleOrThrow(id: string) {
    const role = await gh.storage.getRole(id);
    if (!role) throw new GatehouseError('inexistent_role');
    return role;
  }

  router.get('/roles/:id/permissions', requireScopes('read:roles'), async (req, res) => {
    const p = paging(req);
    const role = await roleOrThrow(req.params.id as string);
    res.json(pagedBody(p, 'permissions', pageOf(role.permissions, p).map(permissionToJson), role.permissions.length));
  });

  router.post('/roles/:id/permissions', requireScopes('update:roles'), async (req, res) => {
    const permissions = permissionList(req.body);
    await gh.storage.addRolePermissions(req.params.id as string, permissions);
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Role permissions granted', null, requestContext(gh, req, res), { role: req.params.id as string, permissions: names(permissions) });
    res.status(201).end();
  });

  router.delete('/roles/:id/permissions', requireScopes('update:roles'), async (req, res) => {
    const permissions = permissionList(req.body);
    // The admin role holds every management scope by definition (and gets them back at start).
    if (req.params.id === ADMIN_ROLE.id) throw new GatehouseError('last_admin', { message: "The admin role's permissions cannot be removed." });
    await gh.storage.removeRolePermissions(req.params.id as string, permissions);
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Role permissions removed', null, requestContext(gh, req, res), { role: req.params.id as string, permissions: names(permissions) });
    res.status(204).end();
  });

  router.get('/roles/:id/users', requireScopes('read:users', 'read:role_members'), async (req, res) => {
    const p = paging(req);
    const role = await roleOrThrow(req.params.id as string);
    const { users, total } = await gh.storage.listRoleMembers(role.id, p.page, p.perPage);
    res.json(pagedBody(p, 'users', users, total));
  });

  router.post('/roles/:id/users', requireScopes('update:users', 'create:role_members'), async (req, res) => {
    const ids = idList(req.body, 'users');
    const role = await roleOrThrow(req.params.id as string);
    for (const id of ids) await gh.users.getUser(id);
    for (const id of ids) await gh.storage.assignUserRoles(id, [role.id]);
    const context = requestContext(gh, req, res);
    for (const id of ids) await gh.users.log(LOG_TYPES.successUserUpdate, 'Roles assigned', id, context, { roles: [role.id] });
    res.status(200).end();
  });

  return router;
}

/** Permissions as the audit log names them: `<api> <permission>`. */
function names(permissions: Permission[]): string[] {
  return permissions.map((p) => `${p.resource_server_identifier} ${p.permission_name}`);
}
