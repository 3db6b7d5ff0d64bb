import { exportUserData, GatehouseError, LOG_TYPES } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { sendExport } from '../routes/me-data-routes.js';
import { requireScopes } from './management-auth.js';
import { requestContext } from './users-routes.js';

/**
 * `GET /users/{id}/export` (beyond Auth0): everything stored about a user, as `GET /me/export`
 * gives the user, for an admin answering a data-access request. Needs `read:users`; audited with
 * the actor.
 */
export function userExportRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/users/:id/export', requireScopes('read:users'), async (req, res) => {
    const now = gh.users.clock();
    const data = await exportUserData(gh.storage, req.params.id as string, now);
    if (!data) throw new GatehouseError('inexistent_user');
    await gh.users.log(LOG_TYPES.successUserUpdate, 'User data exported', data.user.user_id, requestContext(gh, req, res));
    sendExport(res, data, now);
  });

  return router;
}
