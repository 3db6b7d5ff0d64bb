import type { Request } from 'express';

/** A browser navigation (HTML) rather than an API call (JSON)? */
export function wantsHtml(req: Request): boolean {
  if (req.is('application/json')) return false;
  return req.accepts(['json', 'html']) === 'html';
}
