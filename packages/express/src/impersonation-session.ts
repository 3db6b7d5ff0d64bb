import { randomBytes } from 'node:crypto';
import { ADMIN_ROLE, GatehouseError, LOG_TYPES, MANAGEMENT_API, type User } from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SessionData, Store } from 'express-session';
import type { GatehouseContext } from './context.js';

/** Who is really at the keyboard of an impersonated session (`req.user.impersonator`). */
export interface Impersonator {
  user_id: string;
  email: string | null;
}

/** What an impersonated session keeps about its impersonation (`req.session.impersonation`). */
export interface ImpersonationState {
  impersonator: Impersonator;
  /** The impersonated user (kept after the session is signed out, for the audit log). */
  target: string;
  /**
   * The id the impersonator's own session is parked under: a fresh random id that never leaves
   * the server, so no browser holds a cookie for it and it cannot be used meanwhile.
   */
  parkedSid: string;
  /** ms since epoch. */
  startedAt: number;
  /** ms since epoch: the time box. */
  expiresAt: number;
  /** Set once the impersonation ended on its own (time box, a change); only stop (or logout) is left. */
  ended?: true;
}

/** Why an impersonation ended, as the audit log says it. */
export type ImpersonationEnd = 'stopped' | 'logout' | 'expired' | 'target_signed_out' | 'impersonator_signed_out' | 'no_longer_allowed';

type PassportData = { passport?: { user?: unknown } };

function passportOf(session: SessionData): PassportData['passport'] {
  return (session as PassportData).passport;
}

const call = (fn: (cb: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

function storeGet(store: Store, sid: string): Promise<SessionData | null> {
  return new Promise((resolve, reject) => store.get(sid, (err, data) => (err ? reject(err) : resolve(data ?? null))));
}

/** Audits an impersonation event: the target is the log's user, the impersonator its actor. */
export async function auditImpersonation(
  gh: GatehouseContext,
  req: Request,
  type: string,
  description: string,
  targetId: string | null,
  actor: string,
  details: Record<string, string>,
): Promise<void> {
  await gh.users.log(type, description, targetId, { ip: gh.clientIp(req), actor }, details);
}

/**
 * Why `impersonatorId` may not impersonate `target`, or null when they may: never oneself, never a
 * blocked user, never a holder of the admin role, never someone holding a permission (of any API)
 * the impersonator lacks; and the impersonator must hold `impersonate:users`. Checked at the start
 * and again on every request of the impersonated session, so a change meanwhile ends it.
 */
export async function impersonationRefusal(gh: GatehouseContext, impersonatorId: string, target: User): Promise<string | null> {
  if (target.user_id === impersonatorId) return 'You cannot impersonate yourself.';
  if (target.blocked) return 'A blocked user cannot be impersonated.';
  const [roles, held, theirs] = await Promise.all([
    gh.storage.getUserRoles(target.user_id),
    gh.storage.getUserPermissions(impersonatorId),
    gh.storage.getUserPermissions(target.user_id),
  ]);
  const key = (p: { resource_server_identifier: string; permission_name: string }) => `${p.resource_server_identifier}\u0000${p.permission_name}`;
  const mine = new Set(held.map(key));
  if (!mine.has(key({ resource_server_identifier: MANAGEMENT_API, permission_name: 'impersonate:users' }))) {
    return 'You do not hold the impersonate:users permission.';
  }
  if (roles.some((r) => r.id === ADMIN_ROLE.id)) return 'Administrators cannot be impersonated.';
  if (theirs.some((p) => !mine.has(key(p)))) return 'This user holds permissions you do not have.';
  return null;
}

/**
 * Switches the signed-in admin's session to `target`. The admin's session is copied to a fresh
 * random id kept only inside the new session (parked: indexed under the admin, so ending the
 * admin's sessions ends it too), the browser's session id is regenerated (the admin's old id dies:
 * no fixation, no way back except stop), and the new session carries the impersonation without an
 * authentication time, so nothing in it counts as a recent sign-in.
 */
export async function startImpersonation(gh: GatehouseContext, req: Request, impersonator: User, target: User): Promise<ImpersonationState> {
  const now = gh.users.clock().getTime();
  const parkedSid = randomBytes(24).toString('base64url');
  const own = JSON.parse(JSON.stringify(req.session)) as SessionData;
  const store = req.sessionStore;
  await call((cb) => store.set(parkedSid, { ...own, parked: true }, cb));
  try {
    await call((cb) => req.session.regenerate(cb));
  } catch (err) {
    await call((cb) => store.destroy(parkedSid, cb)).catch(() => undefined);
    throw err;
  }
  const state: ImpersonationState = {
    impersonator: { user_id: impersonator.user_id, email: impersonator.email },
    target: target.user_id,
    parkedSid,
    startedAt: now,
    expiresAt: now + gh.options.impersonationTtlMs,
  };
  (req.session as PassportData).passport = { user: target.user_id };
  req.session.impersonation = state;
  req.session.loginIp = gh.clientIp(req);
  await call((cb) => req.session.save(cb));
  req.user = { ...target, impersonator: state.impersonator };
  return state;
}

/**
 * Ends the impersonation and returns to the impersonator's own session, under a new id. Resolves
 * to the impersonator, or null when their parked session is gone (signed out everywhere, blocked,
 * deleted, expired meanwhile): then the browser is left signed out.
 */
export async function stopImpersonation(gh: GatehouseContext, req: Request, state: ImpersonationState): Promise<User | null> {
  const store = req.sessionStore;
  const parked = await storeGet(store, state.parkedSid);
  await call((cb) => store.destroy(state.parkedSid, cb));
  await call((cb) => req.session.regenerate(cb));
  let admin: User | null = null;
  if (parked?.parked === true && passportOf(parked)?.user === state.impersonator.user_id) {
    const user = await gh.storage.getUser(state.impersonator.user_id);
    if (user && !user.blocked) {
      // The old CSRF token stays behind: the restored session gets a fresh one.
      const { cookie: _cookie, parked: _parked, ...data } = parked as SessionData & { csrfToken?: string };
      delete (data as { csrfToken?: string }).csrfToken;
      Object.assign(req.session, data);
      admin = user;
    }
  }
  await call((cb) => req.session.save(cb));
  req.user = admin ?? undefined;
  return admin;
}

/** Ends the impersonation in place: the session keeps only what stop needs, and is signed out meanwhile. */
async function endInPlace(gh: GatehouseContext, req: Request, state: ImpersonationState, reason: ImpersonationEnd): Promise<void> {
  delete (req.session as PassportData).passport;
  req.session.impersonation = { ...state, ended: true };
  req.user = undefined;
  await auditImpersonation(gh, req, LOG_TYPES.impersonationEnded, 'Impersonation ended', state.target, state.impersonator.user_id, { reason });
}

/**
 * After passport.session(): marks `req.user.impersonator` on an impersonated session, and ends the
 * impersonation (signed out, stop still returns) when its time box is over, the target is gone or
 * blocked, the impersonator's own session is gone, or either side's permissions changed so that it
 * would no longer be allowed. A parked admin session presented as a cookie is never live.
 */
export function impersonationSession(gh: GatehouseContext): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const session = req.session;
    if (!session) return next();
    if (session.parked) {
      // Its id never leaves the server; whoever presents it anyway gets no session, and it ends.
      req.user = undefined;
      return session.regenerate((err) => next(err));
    }
    const state = session.impersonation;
    if (!state) return next();
    check(gh, req, state).then(() => next(), next);
  };
}

async function check(gh: GatehouseContext, req: Request, state: ImpersonationState): Promise<void> {
  if (state.ended) {
    req.user = undefined;
    return;
  }
  const target = req.user;
  if (gh.users.clock().getTime() >= state.expiresAt) return endInPlace(gh, req, state, 'expired');
  // passport found the target blocked or deleted (or their sessions were ended: then there is no session at all).
  if (!target || target.user_id !== state.target) return endInPlace(gh, req, state, 'target_signed_out');
  const [parked, refusal] = await Promise.all([storeGet(req.sessionStore, state.parkedSid), impersonationRefusal(gh, state.impersonator.user_id, target)]);
  if (!parked) return endInPlace(gh, req, state, 'impersonator_signed_out');
  if (refusal) return endInPlace(gh, req, state, 'no_longer_allowed');
  req.user = { ...target, impersonator: state.impersonator };
}

/**
 * Refuses the request with 403 `impersonation_forbidden` when it comes from an impersonated
 * session (also one whose impersonation just ended, until stop), and audits the attempt with
 * the impersonator as actor. `what` names the refused action in the log.
 */
export function refuseWhileImpersonating(what: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const state = req.session?.impersonation;
    const gh = req.gatehouse;
    if (!state || !gh) return next();
    const path = req.originalUrl.split('?')[0]!.slice(0, 200);
    auditImpersonation(gh, req, LOG_TYPES.impersonationRefused, 'Refused while impersonating', state.target, state.impersonator.user_id, {
      reason: what,
      method: req.method,
      path,
    }).then(() => next(new GatehouseError('impersonation_forbidden', { message: 'This is not allowed while impersonating. Stop impersonating first.' })), next);
  };
}

/**
 * A guard for the host app's own sensitive routes: lets through everyone but impersonated
 * sessions, which get 403 `impersonation_forbidden` (audited). Gatehouse's own credential,
 * account and management routes already refuse them.
 *
 * @example app.post('/billing/card', requireAuth(), forbidImpersonation(), handler)
 */
export function forbidImpersonation(): RequestHandler {
  return refuseWhileImpersonating('host_route');
}
