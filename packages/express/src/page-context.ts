import type { Request } from 'express';
import type { PageContext } from './pages/layout.js';

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
  };
}
