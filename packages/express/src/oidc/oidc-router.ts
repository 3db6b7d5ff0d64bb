import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GatehouseContext } from '../context.js';
import { interactionRoutes } from './interaction-routes.js';
import type { ProviderRuntime } from './provider-runtime.js';

/**
 * The OpenID Connect provider as mounted by identity(): the interaction pages first, then
 * oidc-provider for everything else under the path (discovery, authorize, token, userinfo, JWKS,
 * end_session, revocation, introspection). oidc-provider parses its own bodies and does its own
 * CSRF-equivalent checks (state, PKCE, xsrf on logout), so it sits outside Gatehouse's CSRF guard.
 */
export function oidcRouter(gh: GatehouseContext, runtime: ProviderRuntime, csrf: RequestHandler): Router {
  const router = Router();
  const { path } = runtime.options;
  router.use(path, (_req: Request, res: Response, next: NextFunction) => {
    // Tokens and personal data: never cached (oidc-provider sets its own headers where it must).
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(interactionRoutes(gh, runtime, csrf));
  router.use(path, (req: Request, res: Response, next: NextFunction) => {
    runtime.current().then((provider) => provider.callback()(req, res), next);
  });
  return router;
}
