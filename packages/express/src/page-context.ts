import type { Request } from 'express';
import type { PageContext } from './pages/layout.js';

function impersonationOf(req: Request): PageContext['impersonation'] {
  const state = req.session?.impersonation;
  if (!state) return null;
  const impersonator = state.impersonator.email ?? state.impersonator.user_id;
  return { impersonator, target: req.user ? (req.user.email ?? req.user.user_id) : null, active: !state.ended && Boolean(req.user) };
}

/** The per-request data every hosted page needs. */
export function pageContext(req: Request): PageContext {
  const gh = req.gatehouse;
  if (!gh) throw new Error('identity() is not mounted before this route');
  return {
    appName: gh.options.appName,
    prefix: gh.options.prefix,
    themeCss: gh.options.themeCss,
    csrfToken: req.session ? gh.csrfToken(req) : '',
    user: req.user ? { email: req.user.email, name: req.user.name } : null,
    impersonation: impersonationOf(req),
  };
}
