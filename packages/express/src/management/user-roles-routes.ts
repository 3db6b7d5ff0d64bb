import { ADMIN_ROLE, GatehouseError, LOG_TYPES } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { idList } from './body.js';
import { requireScopes } from './management-auth.js';
import { pagedBody, pageOf, paging } from './query-params.js';
import { requestContext } from './users-routes.js';
import { roleToJson } from './wire.js';

/** `GET/POST/DELETE /users/{id}/roles`. */
export function userRolesRoutes(gh: GatehouseContext): Router {
  const router = Router();

  async function assertRoles(ids: string[]): Promise<void> {
    for (const id of ids) {
      if (!(await gh.storage.getRole(id))) throw new GatehouseError('inexistent_role', { message: `The role ${id} does not exist.` });
    }
  }

  router.get('/users/:id/roles', requireScopes('read:users', 'read:roles'), async (req, res) => {
    const p = paging(req);
    const user = await gh.users.getUser(req.params.id as string);
    const roles = await gh.storage.getUserRoles(user.user_id);
    res.json(pagedBody(p, 'roles', pageOf(roles, p).map(roleToJson), roles.length));
  });

  router.post('/users/:id/roles', requireScopes('update:users', 'create:role_members'), async (req, res) => {
    const ids = idList(req.body, 'roles');
    const user = await gh.users.getUser(req.params.id as string);
    await assertRoles(ids);
    await gh.storage.assignUserRoles(user.user_id, ids);
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Roles assigned', user.user_id, requestContext(gh, req, res), { roles: ids });
    res.status(204).end();
  });

  router.delete('/users/:id/roles', requireScopes('update:users', 'delete:role_members'), async (req, res) => {
    const ids = idList(req.body, 'roles');
    const user = await gh.users.getUser(req.params.id as string);
    // Atomic in storage: two admins removing each other at once cannot both succeed.
    await gh.storage.removeUserRoles(user.user_id, ids, { keepHolderOf: ADMIN_ROLE.id });
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Roles removed', user.user_id, requestContext(gh, req, res), { roles: ids });
    res.status(204).end();
  });

  return router;
}
