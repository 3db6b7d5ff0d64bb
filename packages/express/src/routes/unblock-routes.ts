import { isGatehouseError } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { confirmPage } from '../pages/confirm-page.js';
import { messagePage } from '../pages/message-page.js';
import { pageContext } from '../page-context.js';
import { wantsHtml } from '../wants-html.js';

/**
 * The unblock link of a brute-force block email: the GET shows a button (a mail scanner that
 * fetches links must not use it up), the POST redeems the one-time token and lifts every block
 * of the user.
 */
export function unblockRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const p = gh.options.prefix;

  router.get('/unblock', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    res.type('html').send(confirmPage(pageContext(req), 'Unblock sign-in', 'Allow sign-in to your account again from where it was blocked.', `${p}/unblock`, token, 'Unblock sign-in'));
  });

  router.post('/unblock', async (req, res) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token;
    try {
      await gh.loginGuard.service.unblock(token, gh.clientIp(req));
    } catch (err) {
      if (!wantsHtml(req) || !isGatehouseError(err) || err.status >= 500) throw err;
      res.status(err.status).type('html').send(messagePage(pageContext(req), 'Link expired', err.message, { href: `${p}/password/forgot`, text: 'Reset your password instead' }, 'error'));
      return;
    }
    const done = 'Sign-in is unblocked. If the failed attempts were not yours, choose a new password.';
    if (wantsHtml(req)) res.type('html').send(messagePage(pageContext(req), 'Sign-in unblocked', done, { href: `${p}/login`, text: 'Sign in' }));
    else res.json({ message: done });
  });

  return router;
}
