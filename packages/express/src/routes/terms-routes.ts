import { GatehouseError } from '@gatehouse/core';
import { Router } from 'express';
import type { GatehouseContext } from '../context.js';
import { termsPage } from '../pages/terms-page.js';
import { pageContext } from '../page-context.js';
import { safeReturnTo } from '../return-to.js';
import { accepted, recordTermsAcceptance } from '../terms.js';
import { wantsHtml } from '../wants-html.js';

/**
 * GET and POST /terms (only with the `terms` option): the page asking a signed-in user to accept
 * the current terms of service, and the acceptance, recorded as a consent before the user goes on.
 */
export function termsRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo } = gh.options;

  router.use('/terms', (req, _res, next) => {
    if (!gh.options.terms) return next(new GatehouseError('not_found'));
    next(req.user ? undefined : new GatehouseError('login_required'));
  });

  router.get('/terms', (req, res) => {
    const terms = gh.options.terms!;
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    res.type('html').send(termsPage(pageContext(req), { returnTo, ...terms }));
  });

  router.post('/terms', async (req, res) => {
    const terms = gh.options.terms!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const returnTo = safeReturnTo(body.returnTo, allowedOrigins, defaultReturnTo);
    if (!accepted(body.accept)) {
      const error = new GatehouseError('invalid_body', { field: 'accept', message: 'Accept the terms of service to continue, or sign out.' });
      if (!wantsHtml(req)) throw error;
      res.status(400).type('html').send(termsPage(pageContext(req), { returnTo, ...terms, error: error.message }));
      return;
    }
    await recordTermsAcceptance(gh, req, req.user!.user_id);
    delete req.session.termsPending;
    if (wantsHtml(req)) {
      res.redirect(303, returnTo);
      return;
    }
    res.json({ accepted: true, version: terms.version, returnTo });
  });

  return router;
}
