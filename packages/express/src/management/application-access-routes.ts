import { GatehouseError, type ApplicationGrant } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { revokeGrant } from '../oidc/remembered-grants.js';
import { idList } from './body.js';
import { requireScopes } from './management-auth.js';
import { queryString } from './query-params.js';

/** A remembered consent as the API answers (Auth0's grant, with the claims and API scopes too). */
function grantToJson(g: ApplicationGrant) {
  return {
    id: g.id,
    clientID: g.client_id,
    user_id: g.user_id,
    scope: g.scope,
    claims: g.claims,
    resource_scopes: g.resource_scopes,
    created_at: g.created_at.toISOString(),
    updated_at: g.updated_at.toISOString(),
  };
}

/**
 * Who may use which application, and what users agreed to:
 * `GET/POST/DELETE /users/{id}/clients` (the per-user allow-list of applications whose access
 * rule is `allow_list`; body `{clients: [client_id, ...]}`, as `/users/{id}/roles`), and
 * `GET /grants?user_id=&client_id=`, `DELETE /grants/{id}` (remembered consents; deleting one
 * revokes every token issued under it, and the next sign-in asks again).
 */
export function applicationAccessRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/users/:id/clients', requireScopes('read:users', 'read:clients'), async (req, res) => {
    const user = await gh.users.getUser(req.params.id as string);
    const ids = await gh.storage.listUserApplications(user.user_id);
    const apps = await Promise.all(ids.map((id) => gh.storage.getApplication(id)));
    res.json(apps.filter((a) => a !== null).map((a) => ({ client_id: a.client_id, name: a.name })));
  });

  router.post('/users/:id/clients', requireScopes('update:users', 'read:clients'), async (req, res) => {
    const ids = idList(req.body, 'clients');
    const user = await gh.users.getUser(req.params.id as string);
    await gh.storage.addUserApplications(user.user_id, ids);
    res.status(204).end();
  });

  router.delete('/users/:id/clients', requireScopes('update:users', 'read:clients'), async (req, res) => {
    const ids = idList(req.body, 'clients');
    const user = await gh.users.getUser(req.params.id as string);
    await gh.storage.removeUserApplications(user.user_id, ids);
    res.status(204).end();
  });

  router.get('/grants', requireScopes('read:grants'), async (req, res) => {
    const userId = queryString(req, 'user_id');
    const clientId = queryString(req, 'client_id');
    res.json((await gh.storage.listApplicationGrants({ userId: userId || undefined, clientId: clientId || undefined })).map(grantToJson));
  });

  router.delete('/grants/:id', requireScopes('delete:grants'), async (req, res) => {
    if (!(await revokeGrant(gh.storage, req.params.id as string))) throw new GatehouseError('inexistent_grant');
    res.status(204).end();
  });

  return router;
}
