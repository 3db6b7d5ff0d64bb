import { LOG_TYPES } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { html } from '../pages/html.js';
import { csrfField, layout } from '../pages/layout.js';
import { pageContext } from '../page-context.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';

/**
 * GET /logout shows a button; POST /logout ends the session. A GET never changes state, so an
 * <img src="/auth/logout"> on another site cannot sign anyone out.
 */
export function logoutRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo } = gh.options;

  router.get('/logout', (req, res) => {
    const ctx = pageContext(req);
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    res.type('html').send(layout(ctx, 'Sign out', html`
<h1>Sign out</h1>
<form method="post" action="${ctx.prefix}/logout">
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${returnTo}">
  <button type="submit">Sign out</button>
</form>`));
  });

  router.post('/logout', async (req, res) => {
    const returnTo = safeReturnTo((req.body as Record<string, unknown> | undefined)?.returnTo, allowedOrigins, defaultReturnTo);
    const userId = req.user?.user_id ?? null;
    const signedInWith = req.session.connection;
    // passport clears the login and regenerates the id; the old session row is destroyed with it.
    await new Promise<void>((resolve, reject) => req.logOut((err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie(gh.options.cookieName, { path: '/', httpOnly: true, secure: gh.options.secureCookies, sameSite: 'lax' });
    if (userId) await gh.users.log(LOG_TYPES.successLogout, 'Successful logout', userId, { ip: gh.clientIp(req) });
    // A connection that supports single logout (SAML SLO) gets the browser next, and sends it on
    // to returnTo; a failure there must not undo the local logout that already happened.
    const connection = signedInWith ? gh.connections.get(signedInWith.name) : undefined;
    const providerLogout = connection?.logoutUrl
      ? await connection
          .logoutUrl({ sessionData: signedInWith!.data, providerUserId: signedInWith!.providerUserId, returnTo: new URL(returnTo, gh.origin(req)).href })
          .catch((err: unknown) => {
            gh.options.logger.warn(`[gatehouse] logout at connection ${connection.name} failed:`, err);
            return null;
          })
      : null;
    if (wantsHtml(req)) res.redirect(303, providerLogout ?? returnTo);
    else res.status(204).end();
  });

  return router;
}
