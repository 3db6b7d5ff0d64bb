import { GatehouseError, userToJson } from '@gatehouse/core';
import { Router, type Request } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireAuth } from '../guards.js';

/**
 * The signed-in user's self-service JSON API. Cookie-authenticated, so every change needs the
 * CSRF token (`GET /csrf-token`, then the `x-csrf-token` header). Only names, picture, username,
 * phone and user_metadata may be patched here; app_metadata, blocked, email_verified, ids and
 * credentials are an admin's, and are refused with 400 `field_not_allowed`.
 */
export function meRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.get('/csrf-token', (req, res) => {
    res.json({ csrfToken: gh.csrfToken(req) });
  });

  router.get('/me', requireAuth(), (req, res) => {
    res.json(userToJson(req.user!));
  });

  router.patch('/me', requireAuth(), async (req, res) => {
    const user = await gh.users.updateUser(req.user!.user_id, req.body, 'self', { ip: gh.clientIp(req), actor: 'self' });
    res.json(userToJson(user));
  });

  router.post('/me/password', requireAuth(), async (req: Request, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.current_password !== 'string' || body.current_password === '') {
      throw new GatehouseError('invalid_body', { field: 'current_password', message: 'The current password is required.' });
    }
    await gh.users.changePassword(req.user!.user_id, body.new_password, {
      currentPassword: body.current_password,
      ip: gh.clientIp(req),
      sessionId: req.sessionID,
      actor: 'self',
    });
    req.session.authTime = Date.now();
    res.status(204).end();
  });

  return router;
}
