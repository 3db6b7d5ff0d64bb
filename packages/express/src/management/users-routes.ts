import { GatehouseError, isGatehouseError, normalizeEmail, userToJson, type RequestContext } from '@gatehouse/core';
import { Router, type Request, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { sendLater, sendVerification } from '../routes/signup-routes.js';
import { objectBody } from './body.js';
import { callerOf, hasScopes, requireScopes } from './management-auth.js';
import { fieldSelector, queryString } from './query-params.js';

/** Who asks, for the audit log; a caller changing their own password keeps their own session. */
export function requestContext(gh: GatehouseContext, req: Request, res: Response, subject?: string): RequestContext {
  const caller = callerOf(res);
  return {
    ip: gh.clientIp(req),
    actor: caller.actor,
    sessionId: caller.kind === 'session' && caller.actor === subject ? req.sessionID : null,
  };
}

/** `GET/PATCH/DELETE /users/{id}`, `POST /users`, `GET /users-by-email`. */
export function usersRoutes(gh: GatehouseContext): Router {
  const router = Router();

  router.post('/users', requireScopes('create:users'), async (req, res) => {
    const body = objectBody(req.body);
    // Auth0 requires the connection on create; Gatehouse has one database connection for now.
    if (body.connection === undefined) {
      throw new GatehouseError('invalid_body', { field: 'connection', message: 'Payload validation error: Missing required property: connection.' });
    }
    const user = await gh.users.createUser(body, requestContext(gh, req, res));
    // Auth0's verify_email (default true): an unverified address gets the verification link.
    if (body.verify_email !== false && !user.email_verified && user.email) sendLater(gh, () => sendVerification(gh, req, user));
    res.status(201).json(userToJson(user));
  });

  router.get('/users-by-email', requireScopes('read:users'), async (req, res) => {
    const select = fieldSelector(req);
    const raw = queryString(req, 'email');
    let email: string;
    try {
      email = normalizeEmail(raw);
    } catch (err) {
      if (!isGatehouseError(err) || err.status >= 500) throw err;
      throw new GatehouseError('invalid_query_string', { field: 'email', message: 'email must be a valid email address.' });
    }
    const users = await gh.storage.listUsersByEmail(email);
    res.json(users.map((u) => select(userToJson(u))));
  });

  router.get('/users/:id', requireScopes('read:users'), async (req, res) => {
    const select = fieldSelector(req);
    const user = await gh.users.getUser(req.params.id as string);
    // Provider tokens act as the user at the provider: only for callers granted exactly that (Auth0's rule).
    const identities = hasScopes(res, 'read:user_idp_tokens') ? await gh.idpTokens.reveal(user) : user.identities;
    res.json(select({ ...userToJson(user), identities }));
  });

  router.patch('/users/:id', async (req, res) => {
    const body = objectBody(req.body);
    const keys = Object.keys(body);
    // Auth0: update:users changes anything; update:users_app_metadata alone changes app_metadata only.
    const onlyAppMetadata = keys.length > 0 && keys.every((k) => k === 'app_metadata');
    if (!hasScopes(res, 'update:users') && !(onlyAppMetadata && hasScopes(res, 'update:users_app_metadata'))) {
      throw new GatehouseError('insufficient_scope');
    }
    const id = req.params.id as string;
    // Blocking or a new password ends the user's sessions (the user service does it).
    const user = await gh.users.updateUser(id, body, 'admin', requestContext(gh, req, res, id));
    res.json(userToJson(user));
  });

  router.delete('/users/:id', requireScopes('delete:users'), async (req, res) => {
    const id = req.params.id as string;
    await gh.users.deleteUser(id, requestContext(gh, req, res));
    res.status(204).end();
  });

  return router;
}
