import { GatehouseError, isGatehouseError, LOG_TYPES, normalizeEmail, type User } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { safeReturnTo } from '../return-to.js';
import { objectBody, onlyFields, optionalBoolean, optionalText } from './body.js';
import { requireScopes } from './management-auth.js';
import { requestContext } from './users-routes.js';

/** Auth0's default ticket lifetime (5 days) and Gatehouse's cap (30 days). */
const DEFAULT_TTL_SEC = 432_000;
const MAX_TTL_SEC = 30 * 86_400;

const FIELDS = ['user_id', 'email', 'connection_id', 'result_url', 'ttl_sec', 'mark_email_as_verified', 'includeEmailInRedirect', 'client_id', 'organization_id'];

/**
 * `POST /tickets/password-change`: a one-time link to the hosted reset page, for an admin to hand
 * to the user. Only its hash is stored; it dies with its first use, a newer password, or its ttl.
 */
export function ticketsRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.post('/tickets/password-change', requireScopes('update:users'), async (req, res) => {
    const body = objectBody(req.body);
    onlyFields(body, FIELDS);
    const userId = optionalText(body, 'user_id', 255);
    const rawEmail = body.email;
    if ((userId === undefined) === (rawEmail === undefined)) {
      throw new GatehouseError('invalid_body', { field: 'user_id', message: 'Give either user_id, or email (with connection_id), not both.' });
    }
    const connection = optionalText(body, 'connection_id', 128);
    if (connection !== undefined && connection !== gh.users.databaseConnection) {
      throw new GatehouseError('invalid_body', { field: 'connection_id', message: `Unknown connection: ${connection}.` });
    }
    const ttl = body.ttl_sec ?? 0;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SEC) {
      throw new GatehouseError('invalid_body', { field: 'ttl_sec', message: `ttl_sec must be an integer from 0 to ${MAX_TTL_SEC}.` });
    }
    const markVerified = optionalBoolean(body, 'mark_email_as_verified') ?? false;
    optionalBoolean(body, 'includeEmailInRedirect');
    const resultUrl = optionalText(body, 'result_url', 2048);
    // Like returnTo: only this app or an allow-listed origin, never an open redirect.
    const origin = gh.origin(req);
    if (resultUrl !== undefined && safeReturnTo(resultUrl, new Set([...gh.options.allowedOrigins, origin]), '') === '') {
      throw new GatehouseError('invalid_body', { field: 'result_url', message: 'result_url must be on this app or an allowed origin.' });
    }

    let user: User | null;
    if (userId !== undefined) {
      user = await gh.users.getUser(userId);
    } else {
      let email: string;
      try {
        email = normalizeEmail(rawEmail);
      } catch (err) {
        if (!isGatehouseError(err) || err.status >= 500) throw err;
        throw new GatehouseError('invalid_body', { field: 'email', message: 'email must be a valid email address.' });
      }
      user = await gh.storage.findUserByEmail(gh.users.databaseConnection, email);
      if (!user) throw new GatehouseError('inexistent_user');
    }

    const data = { email: user.email ?? '', mark_email_as_verified: markVerified, ...(resultUrl === undefined ? {} : { result_url: resultUrl }) };
    const token = await gh.users.issueToken(user.user_id, 'reset_password', (ttl === 0 ? DEFAULT_TTL_SEC : ttl) * 1000, data);
    await gh.users.log(LOG_TYPES.successChangePasswordRequest, 'Password change ticket created', user.user_id, requestContext(gh, req, res));
    res.status(201).json({ ticket: `${origin}${gh.options.prefix}/password/reset?token=${token}` });
  });

  return router;
}
