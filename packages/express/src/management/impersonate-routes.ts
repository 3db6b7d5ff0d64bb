import { GatehouseError, LOG_TYPES } from '@gatehouse/core';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { auditImpersonation, impersonationRefusal, refuseWhileImpersonating, startImpersonation } from '../impersonation-session.js';
import { requireRecentLogin } from '../recent-login.js';
import { callerOf, requireScopes } from './management-auth.js';

/**
 * `POST /users/{id}/impersonate`: a signed-in holder of `impersonate:users` (CSRF-checked, with a
 * sign-in within `session.recentLoginMs`) becomes the user for `impersonation.ttlMs`. The answer
 * sets a new session cookie; `req.user.impersonator` names the admin; `POST <prefix>/impersonation/stop`
 * goes back. API tokens cannot impersonate: a token is no person, and an impersonated session must
 * always trace to one who signed in. Every refusal and every start is in the audit log.
 */
export function impersonateRoutes(gh: GatehouseContext): Router {
  const router = Router();

  const refuse = async (req: Request, target: string | null, actor: string, reason: string, message: string) => {
    await auditImpersonation(gh, req, LOG_TYPES.impersonationRefused, 'Impersonation refused', target, actor, { reason });
    return new GatehouseError('impersonation_forbidden', { message });
  };

  // A session that is itself impersonating never gets this far (the API refuses it first); kept here
  // too so the rule does not depend on the order of mounts.
  const notNested = refuseWhileImpersonating('nested_impersonation');

  const humanOnly = (req: Request, res: Response, next: NextFunction) => {
    const caller = callerOf(res);
    if (caller.kind === 'session') return next();
    refuse(req, null, caller.actor, 'api_token', 'Impersonation needs a signed-in person; API tokens cannot impersonate.').then(next, next);
  };

  router.post('/users/:id/impersonate', requireScopes('impersonate:users'), humanOnly, notNested, requireRecentLogin(), async (req: Request, res: Response) => {
    const admin = req.user!;
    const target = await gh.users.getUser(req.params.id as string);
    const refusal = await impersonationRefusal(gh, admin.user_id, target);
    if (refusal) throw await refuse(req, target.user_id, admin.user_id, 'not_allowed', refusal);
    const state = await startImpersonation(gh, req, admin, target);
    await auditImpersonation(gh, req, LOG_TYPES.impersonationStarted, 'Impersonation started', target.user_id, admin.user_id, {
      expires_at: new Date(state.expiresAt).toISOString(),
    });
    res.json({ user_id: target.user_id, impersonator: state.impersonator, expires_at: new Date(state.expiresAt).toISOString() });
  });

  return router;
}

/**
 * Before the Management API's authentication: an impersonated session cannot call it at all (not
 * with the admin's rights, which it does not have, nor with the user's, which the admin must not
 * use in their name). A Bearer token is its own credential and is left to its own checks.
 */
export function refuseImpersonatedSessions(): (req: Request, res: Response, next: NextFunction) => void {
  const refuse = refuseWhileImpersonating('management_api');
  return (req, res, next) => (req.headers.authorization === undefined ? refuse(req, res, next) : next());
}
