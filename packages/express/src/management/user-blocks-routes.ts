import { GatehouseError, normalizeIdentifier, type LoginBlock, type LoginBlockFilter } from '@gatehouse/core';
import { Router, type Request, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { callerOf, requireScopes } from './management-auth.js';
import { queryBoolean, queryString } from './query-params.js';

/** A block as Auth0's `blocked_for` lists it. */
function blockToJson(block: LoginBlock): { identifier: string; ip: string; connection: string } {
  return { identifier: block.identifier, ip: block.ip, connection: block.connection };
}

/**
 * Auth0's `/user-blocks` (brute-force blocks, not the admin `blocked` flag, which PATCH
 * `blocked:false` clears and these routes leave alone):
 * `GET/DELETE /user-blocks?identifier=` (an email, username or phone number) and
 * `GET/DELETE /user-blocks/{id}` (a user_id).
 */
export function userBlocksRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const guard = gh.loginGuard.service;

  /** `?identifier=`: its blocks, and those of the database user it names (under their other identifiers too). */
  async function identifierFilter(req: Request): Promise<LoginBlockFilter> {
    // Auth0's flag for whether brute-force protection is on; it is always on here, so only checked.
    queryBoolean(req, 'consider_brute_force_enablement', true);
    const identifier = normalizeIdentifier(queryString(req, 'identifier'));
    if (identifier === '') {
      throw new GatehouseError('invalid_query_string', { field: 'identifier', message: 'identifier is required: an email, username or phone number.' });
    }
    const connection = gh.users.databaseConnection;
    const user = identifier.includes('@')
      ? await gh.storage.findUserByEmail(connection, identifier)
      : await gh.storage.findUserByUsername(connection, identifier);
    return user ? { identifier, userId: user.user_id } : { identifier };
  }

  /** `/{id}`: the user's blocks; `inexistent_user` for an unknown id. */
  async function userFilter(req: Request): Promise<LoginBlockFilter> {
    queryBoolean(req, 'consider_brute_force_enablement', true);
    const user = await gh.users.getUser(req.params.id as string);
    return { userId: user.user_id, ...(user.email ? { identifier: normalizeIdentifier(user.email) } : {}) };
  }

  const list = (filterOf: (req: Request) => Promise<LoginBlockFilter>) => async (req: Request, res: Response) => {
    const blocks = await guard.listBlocks(await filterOf(req));
    res.json({ blocked_for: blocks.map(blockToJson) });
  };
  const lift = (filterOf: (req: Request) => Promise<LoginBlockFilter>) => async (req: Request, res: Response) => {
    await guard.clearBlocks(await filterOf(req), { ip: gh.clientIp(req), actor: callerOf(res).actor });
    res.status(204).end();
  };

  router.get('/user-blocks', requireScopes('read:users'), list(identifierFilter));
  router.delete('/user-blocks', requireScopes('update:users'), lift(identifierFilter));
  router.get('/user-blocks/:id', requireScopes('read:users'), list(userFilter));
  router.delete('/user-blocks/:id', requireScopes('update:users'), lift(userFilter));
  return router;
}
