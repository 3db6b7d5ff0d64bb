import { Applications, parseApplicationInput, type Application } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireScopes } from './management-auth.js';
import { pagedBody, paging } from './query-params.js';

/** An application as the API answers: Auth0's client fields, dates as ISO strings. */
export function clientToJson(app: Application & { client_secret?: string }) {
  return { ...app, created_at: app.created_at.toISOString(), updated_at: app.updated_at.toISOString() };
}

/**
 * `GET/POST /clients`, `GET/PATCH/DELETE /clients/{id}`, `POST /clients/{id}/rotate-secret`:
 * applications (OAuth clients) of the OpenID Connect provider, with Auth0's scopes. The secret
 * is in the answer only at creation and rotation (it is stored hashed).
 */
export function clientsRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const apps = new Applications(gh.storage, gh.users.clock);

  router.get('/clients', requireScopes('read:clients'), async (req, res) => {
    const p = paging(req);
    const { applications, total } = await apps.list(p.page, p.perPage);
    res.json(pagedBody(p, 'clients', applications.map(clientToJson), total));
  });

  router.post('/clients', requireScopes('create:clients'), async (req, res) => {
    res.status(201).json(clientToJson(await apps.create(parseApplicationInput(req.body, false))));
  });

  router.get('/clients/:id', requireScopes('read:clients'), async (req, res) => {
    res.json(clientToJson(await apps.get(req.params.id as string)));
  });

  router.patch('/clients/:id', requireScopes('update:clients'), async (req, res) => {
    res.json(clientToJson(await apps.update(req.params.id as string, parseApplicationInput(req.body, true))));
  });

  router.delete('/clients/:id', requireScopes('delete:clients'), async (req, res) => {
    await apps.delete(req.params.id as string);
    res.status(204).end();
  });

  router.post('/clients/:id/rotate-secret', requireScopes('update:clients'), async (req, res) => {
    res.json(clientToJson(await apps.rotateSecret(req.params.id as string)));
  });

  return router;
}
