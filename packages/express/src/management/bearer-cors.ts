import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What a cross-origin caller may send: its token and a JSON body, never a CSRF token (that is for cookies). */
const ALLOW_HEADERS = 'authorization, content-type';
const ALLOW_METHODS = 'GET, POST, PATCH, PUT, DELETE';
/** Headers a caller's code may read: Auth0's rate-limit headers and Retry-After. */
const EXPOSE_HEADERS = 'x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, www-authenticate';
/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SEC = 600;

/**
 * CORS for the management API, for pages on the `allowedOrigins` that call it with a Bearer token
 * (the elements' `token` + `api-base`). Never with credentials: no
 * `Access-Control-Allow-Credentials`, so a browser neither sends the session cookie on such a
 * call nor lets the page read an answer to one, and `x-csrf-token` is not an allowed header, so
 * cookie-authenticated changes stay same-origin. An allowed origin's preflight is answered here
 * (204, before authentication: preflights carry no credentials); everything from other origins
 * is left as it was (no CORS headers at all).
 */
export function bearerCors(allowedOrigins: ReadonlySet<string>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin === undefined || !allowedOrigins.has(origin)) return next();
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': ALLOW_METHODS,
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SEC),
        Vary: 'Origin',
      });
      res.status(204).end();
      return;
    }
    // Only Bearer calls are shared with the other origin; a cookie call's answer stays unreadable there.
    if (req.headers.authorization !== undefined) {
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSE_HEADERS, Vary: 'Origin' });
    }
    next();
  };
}
