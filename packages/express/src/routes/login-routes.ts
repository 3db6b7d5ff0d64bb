import { GatehouseError, isGatehouseError, type User } from '@gatehouse/core';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { PassportStatic } from 'passport';
import type { GatehouseContext } from '../context.js';
import { loginPage } from '../pages/login-page.js';
import { pageContext } from '../page-context.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';
import { DATABASE_STRATEGY } from '../passport-setup.js';

function body(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

/**
 * Logs the user into a fresh session (passport regenerates the id, against fixation) and records
 * the login. The two are independent writes, so they run side by side: login latency is what
 * bounds login throughput.
 */
export async function establishSession(gh: GatehouseContext, req: Request, user: User): Promise<void> {
  await Promise.all([
    new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve()))),
    gh.users.recordLogin(user.user_id, { ip: gh.clientIp(req) }),
  ]);
}

/** GET and POST /login: the hosted login page and the database connection's password check. */
export function loginRoutes(gh: GatehouseContext, passport: PassportStatic): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo, signup } = gh.options;

  router.get('/login', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    res.type('html').send(loginPage(pageContext(req), { returnTo, signup }));
  });

  router.post('/login', (req: Request, res: Response, next: NextFunction) => {
    const returnTo = safeReturnTo(body(req).returnTo, allowedOrigins, defaultReturnTo);
    const email = typeof body(req).username === 'string' ? (body(req).username as string) : '';
    const html = wantsHtml(req);

    const fail = (error: GatehouseError, extra: { resendVerification?: boolean } = {}) => {
      if (!html) return next(error);
      res.status(error.status).type('html').send(
        loginPage(pageContext(req), { returnTo, signup, email, error: error.message, ...extra }),
      );
    };

    passport.authenticate(DATABASE_STRATEGY, { session: false }, (err: unknown, user: User | false, info: unknown) => {
      if (err) return isGatehouseError(err) && err.status < 500 ? fail(err) : next(err);
      if (!user) {
        return fail(isGatehouseError(info) ? info : new GatehouseError('invalid_body', { message: 'Enter your email and password.' }));
      }
      if (gh.options.requireVerifiedEmail && !user.email_verified) {
        req.session.pendingVerification = user.user_id;
        return fail(new GatehouseError('email_not_verified'), { resendVerification: true });
      }
      establishSession(gh, req, user).then(() => {
        if (html) return res.redirect(303, returnTo);
        res.json({ user_id: user.user_id, returnTo });
      }, next);
    })(req, res, next);
  });

  return router;
}
