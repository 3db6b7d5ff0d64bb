import { randomBytes } from 'node:crypto';
import { ADMIN_ROLE, GatehouseError, LOG_TYPES, type Role } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { objectBody, onlyFields, optionalText } from './body.js';
import { requireScopes } from './management-auth.js';
import { pagedBody, paging, queryString } from './query-params.js';
import { requestContext } from './users-routes.js';
import { roleToJson } from './wire.js';

/** Auth0's limits: role names up to 50 characters, descriptions up to 140. */
const NAME_MAX = 50;
const DESCRIPTION_MAX = 140;

/** `GET/POST /roles`, `GET/PATCH/DELETE /roles/{id}`. */
export function rolesRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/roles', requireScopes('read:roles'), async (req, res) => {
    const p = paging(req);
    const nameFilter = queryString(req, 'name_filter');
    if (nameFilter !== undefined && nameFilter.length > NAME_MAX) {
      throw new GatehouseError('invalid_query_string', { field: 'name_filter', message: `name_filter must be at most ${NAME_MAX} characters.` });
    }
    const { roles, total } = await gh.storage.listRoles({ nameFilter: nameFilter || undefined, page: p.page, perPage: p.perPage });
    res.json(pagedBody(p, 'roles', roles.map(roleToJson), total));
  });

  router.post('/roles', requireScopes('create:roles'), async (req, res) => {
    const body = objectBody(req.body);
    onlyFields(body, ['name', 'description']);
    const name = optionalText(body, 'name', NAME_MAX);
    if (name === undefined) throw new GatehouseError('invalid_body', { field: 'name', message: 'Payload validation error: Missing required property: name.' });
    const role: Role = {
      id: `rol_${randomBytes(8).toString('hex')}`,
      name,
      description: optionalText(body, 'description', DESCRIPTION_MAX) ?? '',
      permissions: [],
    };
    const created = await gh.storage.createRole(role);
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Role created', null, requestContext(gh, req, res), { role: created.id, name: created.name });
    res.json(roleToJson(created));
  });

  router.get('/roles/:id', requireScopes('read:roles'), async (req, res) => {
    const role = await gh.storage.getRole(req.params.id as string);
    if (!role) throw new GatehouseError('inexistent_role');
    res.json(roleToJson(role));
  });

  router.patch('/roles/:id', requireScopes('update:roles'), async (req, res) => {
    const body = objectBody(req.body);
    onlyFields(body, ['name', 'description']);
    const changes = { name: optionalText(body, 'name', NAME_MAX), description: optionalText(body, 'description', DESCRIPTION_MAX) };
    const role = await gh.storage.updateRole(req.params.id as string, changes);
    if (!role) throw new GatehouseError('inexistent_role');
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Role updated', null, requestContext(gh, req, res), { role: role.id, fields: Object.keys(body) });
    res.json(roleToJson(role));
  });

  router.delete('/roles/:id', requireScopes('delete:roles'), async (req, res) => {
    const id = req.params.id as string;
    // Deleting the admin role would leave nobody able to administer Gatehouse.
    if (id === ADMIN_ROLE.id) throw new GatehouseError('last_admin', { message: 'The admin role cannot be deleted.' });
    if (!(await gh.storage.deleteRole(id))) throw new GatehouseError('inexistent_role');
    await gh.users.log(LOG_TYPES.successUserUpdate, 'Role deleted', null, requestContext(gh, req, res), { role: id });
    res.status(204).end();
  });

  return router;
}
