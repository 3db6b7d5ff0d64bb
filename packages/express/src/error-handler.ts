import { GatehouseError, isGatehouseError, toGatehouseError } from '@gatehouse/core';
import type { NextFunction, Request, Response } from 'express';
import { messagePage } from './pages/message-page.js';
import { pageContext } from './page-context.js';
import { wantsHtml } from './wants-html.js';

/** body-parser's errors as Gatehouse errors (their messages never reach the client). */
function fromBodyParser(err: unknown): GatehouseError | null {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return new GatehouseError('payload_too_large', { cause: err });
  if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new GatehouseError('invalid_body', { message: 'The request body could not be parsed.', cause: err });
  }
  return null;
}

/**
 * The one place request errors become HTTP: the Auth0-shaped JSON body for API calls, a hosted
 * page for browsers. Unexpected errors are logged (without request data) and answered with a
 * generic 500.
 */
export function errorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const error = fromBodyParser(err) ?? toGatehouseError(err);
  if (!isGatehouseError(err) || error.status >= 500) {
    (req.gatehouse?.options.logger ?? console).error('[gatehouse] request failed:', error.code, error.cause ?? err);
  }
  if (res.headersSent) return next(err);
  res.status(error.status);
  if (error.retryAfterSec !== undefined) res.set('Retry-After', String(error.retryAfterSec));
  else if (error.status === 503) res.set('Retry-After', '5');
  // API routes (res.locals.gatehouseApi) always answer JSON, whatever the Accept header says.
  if (res.locals.gatehouseApi !== true && wantsHtml(req) && req.gatehouse) {
    let ctx;
    try {
      ctx = pageContext(req);
    } catch {
      ctx = null; // No session (the store is down): a page without a form needs no CSRF token.
    }
    const body = error.toBody();
    if (ctx) {
      res.type('html').send(messagePage(ctx, body.error, body.message, { href: '/', text: 'Home' }, 'error'));
      return;
    }
  }
  res.json(error.toBody());
}
