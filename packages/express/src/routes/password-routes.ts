import { isGatehouseError, LOG_TYPES, normalizeEmail } from '@gatehouse/core';
import { Router } from 'express';
import { accountEmails } from '../account-emails.js';
import type { GatehouseContext } from '../context.js';
import { customDatabaseUserForReset } from '../custom-database-connection.js';
import { messagePage } from '../pages/message-page.js';
import { forgotPasswordPage, resetPasswordPage } from '../pages/password-pages.js';
import { pageContext } from '../page-context.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';
import { sendLater } from './signup-routes.js';

const SENT = 'If an account exists for that address, we sent it a link to reset the password. The link works once.';

/**
 * Forgot / reset password by emailed link. The answer is the same whether or not the address has
 * an account, and the mail goes out after the answer, so neither content nor timing tells.
 */
export function passwordRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const p = gh.options.prefix;
  const limits = { minLength: gh.options.passwordPolicy.minLength, maxLength: gh.options.passwordPolicy.maxLength };

  router.get('/password/forgot', (req, res) => {
    res.type('html').send(forgotPasswordPage(pageContext(req), {}));
  });

  router.post('/password/forgot', async (req, res) => {
    const raw = (req.body as Record<string, unknown> | undefined)?.email;
    let email: string;
    try {
      email = normalizeEmail(raw);
    } catch (err) {
      if (!wantsHtml(req) || !isGatehouseError(err)) throw err;
      res.status(400).type('html').send(forgotPasswordPage(pageContext(req), { email: typeof raw === 'string' ? raw : '', error: err.message }));
      return;
    }
    // Counted per address whether or not it has an account, so a 429 tells nothing about who does.
    await gh.loginGuard.countEmail(req, email);
    const origin = gh.origin(req);
    const ip = gh.clientIp(req);
    sendLater(gh, async () => {
      // Users of a custom database connection with import on have their passwords in Gatehouse too.
      const user = (await gh.storage.findUserByEmail(gh.users.databaseConnection, email)) ?? (await customDatabaseUserForReset(gh, email));
      if (!user) return;
      const token = await gh.users.issueToken(user.user_id, 'reset_password', gh.options.resetPasswordTtlMs, { email });
      await gh.users.log(LOG_TYPES.successChangePasswordRequest, 'Password reset requested', user.user_id, { ip });
      const minutes = Math.round(gh.options.resetPasswordTtlMs / 60000);
      await gh.mailer.send(accountEmails.resetPassword(gh.options.appName, email, `${origin}${p}/password/reset?token=${token}`, minutes));
    });
    if (wantsHtml(req)) res.type('html').send(messagePage(pageContext(req), 'Check your inbox', SENT, { href: `${p}/login`, text: 'Back to sign in' }));
    else res.json({ message: SENT });
  });

  router.get('/password/reset', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    res.type('html').send(resetPasswordPage(pageContext(req), { token, ...limits }));
  });

  router.post('/password/reset', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === 'string' ? body.token : '';
    let resultUrl: string | null = null;
    try {
      const { user, data } = await gh.users.resetPassword(token, body.password, { ip: gh.clientIp(req) });
      // A management API ticket may name where to go once the password is set (Auth0's
      // result_url), checked again here: the allow-list may have changed since the ticket was made.
      const named = data.result_url;
      resultUrl = typeof named === 'string' ? safeReturnTo(named, new Set([...gh.options.allowedOrigins, gh.origin(req)]), '') || null : null;
      // Proving the mailbox is what the unblock link proves too: brute-force blocks end here.
      await gh.loginGuard.service.clearUser(user, { ip: gh.clientIp(req), actor: 'password reset' });
    } catch (err) {
      if (!wantsHtml(req) || !isGatehouseError(err) || err.status >= 500) throw err;
      const page = err.code === 'invalid_token'
        ? messagePage(pageContext(req), 'Link expired', err.message, { href: `${p}/password/forgot`, text: 'Ask for a new link' }, 'error')
        : resetPasswordPage(pageContext(req), { token, error: err.message, rules: err.rules, ...limits });
      res.status(err.status).type('html').send(page);
      return;
    }
    const done = 'Your password was changed and every session of your account was signed out.';
    if (resultUrl !== null) {
      if (wantsHtml(req)) return res.redirect(303, resultUrl);
      return res.json({ message: done, result_url: resultUrl });
    }
    if (wantsHtml(req)) res.type('html').send(messagePage(pageContext(req), 'Password changed', done, { href: `${p}/login`, text: 'Sign in' }));
    else res.json({ message: done });
  });

  return router;
}
