import { IdentityLinks } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireScopes } from './management-auth.js';
import { requestContext } from './users-routes.js';

/**
 * `POST /users/{id}/identities` (link) and `DELETE /users/{id}/identities/{provider}/{user_id}`
 * (unlink), as Auth0's. Both answer the user's identities array.
 */
export function identitiesRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const links = new IdentityLinks(gh.users);

  router.post('/users/:id/identities', requireScopes('update:users'), async (req, res) => {
    const identities = await links.link(req.params.id as string, req.body, requestContext(gh, req, res));
    res.status(201).json(identities);
  });

  router.delete('/users/:id/identities/:provider/:user_id', requireScopes('update:users'), async (req, res) => {
    const params = req.params as { id: string; provider: string; user_id: string };
    const { identities } = await links.unlink(params.id, params.provider, params.user_id, requestContext(gh, req, res));
    res.json(identities);
  });

  return router;
}
