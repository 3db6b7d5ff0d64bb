import { exportUserData, GatehouseError, LOG_TYPES } from '@gatehouse/core';
import { Router, type Request, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireAuth } from '../guards.js';
import { requireRecentLogin } from '../recent-login.js';

/** Sends a data export as a JSON download. */
export function sendExport(res: Response, data: unknown, now: Date): void {
  res.set('Content-Disposition', `attachment; filename="gatehouse-export-${now.toISOString().slice(0, 10)}.json"`);
  res.json(data);
}

/**
 * The signed-in user's GDPR rights over the self-service API: `GET /me/export` (access and
 * portability: everything stored about them, as JSON) and `DELETE /me` (erasure: needs a sign-in
 * within `session.recentLoginMs`, and the CSRF token like every cookie-authenticated change).
 */
export function meDataRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/me/export', requireAuth(), async (req: Request, res: Response) => {
    const now = gh.users.clock();
    const data = await exportUserData(gh.storage, req.user!.user_id, now);
    if (!data) throw new GatehouseError('login_required');
    await gh.users.log(LOG_TYPES.successUserUpdate, 'User data exported', req.user!.user_id, { ip: gh.clientIp(req), actor: 'self' });
    sendExport(res, data, now);
  });

  router.delete('/me', requireAuth(), requireRecentLogin(), async (req: Request, res: Response) => {
    const userId = req.user!.user_id;
    // The only administrator would leave nobody able to administer Gatehouse.
    await gh.users.deleteUser(userId, { ip: gh.clientIp(req), actor: 'self' });
    // The sessions went with the user; this one's cookie must stop working at once too.
    await new Promise<void>((resolve, reject) => req.logOut((err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie(gh.options.cookieName, { path: '/', httpOnly: true, secure: gh.options.secureCookies, sameSite: 'lax' });
    res.status(204).end();
  });

  return router;
}
