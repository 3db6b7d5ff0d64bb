import { GatehouseError, toGatehouseError } from '@gatehouse/core';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { errorHandler } from '../error-handler.js';
import { bearerCors } from './bearer-cors.js';
import { identitiesRoutes } from './identities-routes.js';
import { jobsRoutes } from './jobs-routes.js';
import { logsRoutes } from './logs-routes.js';
import { managementAuth } from './management-auth.js';
import { managementOpenApi } from './openapi/openapi-document.js';
import { rateLimiting } from './rate-limit.js';
import { rolePermissionsRoutes } from './role-permissions-routes.js';
import { rolesRoutes } from './roles-routes.js';
import { ticketsRoutes } from './tickets-routes.js';
import { userPermissionsRoutes } from './user-permissions-routes.js';
import { userBlocksRoutes } from './user-blocks-routes.js';
import { userRolesRoutes } from './user-roles-routes.js';
import { applicationAccessRoutes } from './application-access-routes.js';
import { clientsRoutes } from './clients-routes.js';
import { signingKeysRoutes } from './signing-keys-routes.js';
import { usersSearchRoutes } from './users-search-routes.js';
import { usersRoutes } from './users-routes.js';
import { userExportRoutes } from './user-export-routes.js';
import { impersonateRoutes, refuseImpersonatedSessions } from './impersonate-routes.js';

/** The realm named in WWW-Authenticate. */
const REALM = 'gatehouse';

/** Flags the response as an API answer, so errors are always JSON (never a hosted page). */
export const API_RESPONSE = 'gatehouseApi';

/**
 * Only JSON bodies: anything else (a form post, text/plain, which a cross-site page can send
 * without a CORS preflight) is refused with 400 `invalid_body` before it is parsed.
 */
function jsonBodiesOnly(req: Request, _res: Response, next: NextFunction): void {
  // null: no body at all; false: a body of another (or no) type.
  if (req.is('application/json') === false) {
    return next(new GatehouseError('invalid_body', { message: 'The request body must be JSON (Content-Type: application/json).' }));
  }
  next();
}

/** 401s carry a Bearer challenge (RFC 6750); a token lacking a scope is told which error it is. */
function challenge(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const error = toGatehouseError(err);
  if (error.status === 401) {
    res.set('WWW-Authenticate', req.headers.authorization === undefined
      ? `Bearer realm="${REALM}"`
      : `Bearer realm="${REALM}", error="invalid_token"`);
  } else if (error.code === 'insufficient_scope' && req.headers.authorization !== undefined) {
    res.set('WWW-Authenticate', `Bearer realm="${REALM}", error="insufficient_scope"`);
  }
  errorHandler(err, req, res, next);
}

/**
 * The Auth0-compatible Management API v2 (identity() mounts it at `/api/v2`): authentication by
 * Bearer API token or by a signed-in session (CSRF-checked), scope checks per route, JSON in and
 * out, Auth0's error body.
 */
export function managementRouter(gh: GatehouseContext, csrf: RequestHandler): Router {
  const router = Router();
  // First: a preflight from an allowed origin is answered before authentication and rate limits.
  router.use(bearerCors(gh.options.allowedOrigins));
  router.use((_req: Request, res: Response, next: NextFunction) => {
    (res.locals as Record<string, unknown>)[API_RESPONSE] = true;
    // Users, tokens and tickets: never cached anywhere.
    res.set('Cache-Control', 'no-store');
    next();
  });
  const limits = rateLimiting(gh);
  // Public and the same for everyone: it describes the API, never any data. Counted per IP.
  const openapi = JSON.stringify(managementOpenApi());
  router.get('/openapi.json', limits.count, (_req: Request, res: Response) => {
    res.set('Cache-Control', 'public, max-age=300').type('json').send(openapi);
  });
  router.use(refuseImpersonatedSessions());
  router.use(managementAuth(gh, csrf));
  // After authentication, so each token or user has its own budget.
  router.use(limits.count);
  // Before the JSON-only guard: an import is a multipart upload (the export route parses its own JSON).
  router.use(jobsRoutes(gh));
  router.use(jsonBodiesOnly, express.json({ limit: '2mb', strict: true }));
  router.use(usersSearchRoutes(gh));
  router.use(usersRoutes(gh));
  router.use(identitiesRoutes(gh));
  router.use(userRolesRoutes(gh));
  router.use(userPermissionsRoutes(gh));
  router.use(logsRoutes(gh));
  router.use(userExportRoutes(gh));
  router.use(impersonateRoutes(gh));
  router.use(userBlocksRoutes(gh));
  router.use(rolesRoutes(gh));
  router.use(rolePermissionsRoutes(gh));
  router.use(ticketsRoutes(gh));
  router.use(clientsRoutes(gh));
  router.use(applicationAccessRoutes(gh));
  router.use(signingKeysRoutes(gh));
  router.use((_req: Request, _res: Response, next: NextFunction) => next(new GatehouseError('not_found')));
  // Requests refused before they were counted (no or a bad credential, CSRF) count against their IP.
  router.use(limits.countFailure);
  router.use(challenge);
  return router;
}
