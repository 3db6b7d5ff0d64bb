import type { Request } from 'express';

/** A browser (HTML) rather than an API call (JSON)? Form posts come from browsers; JSON bodies do not. */
export function wantsHtml(req: Request): boolean {
  if (req.is('application/json')) return false;
  if (req.is('application/x-www-form-urlencoded')) return true;
  return req.accepts(['json', 'html']) === 'html';
}
