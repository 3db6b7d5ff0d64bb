import { GatehouseError } from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorHandler } from './error-handler.js';
import { wantsHtml } from './wants-html.js';

function context(req: Request) {
  if (!req.gatehouse) throw new TypeError('identity() must be mounted (app.use(identity())) before Gatehouse guards');
  return req.gatehouse;
}

/**
 * Guards answer their own refusals through Gatehouse's error handler (Auth0-shaped JSON, or a
 * hosted page), so the host app's error handling need not know Gatehouse's errors.
 */
function refuse(req: Request, res: Response, next: NextFunction, error: unknown): void {
  errorHandler(error, req, res, next);
}

/**
 * Lets signed-in users through. A browser is sent to the login page (and back here afterwards);
 * an API call gets 401 `login_required`.
 *
 * @example app.get('/profile', requireAuth(), (req, res) => res.json(req.user))
 */
export function requireAuth(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const gh = context(req);
    if (req.user) return next();
    if (req.method === 'GET' && wantsHtml(req)) {
      return res.redirect(303, `${gh.options.prefix}/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
    }
    refuse(req, res, next, new GatehouseError('login_required'));
  };
}

/** The permission names the signed-in user holds through their roles (loaded once per request). */
export async function userPermissions(req: Request): Promise<Set<string>> {
  const cached = (req as { gatehousePermissions?: Set<string> }).gatehousePermissions;
  if (cached) return cached;
  if (!req.user) return new Set();
  const permissions = await context(req).storage.getUserPermissions(req.user.user_id);
  const names = new Set(permissions.map((p) => p.permission_name));
  (req as { gatehousePermissions?: Set<string> }).gatehousePermissions = names;
  return names;
}

/**
 * Lets through signed-in users who hold every named permission (through their roles); others get
 * 401 `login_required` or 403 `insufficient_scope`.
 *
 * @example app.get('/admin', requirePermission('read:users'), handler)
 */
export function requirePermission(...names: string[]): RequestHandler {
  if (names.length === 0 || names.some((n) => typeof n !== 'string' || n === '')) {
    throw new TypeError('requirePermission() needs one or more permission names');
  }
  const auth = requireAuth();
  return (req, res, next) => {
    auth(req, res, () => {
      userPermissions(req).then((held) => {
        if (names.every((n) => held.has(n))) next();
        else refuse(req, res, next, new GatehouseError('insufficient_scope'));
      }, (err: unknown) => refuse(req, res, next, err));
    });
  };
}
