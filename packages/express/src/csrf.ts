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
    const site = req.headers['sec-fetch-site'];
    const originOk = origin === undefined || origin === ownOrigin(req) || allowedOrigins.has(origin);
    // A page served with `Referrer-Policy: no-referrer` makes the browser send `Origin: null` even
    // to its own site; Sec-Fetch-Site (which pages cannot forge) then says whether it is ours.
    const nullButSameOrigin = origin === 'null' && site === 'same-origin';
    if (site === 'cross-site' || (!originOk && !nullButSameOrigin)) {
      return next(new GatehouseError('invalid_origin'));
    }
    if (!isRequestValid(req)) return next(new GatehouseError('invalid_csrf_token'));
    next();
  }

  return { middleware, generateToken: (req: Request) => generateToken(req) };
}
