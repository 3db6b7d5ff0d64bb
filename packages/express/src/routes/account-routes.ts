import { GatehouseError, isGatehouseError } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireAuth } from '../guards.js';
import { accountPage } from '../pages/account-page.js';
import { pageContext } from '../page-context.js';

/** The hosted account page (profile and password change) for signed-in users. */
export function accountRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/account', requireAuth(), (req, res) => {
    res.type('html').send(accountPage(pageContext(req), req.user!, {}));
  });

  router.post('/account/password', requireAuth(), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = req.user!;
    try {
      await gh.users.changePassword(user.user_id, body.new_password, {
        currentPassword: typeof body.current_password === 'string' ? body.current_password : '',
        ip: gh.clientIp(req),
        sessionId: req.sessionID,
        actor: 'self',
      });
    } catch (err) {
      if (!isGatehouseError(err) || err.status >= 500) throw err;
      res.status(err.status).type('html').send(accountPage(pageContext(req), user, { error: err.message, rules: err.rules }));
      return;
    }
    // The current password was just proven: this counts as a fresh sign-in for sensitive changes.
    req.session.authTime = Date.now();
    res.type('html').send(accountPage(pageContext(req), user, { info: 'Password changed. Your other sessions were signed out.' }));
  });

  router.use('/account', (_req, _res, next) => next(new GatehouseError('not_found')));
  return router;
}
