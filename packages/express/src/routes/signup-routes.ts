import { GatehouseError, isGatehouseError, type User } from '@gatehouse/core';
import { Router, type Request } from 'express';
import { accountEmails } from '../account-emails.js';
import type { GatehouseContext } from '../context.js';
import { messagePage } from '../pages/message-page.js';
import { signupPage } from '../pages/signup-page.js';
import { pageContext } from '../page-context.js';
import { safeReturnTo } from '../return-to.js';
import { accepted, recordTermsAcceptance } from '../terms.js';
import { wantsHtml } from '../wants-html.js';
import { establishSession } from './login-routes.js';

/** Sends a verification link for the user's current address. */
export async function sendVerification(gh: GatehouseContext, req: Request, user: User): Promise<void> {
  if (!user.email) return;
  const token = await gh.users.issueToken(user.user_id, 'verify_email', gh.options.verifyEmailTtlMs, { email: user.email });
  const link = `${gh.origin(req)}${gh.options.prefix}/verify-email?token=${token}`;
  await gh.mailer.send(accountEmails.verifyEmail(gh.options.appName, user.email, link));
}

/** Mail is sent after the response: the answer's timing must not tell whether an account exists. */
export function sendLater(gh: GatehouseContext, work: () => Promise<void>): void {
  setImmediate(() => {
    work().catch((err: unknown) => gh.options.logger.error('[gatehouse] could not send email:', err));
  });
}

/**
 * GET and POST /signup. The answer to a new address and to a taken one is the same ("check your
 * inbox"); the owner of a taken address gets an email saying so. Nobody learns from the signup
 * form who has an account.
 */
export function signupRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo, passwordPolicy } = gh.options;
  const limits = { minLength: passwordPolicy.minLength, maxLength: passwordPolicy.maxLength, terms: gh.options.terms };

  router.use('/signup', (_req, _res, next) => next(gh.options.signup ? undefined : new GatehouseError('not_found')));

  router.get('/signup', (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    res.type('html').send(signupPage(pageContext(req), { returnTo, ...limits }));
  });

  router.post('/signup', async (req, res) => {
    await gh.loginGuard.countSignup(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const returnTo = safeReturnTo(body.returnTo, allowedOrigins, defaultReturnTo);
    const email = typeof body.email === 'string' ? body.email : '';
    const html = wantsHtml(req);
    const ip = gh.clientIp(req);
    let user: User | null = null;
    try {
      if (gh.options.terms && !accepted(body.acceptTerms)) {
        throw new GatehouseError('invalid_body', { field: 'acceptTerms', message: 'Accept the terms of service to create an account.' });
      }
      user = await gh.users.createUser({ email, password: body.password }, { ip });
      // Before the session: a user who just accepted is not asked again at this login.
      await recordTermsAcceptance(gh, req, user.user_id);
    } catch (err) {
      if (!isGatehouseError(err) || (err.code !== 'user_exists' && err.status >= 500)) throw err;
      if (err.code !== 'user_exists') {
        if (!html) throw err;
        res.status(err.status).type('html').send(signupPage(pageContext(req), { returnTo, email, error: err.message, field: err.field, rules: err.rules, ...limits }));
        return;
      }
      await gh.users.log('fs', 'Signup with an existing email', null, { ip });
      const origin = gh.origin(req);
      sendLater(gh, () =>
        gh.mailer.send(accountEmails.accountExists(gh.options.appName, email.trim().toLowerCase(), `${origin}${gh.options.prefix}/login`, `${origin}${gh.options.prefix}/password/forgot`)),
      );
    }
    if (user) {
      const created = user;
      sendLater(gh, () => sendVerification(gh, req, created));
      if (!gh.options.requireVerifiedEmail) await establishSession(gh, req, created);
    }
    const signedIn = user !== null && !gh.options.requireVerifiedEmail;
    if (!html) {
      res.status(201).json({ message: 'Check your inbox to verify your email address.', signedIn });
      return;
    }
    if (signedIn) {
      res.redirect(303, returnTo);
      return;
    }
    res.status(201).type('html').send(
      messagePage(pageContext(req), 'Check your inbox', 'We sent a link to your email address. Open it to verify the address, then sign in.', {
        href: `${gh.options.prefix}/login?returnTo=${encodeURIComponent(returnTo)}`,
        text: 'Go to sign in',
      }),
    );
  });

  return router;
}
