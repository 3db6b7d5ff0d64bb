import { GatehouseError } from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * For sensitive self-service actions (deleting the account): lets through a session whose
 * sign-in (or last proof of the password) is at most `session.recentLoginMs` old; otherwise 403
 * `reauthentication_required`, so a session left open on a shared computer cannot do them. Mount
 * after requireAuth().
 *
 * @example router.delete('/me', requireAuth(), requireRecentLogin(), handler)
 */
export function requireRecentLogin(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const gh = req.gatehouse;
    if (!gh) throw new TypeError('identity() must be mounted before requireRecentLogin()');
    const authTime = req.session?.authTime;
    const fresh = typeof authTime === 'number' && gh.users.clock().getTime() - authTime <= gh.options.recentLoginMs;
    next(fresh ? undefined : new GatehouseError('reauthentication_required'));
  };
}
