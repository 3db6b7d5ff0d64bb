import { GatehouseError, parseQuery, userToJson, type UserSearch } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireScopes } from './management-auth.js';
import { DEFAULT_PER_PAGE, fieldSelector, MAX_PER_PAGE, pagedBody, paging, queryString } from './query-params.js';

const SORT = /^([a-z_.]+):(1|-1)$/u;

/**
 * `GET /users`: Auth0's list and v3 search (`q`, `page`/`per_page`, `include_totals`, `sort`,
 * `fields`/`include_fields`), with no 1,000-result cap and results that already include every
 * completed write. Beyond Auth0: `from`/`take` keyset paging, answered as `{users, next}` (Auth0's
 * checkpoint-pagination shape), which walks any number of users at constant cost per page.
 */
export function usersSearchRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/users', requireScopes('read:users'), async (req, res) => {
    const engine = queryString(req, 'search_engine');
    if (engine !== undefined && engine !== 'v3') {
      throw new GatehouseError('invalid_query_string', { field: 'search_engine', message: 'Only search_engine=v3 is supported.' });
    }
    const q = queryString(req, 'q');
    const query = q === undefined || q.trim() === '' ? null : parseQuery(q);
    const sortText = queryString(req, 'sort');
    let sort: UserSearch['sort'];
    if (sortText !== undefined) {
      const match = SORT.exec(sortText);
      if (!match) throw new GatehouseError('invalid_query_string', { field: 'sort', message: 'sort must look like field:1 or field:-1.' });
      sort = { field: match[1]!, direction: match[2] === '1' ? 1 : -1 };
    }
    const select = fieldSelector(req);
    const from = queryString(req, 'from');
    const take = queryString(req, 'take');

    if (from !== undefined || take !== undefined) {
      const perPage = take === undefined ? DEFAULT_PER_PAGE : Number(take);
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
        throw new GatehouseError('invalid_query_string', { field: 'take', message: `take must be an integer from 1 to ${MAX_PER_PAGE}.` });
      }
      const result = await gh.storage.searchUsers({ query, page: 0, perPage, includeTotals: false, sort, after: from === undefined || from === '' ? null : from });
      const body: Record<string, unknown> = { users: result.users.map((u) => select(userToJson(u))) };
      if (result.next) body.next = result.next;
      res.json(body);
      return;
    }

    const p = paging(req);
    const result = await gh.storage.searchUsers({ query, page: p.page, perPage: p.perPage, includeTotals: p.includeTotals, sort });
    const body = pagedBody(p, 'users', result.users.map((u) => select(userToJson(u))), result.total ?? 0, true);
    // Beyond Auth0: a flag when the total of a very large match is the database's estimate.
    if (result.totalIsEstimate && !Array.isArray(body)) (body as Record<string, unknown>).total_is_estimate = true;
    res.json(body);
  });

  return router;
}
