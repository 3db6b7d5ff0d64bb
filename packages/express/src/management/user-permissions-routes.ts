import { LOG_TYPES, type Permission } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { permissionList } from './body.js';
import { requireScopes } from './management-auth.js';
import { pagedBody, pageOf, paging } from './query-params.js';
import { requestContext } from './users-routes.js';
import { permissionToJson } from './wire.js';

interface Source {
  source_id: string;
  source_name: string;
  source_type: 'DIRECT' | 'ROLE';
}

/**
 * `GET/POST/DELETE /users/{id}/permissions`. GET lists direct permissions and those of the
 * user's roles, each with its `sources`, as Auth0 does; POST and DELETE change direct ones only.
 */
export function userPermissionsRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/users/:id/permissions', requireScopes('read:users'), async (req, res) => {
    const p = paging(req);
    const user = await gh.users.getUser(req.params.id as string);
    const [direct, roles] = await Promise.all([gh.storage.getUserDirectPermissions(user.user_id), gh.storage.getUserRoles(user.user_id)]);
    const byKey = new Map<string, ReturnType<typeof permissionToJson> & { sources: Source[] }>();
    const add = (permission: (typeof direct)[number], source: Source) => {
      const key = `${permission.resource_server_identifier}\u0000${permission.permission_name}`;
      const entry = byKey.get(key) ?? { ...permissionToJson(permission), sources: [] };
      entry.sources.push(source);
      byKey.set(key, entry);
    };
    for (const permission of direct) add(permission, { source_id: '', source_name: '', source_type: 'DIRECT' });
    for (const role of roles) {
      for (const permission of role.permissions) add(permission, { source_id: role.id, source_name: role.name, source_type: 'ROLE' });
    }
    const all = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    res.json(pagedBody(p, 'permissions', pageOf(all, p), all.length));
  });

  router.post('/users/:id/permissions', requireScopes('update:users'), async (req, res) => {
    const permissions = permissionList(req.body);
    const user = await gh.users.getUser(req.params.id as string);
    await gh.storage.addUserPermissions(user.user_id, permissions);
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Permissions granted', user.user_id, requestContext(gh, req, res), { permissions: names(permissions) });
    res.status(201).end();
  });

  router.delete('/users/:id/permissions', requireScopes('update:users'), async (req, res) => {
    const permissions = permissionList(req.body);
    const user = await gh.users.getUser(req.params.id as string);
    await gh.storage.removeUserPermissions(user.user_id, permissions);
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Permissions removed', user.user_id, requestContext(gh, req, res), { permissions: names(permissions) });
    res.status(204).end();
  });

  return router;
}

/** Permissions as the audit log names them: `<api> <permission>`. */
function names(permissions: Permission[]): string[] {
  return permissions.map((p) => `${p.resource_server_identifier} ${p.permission_name}`);
}
