import { isGatehouseError } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { confirmPage } from '../pages/confirm-page.js';
import { messagePage } from '../pages/message-page.js';
import { pageContext } from '../page-context.js';
import { wantsHtml } from '../wants-html.js';
import { sendLater, sendVerification } from './signup-routes.js';

/** Email verification: the link's GET shows a button, the POST uses the token up. */
export function verifyEmailRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const p = gh.options.prefix;

  router.get('/verify-email', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    res.type('html').send(confirmPage(pageContext(req), 'Verify your email', 'Confirm that this email address is yours.', `${p}/verify-email`, token, 'Verify my email'));
  });

  router.post('/verify-email', async (req, res) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token;
    try {
      await gh.users.verifyEmail(token, { ip: gh.clientIp(req) });
    } catch (err) {
      if (!wantsHtml(req) || !isGatehouseError(err) || err.status >= 500) throw err;
      res.status(err.status).type('html').send(messagePage(pageContext(req), 'Link expired', err.message, { href: `${p}/login`, text: 'Sign in to get a new link' }, 'error'));
      return;
    }
    const done = 'Your email address is verified.';
    if (wantsHtml(req)) res.type('html').send(messagePage(pageContext(req), 'Email verified', done, { href: `${p}/login`, text: 'Sign in' }));
    else res.json({ message: done });
  });

  // After a sign-in with the right password but an unverified address, or from a signed-in session.
  router.post('/verify-email/resend', async (req, res) => {
    const userId = req.user?.user_id ?? req.session.pendingVerification;
    if (userId) await gh.loginGuard.countEmail(req, userId);
    const user = userId ? await gh.storage.getUser(userId) : null;
    if (user && !user.email_verified) sendLater(gh, () => sendVerification(gh, req, user));
    const done = 'If your address still needs verifying, a new link is on its way.';
    if (wantsHtml(req)) res.type('html').send(messagePage(pageContext(req), 'Check your inbox', done, { href: `${p}/login`, text: 'Back to sign in' }));
    else res.json({ message: done });
  });

  return router;
}
