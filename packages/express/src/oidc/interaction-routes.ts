import { GatehouseError, LOG_TYPES, type Application } from '@gatehouse/core';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Interaction } from './oidc-provider-types.js';
import type { GatehouseContext } from '../context.js';
import { pageContext } from '../page-context.js';
import { hasApplicationAccess } from './access-rules.js';
import { accessDeniedPage, consentPage } from './oidc-pages.js';
import { logApplicationLogin } from './provider-configuration.js';
import type { ProviderRuntime } from './provider-runtime.js';
import { rememberGrant } from './remembered-grants.js';

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
  handler(req, res).catch(next);
};

/**
 * The provider's interactions, as Gatehouse pages: login is the hosted login page (any
 * connection; an existing Gatehouse session signs in at once), then the access rule, then the
 * consent page (skipped for first-party applications and for what the user already agreed to).
 */
export function interactionRoutes(gh: GatehouseContext, runtime: ProviderRuntime, csrf: RequestHandler): Router {
  const router = Router();
  const { path } = runtime.options;
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  async function load(req: Request, res: Response): Promise<{ details: Interaction; app: Application }> {
    const provider = await runtime.current();
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== req.params.uid) throw new GatehouseError('invalid_body', { message: 'This sign-in has expired. Start again from the application.' });
    const app = typeof details.params.client_id === 'string' ? await gh.storage.getApplication(details.params.client_id) : null;
    if (!app) throw new GatehouseError('inexistent_client');
    return { details, app };
  }

  /** The signed-in user, when they may continue this interaction (a forced re-login needs a login after it began). */
  function signedInUser(req: Request, details: Interaction) {
    const user = req.user;
    if (!user) return null;
    const forced = details.prompt.name === 'login' && details.prompt.reasons.some((r) => r === 'login_prompt' || r === 'max_age');
    if (forced && (req.session.authTime ?? 0) < details.iat * 1000) return null;
    return user;
  }

  async function deny(req: Request, res: Response, app: Application, userId: string): Promise<void> {
    await gh.users.log(LOG_TYPES.failedLogin, `No access to ${app.name}`, userId, { ip: gh.clientIp(req) }, { client_id: app.client_id }).catch(() => undefined);
    res.status(403).type('html').send(accessDeniedPage(pageContext(req), app.name, `${path}/interaction/${req.params.uid as string}/abort`));
  }

  async function consent(req: Request, res: Response, details: Interaction, app: Application, accountId: string): Promise<void> {
    const provider = await runtime.current();
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: app.client_id });
    const asked = details.prompt.details;
    if (asked.missingOIDCScope?.length) grant.addOIDCScope(asked.missingOIDCScope.join(' '));
    if (asked.missingOIDCClaims?.length) grant.addOIDCClaims(asked.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(asked.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    await rememberGrant(gh.storage, gh.users.clock, grant, grantId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  router.get(`${path}/interaction/:uid`, wrap(async (req, res) => {
    const { details, app } = await load(req, res);
    const provider = await runtime.current();
    const user = signedInUser(req, details);
    const here = `${path}/interaction/${details.uid}`;
    if (!user) return res.redirect(303, `${gh.options.prefix}/login?returnTo=${encodeURIComponent(here)}`);
    if (!(await hasApplicationAccess(gh.storage, user, app))) return deny(req, res, app, user.user_id);
    // Signed in as someone else since the provider's session began: the provider switches to them.
    if (details.prompt.name === 'login' || details.session?.accountId !== user.user_id) {
      await logApplicationLogin(gh, req, user.user_id, app);
      const ts = Math.floor((req.session.authTime ?? Date.now()) / 1000);
      return provider.interactionFinished(req, res, { login: { accountId: user.user_id, ts, remember: true } }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name !== 'consent') throw new GatehouseError('invalid_body', { message: 'This sign-in step is not supported.' });
    // The tenant's own applications need no consent (as Auth0's first-party applications).
    if (app.is_first_party) return consent(req, res, details, app, user.user_id);
    const asked = details.prompt.details;
    const apis = Object.entries(asked.missingResourceScopes ?? {}).map(([resource, scopes]) => ({
      name: runtime.options.apis.get(resource)?.name ?? resource,
      scopes,
    }));
    res.type('html').send(consentPage(pageContext(req), {
      appName: app.name,
      action: here,
      scopes: asked.missingOIDCScope ?? [],
      claims: asked.missingOIDCClaims ?? [],
      apis,
    }));
  }));

  router.post(`${path}/interaction/:uid/confirm`, form, csrf, wrap(async (req, res) => {
    const { details, app } = await load(req, res);
    const user = req.user;
    if (details.prompt.name !== 'consent' || !user || details.session?.accountId !== user.user_id) {
      throw new GatehouseError('invalid_body', { message: 'This sign-in has expired. Start again from the application.' });
    }
    if (!(await hasApplicationAccess(gh.storage, user, app))) return deny(req, res, app, user.user_id);
    await consent(req, res, details, app, user.user_id);
  }));

  router.post(`${path}/interaction/:uid/abort`, form, csrf, wrap(async (req, res) => {
    await load(req, res);
    const provider = await runtime.current();
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user did not authorize the application.' }, { mergeWithLastSubmission: false });
  }));

  return router;
}
