import { GatehouseError, isGatehouseError, type User } from '@gatehouse/core';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { PassportStatic } from 'passport';
import type { GatehouseContext } from '../context.js';
import { loginPage } from '../pages/login-page.js';
import { pageContext } from '../page-context.js';
import { afterLoginDestination } from '../progressive-profile.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';
import { DATABASE_STRATEGY } from '../passport-setup.js';
import { credentialsLogin } from './connection-routes.js';
import { hasAcceptedTerms } from '../terms.js';

function body(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

/**
 * Logs the user into a fresh session (passport regenerates the id, against fixation) and records
 * the login. The two are independent writes, so they run side by side: login latency is what
 * bounds login throughput.
 */
export async function establishSession(gh: GatehouseContext, req: Request, user: User): Promise<void> {
  const [, , termsAccepted] = await Promise.all([
    new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve()))),
    gh.users.recordLogin(user.user_id, { ip: gh.clientIp(req) }),
    hasAcceptedTerms(gh, user.user_id),
  ]);
  // On the new session: the terms gate asks for the current terms before anything else.
  if (!termsAccepted) req.session.termsPending = gh.options.terms!.version;
}

/** GET and POST /login: the hosted login page and the database connection's password check. */
export function loginRoutes(gh: GatehouseContext, passport: PassportStatic): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo, signup } = gh.options;

  router.get('/login', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    res.type('html').send(loginPage(pageContext(req), { returnTo, signup, connections: [...gh.connections.values()] }));
  });

  router.post('/login', (req: Request, res: Response, next: NextFunction) => {
    // The login form's connection choice: a directory or custom database instead of the built-in one.
    const chosen = body(req).connection;
    if (typeof chosen === 'string' && chosen !== '') {
      const connection = gh.connections.get(chosen);
      if (!connection || connection.loginMode !== 'credentials') return next(new GatehouseError('invalid_body', { field: 'connection', message: 'Unknown connection.' }));
      return credentialsLogin(gh, passport, connection)(req, res, next);
    }
    const returnTo = safeReturnTo(body(req).returnTo, allowedOrigins, defaultReturnTo);
    const email = typeof body(req).username === 'string' ? (body(req).username as string) : '';
    const html = wantsHtml(req);

    const identifier = body(req).username;
    const fail = (error: GatehouseError, extra: { resendVerification?: boolean } = {}) => {
      if (!html) return next(error);
      if (error.retryAfterSec !== undefined) res.set('Retry-After', String(error.retryAfterSec));
      res.status(error.status).type('html').send(
        loginPage(pageContext(req), { returnTo, signup, email, error: error.message, connections: [...gh.connections.values()], ...extra }),
      );
    };

    const authenticate = passport.authenticate(DATABASE_STRATEGY, { session: false }, (err: unknown, user: User | false, info: unknown) => {
      // An attempt that ends in neither a wrong password nor a success stops counting.
      const abandon = () => gh.loginGuard.abandon(req, identifier).catch(() => undefined);
      if (err) return void abandon().then(() => (isGatehouseError(err) && err.status < 500 ? fail(err) : next(err)));
      if (!user) {
        const error = isGatehouseError(info) ? info : new GatehouseError('invalid_body', { message: 'Enter your email and password.' });
        // Only a wrong password counts (an unknown user's too, alike); a missing field does not.
        if (error.code === 'invalid_credentials') return gh.loginGuard.recordFailure(req, identifier).then(() => fail(error), next);
        return void abandon().then(() => fail(error));
      }
      // The password was right: the run of failures ends, even if this login goes no further.
      gh.loginGuard.recordSuccess(req, identifier).then(() => proceed(user), next);
    });
    const proceed = (user: User) => {
      if (gh.options.requireVerifiedEmail && !user.email_verified) {
        req.session.pendingVerification = user.user_id;
        return fail(new GatehouseError('email_not_verified'), { resendVerification: true });
      }
      establishSession(gh, req, user).then(() => afterLoginDestination(gh, user, returnTo)).then((destination) => {
        if (html) return res.redirect(303, destination);
        res.json({ user_id: user.user_id, returnTo: destination });
      }, next);
    };
    // Brute-force protection comes before any password is checked: a blocked or throttled
    // attempt fails with 429 even with the right password, and costs no hashing.
    gh.loginGuard.check(req, identifier).then(
      () => authenticate(req, res, next),
      (err: unknown) => (isGatehouseError(err) && err.status < 500 ? fail(err) : next(err)),
    );
  });

  return router;
}
