import { ApiTokens, GatehouseError, MANAGEMENT_API } from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GatehouseContext } from '../context.js';

/** Who is calling the management API, and with which scopes. */
export interface ManagementCaller {
  /** `token`: a Bearer API token; `session`: a signed-in user's cookie (CSRF-checked on changes). */
  kind: 'token' | 'session';
  scopes: ReadonlySet<string>;
  /** The API token's id, or the signed-in user's user_id: the actor in the audit log. */
  actor: string;
}

/** The caller that managementAuth() established for this request. */
export function callerOf(res: Response): ManagementCaller {
  const caller = (res.locals as { managementCaller?: ManagementCaller }).managementCaller;
  if (!caller) throw new TypeError('managementAuth() must run before the management routes');
  return caller;
}

/** True when the caller holds every named scope. */
export function hasScopes(res: Response, ...scopes: string[]): boolean {
  const held = callerOf(res).scopes;
  return scopes.every((s) => held.has(s));
}

/**
 * Authenticates a management API call: `Authorization: Bearer gh_…` (its scopes), else a
 * signed-in session (the user's permissions on the management API). Nothing at all, or a bad
 * token, is 401 `invalid_api_token`. A present Authorization header is never ignored in favour of
 * the session, so a revoked token fails even from a signed-in browser.
 *
 * A session is an ambient credential the browser attaches to any site's request, so a session
 * caller's changes must also pass `csrf` (token + Origin checks); a Bearer token is sent only by
 * code that holds it, so it needs no CSRF check.
 */
export function managementAuth(gh: GatehouseContext, csrf: RequestHandler): RequestHandler {
  const tokens = new ApiTokens(gh.storage, gh.users.clock);
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const locals = res.locals as { managementCaller?: ManagementCaller };
    if (header !== undefined) {
      const match = /^Bearer +(\S+) *$/iu.exec(header);
      if (!match) return next(new GatehouseError('invalid_api_token'));
      tokens.verify(match[1]).then((token) => {
        locals.managementCaller = { kind: 'token', scopes: new Set(token.scopes), actor: token.id };
        next();
      }, next);
      return;
    }
    const user = req.user;
    if (!user) return next(new GatehouseError('invalid_api_token'));
    gh.storage.getUserPermissions(user.user_id).then((permissions) => {
      const scopes = new Set(permissions.filter((p) => p.resource_server_identifier === MANAGEMENT_API).map((p) => p.permission_name));
      locals.managementCaller = { kind: 'session', scopes, actor: user.user_id };
      csrf(req, res, next);
    }, next);
  };
}

/**
 * Lets the call through when the caller holds every named scope; otherwise 403
 * `insufficient_scope`, before anything is read or written.
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  return (_req, res, next) => (hasScopes(res, ...scopes) ? next() : next(new GatehouseError('insufficient_scope')));
}
