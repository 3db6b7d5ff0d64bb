import { GatehouseError } from '@gatehouse/core';
import type { NextFunction, Request, Response } from 'express';
import type { GatehouseContext } from './context.js';
import { wantsHtml } from './wants-html.js';

/** The consent purpose terms-of-service acceptances are recorded under. */
export const TERMS_PURPOSE = 'terms_of_service';

/** Whether the user's latest terms-of-service record grants the configured version (true when no terms are configured). */
export async function hasAcceptedTerms(gh: GatehouseContext, userId: string): Promise<boolean> {
  const terms = gh.options.terms;
  if (!terms) return true;
  const records = (await gh.storage.listUserConsents(userId)).filter((r) => r.purpose === TERMS_PURPOSE);
  const latest = records.at(-1);
  return latest !== undefined && latest.granted && latest.version === terms.version;
}

/** Records that the user accepted the configured terms now (version, time, IP). */
export async function recordTermsAcceptance(gh: GatehouseContext, req: Request, userId: string): Promise<void> {
  const terms = gh.options.terms;
  if (!terms) return;
  await gh.users.recordConsent(userId, { purpose: TERMS_PURPOSE, version: terms.version, granted: true }, { ip: gh.clientIp(req) });
}

/** A checkbox or JSON answer that means "I accept". */
export function accepted(value: unknown): boolean {
  return value === true || value === 'yes' || value === 'on' || value === 'true';
}

/**
 * Holds a signed-in user who still has to accept the current terms (set at login, see
 * establishSession) away from everything but the terms page, logout and the CSRF token: a browser
 * asking for a page is sent to the terms page (and back afterwards), any other request gets 403
 * `terms_not_accepted`. The host app's own routes are held too, since identity() runs first.
 */
export function termsGate(gh: GatehouseContext) {
  const { prefix } = gh.options;
  const open = new Set([`${prefix}/terms`, `${prefix}/logout`, `${prefix}/csrf-token`]);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!gh.options.terms || !req.user || req.session?.termsPending === undefined || open.has(req.path)) return next();
    if ((req.method === 'GET' || req.method === 'HEAD') && wantsHtml(req)) {
      res.set('Cache-Control', 'no-store');
      return res.redirect(303, `${prefix}/terms?returnTo=${encodeURIComponent(req.originalUrl)}`);
    }
    next(new GatehouseError('terms_not_accepted'));
  };
}
