import { checkProfilingAnswers, GatehouseError, isGatehouseError, type ProfilingStep } from '@gatehouse/core';
import { Router, type Request, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { requireAuth } from '../guards.js';
import { pageContext } from '../page-context.js';
import { PROFILE_STEP_SCRIPT, profileStepPage, type ProfileStepPageData } from '../pages/profile-step-page.js';
import { PROFILE_STEP_PATH, profilingStepFor, rememberProfilingSkip } from '../progressive-profile.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';

/**
 * The hosted progressive-profiling step (`GET/POST <prefix>/profile/complete`) and its page
 * script. The step is always the one due now, worked out again on each request (another tab may
 * have answered it meanwhile); with none due, the browser goes straight on to returnTo.
 * A form post (or JSON `{action: 'save'|'skip', rule, <field>: value}`) saves the answers through
 * the same self-service update as PATCH /me, after the rule's own checks.
 */
export function profileStepRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const { allowedOrigins, defaultReturnTo } = gh.options;

  router.get(`${PROFILE_STEP_PATH}.js`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').type('text/javascript').send(PROFILE_STEP_SCRIPT);
  });

  router.get(PROFILE_STEP_PATH, requireAuth(), async (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    const step = await profilingStepFor(gh, req.user!);
    if (!step) return res.redirect(303, returnTo);
    res.type('html').send(profileStepPage(pageContext(req), { step, returnTo }));
  });

  router.post(PROFILE_STEP_PATH, requireAuth(), async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = req.user!;
    const returnTo = safeReturnTo(body.returnTo, allowedOrigins, defaultReturnTo);
    const html = wantsHtml(req);
    const done = () => (html ? res.redirect(303, returnTo) : res.json({ returnTo }));
    const again = (status: number, step: ProfilingStep, data: Omit<ProfileStepPageData, 'step' | 'returnTo'>) =>
      res.status(status).type('html').send(profileStepPage(pageContext(req), { step, returnTo, ...data }));

    const step = await profilingStepFor(gh, user);
    if (!step) return done();
    if (body.action === 'skip') {
      // A skip is of the rule the user saw: if another rule is due by now, it is shown instead.
      if (body.rule !== step.rule.id) {
        if (!html) throw new GatehouseError('invalid_body', { field: 'rule', message: 'This step is no longer due; another one is.' });
        return again(409, step, {});
      }
      if (!step.rule.skippable) {
        const error = new GatehouseError('invalid_body', { field: 'action', message: 'This step cannot be skipped.' });
        if (!html) throw error;
        return again(error.status, step, { error: error.message });
      }
      await rememberProfilingSkip(gh, step.rule, user);
      return done();
    }

    const { patch, errors } = checkProfilingAnswers(step.fields, body);
    const [field, message] = Object.entries(errors)[0] ?? [];
    if (field !== undefined) {
      if (!html) throw new GatehouseError('invalid_body', { field, message });
      return again(400, step, { values: body, errors });
    }
    // Nothing answered (a rule of optional fields left empty): no write, and no "User updated" event.
    if (Object.keys(patch).length === 0) return done();
    try {
      await gh.users.updateUser(user.user_id, patch, 'self', { ip: gh.clientIp(req), actor: 'self' });
    } catch (err) {
      if (!html || !isGatehouseError(err) || err.status >= 500) throw err;
      // PATCH /me's own rules (an E.164 phone, a username already taken) speak about one field.
      const onField = err.field !== undefined && step.fields.some((f) => f.name === err.field);
      return again(err.status, step, onField ? { values: body, errors: { [err.field!]: err.message } } : { values: body, error: err.message });
    }
    done();
  });

  return router;
}
