import { GatehouseError, parseLogQuery, type LogQuery } from '@gatehouse/core';
import { Router, type Request } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireScopes } from './management-auth.js';
import { DEFAULT_PER_PAGE, fieldSelector, MAX_PER_PAGE, pagedBody, paging, queryString } from './query-params.js';
import { logToJson } from './wire.js';

function badQuery(field: string, message: string): GatehouseError {
  return new GatehouseError('invalid_query_string', { field, message });
}

/** `sort=date:1|date:-1` (default newest first). */
function sortOf(req: Request, fallback: 1 | -1): 1 | -1 {
  const sort = queryString(req, 'sort');
  if (sort === undefined) return fallback;
  if (sort === 'date:1') return 1;
  if (sort === 'date:-1') return -1;
  throw badQuery('sort', 'sort must be date:1 or date:-1.');
}

/** `take` for checkpoint paging: 1..100, default 50. */
function takeOf(req: Request): number {
  const take = queryString(req, 'take');
  if (take === undefined) return DEFAULT_PER_PAGE;
  if (!/^\d{1,3}$/u.test(take) || Number(take) < 1 || Number(take) > MAX_PER_PAGE) throw badQuery('take', `take must be an integer from 1 to ${MAX_PER_PAGE}.`);
  return Number(take);
}

/**
 * The audit log, in Auth0's shapes: `GET /logs` (search and paging, or checkpoint paging with
 * `from`/`take`), `GET /logs/{id}`, and `GET /users/{id}/logs`. An erased user's events are
 * kept, anonymized under a pseudonym (`erased|…`), so an erased id lists nothing.
 */
export function logsRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/logs', requireScopes('read:logs'), async (req, res) => {
    const select = fieldSelector(req);
    const q = queryString(req, 'q');
    const filters = q === undefined || q.trim() === '' ? {} : parseLogQuery(q);
    const from = queryString(req, 'from');
    const take = queryString(req, 'take');
    if (from !== undefined || take !== undefined) {
      // Checkpoint paging (Auth0's from/take): events after `from`, oldest first by default, as a bare array.
      for (const name of ['page', 'per_page', 'include_totals']) {
        if ((req.query as Record<string, unknown>)[name] !== undefined) throw badQuery(name, `${name} cannot be combined with from/take.`);
      }
      const sort = sortOf(req, 1);
      let after: LogQuery['after'];
      if (from !== undefined && from !== '') {
        const anchor = await gh.storage.getLog(from);
        if (!anchor) throw badQuery('from', 'from must be the log_id of an existing event.');
        after = { date: anchor.date, log_id: anchor.log_id };
      }
      const { logs } = await gh.storage.listLogs({ ...filters, sort, page: 0, perPage: takeOf(req), includeTotals: false, after });
      res.json(logs.map((l) => select(logToJson(l))));
      return;
    }
    const p = paging(req);
    const { logs, total } = await gh.storage.listLogs({ ...filters, sort: sortOf(req, -1), page: p.page, perPage: p.perPage, includeTotals: p.includeTotals });
    res.json(pagedBody(p, 'logs', logs.map((l) => select(logToJson(l))), total ?? 0, true));
  });

  router.get('/logs/:id', requireScopes('read:logs'), async (req, res) => {
    const log = await gh.storage.getLog(req.params.id as string);
    if (!log) throw new GatehouseError('inexistent_log');
    res.json(logToJson(log));
  });

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
