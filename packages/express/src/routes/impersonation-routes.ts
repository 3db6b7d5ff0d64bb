import { GatehouseError, LOG_TYPES } from '@gatehouse/core';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { auditImpersonation, refuseWhileImpersonating, stopImpersonation } from '../impersonation-session.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `POST <prefix>/impersonation/stop` (back to the impersonator's own session, under a new id), and
 * the boundary of an impersonated session on Gatehouse's own routes. Mounted after the CSRF check.
 *
 * The boundary is an allow-list: an impersonated session may read (GET), stop, and sign out;
 * every other change here (password, email and profile, account deletion, consent, sign-ins,
 * verification and unblock links) is 403 `impersonation_forbidden` and audited, so a route added
 * later is refused until someone decides otherwise. So are the data export (a download of the
 * user's data in their name) and starting a sign-in with a connection.
 */
export function impersonationRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo, prefix } = gh.options;

  router.post('/impersonation/stop', async (req: Request, res: Response) => {
    const state = req.session.impersonation;
    if (!state) throw new GatehouseError('not_impersonating');
    const admin = await stopImpersonation(gh, req, state);
    // Ended on its own earlier (time box, a change): that end is already in the log.
    if (!state.ended) {
      await auditImpersonation(gh, req, LOG_TYPES.impersonationEnded, 'Impersonation ended', state.target, state.impersonator.user_id, { reason: 'stopped' });
    }
    const returnTo = safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo, allowedOrigins, defaultReturnTo);
    if (wantsHtml(req)) return res.redirect(303, admin ? returnTo : `${prefix}/login?returnTo=${encodeURIComponent(returnTo)}`);
    if (!admin) throw new GatehouseError('login_required');
    res.json({ user_id: admin.user_id });
  });

  // Signing out of an impersonated session signs the impersonator out too: their parked session goes.
  router.post('/logout', (req: Request, _res: Response, next: NextFunction) => {
    const state = req.session.impersonation;
    if (!state) return next('router');
    req.sessionStore.destroy(state.parkedSid, (err) => {
      if (err) return next(err);
      if (state.ended) return next('router');
      auditImpersonation(gh, req, LOG_TYPES.impersonationEnded, 'Impersonation ended', state.target, state.impersonator.user_id, { reason: 'logout' })
        .then(() => next('router'), next);
    });
  });

  router.get('/me/export', refuseWhileImpersonating('data_export'));
  // A connection's start begins a sign-in that would replace this session behind stop's back.
  router.get('/:connection', (req: Request, res: Response, next: NextFunction) => {
    if (!gh.connections.has(req.params.connection as string)) return next();
    refuseWhileImpersonating('connection_login')(req, res, next);
  });
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (SAFE.has(req.method)) return next();
    refuseWhileImpersonating('account_change')(req, res, next);
  });
  return router;
}
