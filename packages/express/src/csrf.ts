import { GatehouseError } from '@gatehouse/core';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, Response } from 'express';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for cookie-authenticated state changes: a synchronizer token kept in the
 * session (csrf-sync), taken from the `_csrf` form field or the `x-csrf-token` header, plus a
 * check that the browser does not report a foreign origin. Bearer-token requests carry no
 * ambient credentials and are left to their own guard.
 */
export function csrfProtection(ownOrigin: (req: Request) => string, allowedOrigins: ReadonlySet<string>) {
  const { generateToken, isRequestValid } = csrfSync({
    getTokenFromRequest: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const field = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      const header = req.headers['x-csrf-token'];
      return field ?? (typeof header === 'string' ? header : undefined);
    },
  });

  function middleware(req: Request, _res: Response, next: NextFunction): void {
    if (SAFE.has(req.method)) return next();
    const origin = req.headers.origin;
    if (req.headers['sec-fetch-site'] === 'cross-site' || (origin !== undefined && origin !== ownOrigin(req) && !allowedOrigins.has(origin))) {
      return next(new GatehouseError('invalid_origin'));
    }
    if (!isRequestValid(req)) return next(new GatehouseError('invalid_csrf_token'));
    next();
  }

  return { middleware, generateToken: (req: Request) => generateToken(req) };
}
