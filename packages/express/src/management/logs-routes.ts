import { GatehouseError } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireScopes } from './management-auth.js';
import { pagedBody, paging, queryString } from './query-params.js';
import { logToJson } from './wire.js';

/**
 * `GET /users/{id}/logs`: the user's events, newest first. The events of a deleted user are
 * still listed (an audit trail outlives its subject), so an unknown id gives an empty list.
 */
export function logsRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/users/:id/logs', requireScopes('read:logs'), async (req, res) => {
    const p = paging(req);
    const sort = queryString(req, 'sort');
    if (sort !== undefined && sort !== 'date:-1') {
      throw new GatehouseError('invalid_query_string', { field: 'sort', message: 'sort must be date:-1 (newest first).' });
    }
    const { logs, total } = await gh.storage.listUserLogs(req.params.id as string, p.page, p.perPage);
    res.json(pagedBody(p, 'logs', logs.map(logToJson), total, true));
  });

  return router;
}
