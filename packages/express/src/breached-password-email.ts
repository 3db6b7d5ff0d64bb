import type { User } from '@gatehouse/core';
import { accountEmails } from './account-emails.js';
import type { GatehouseContext } from './context.js';

/**
 * What identity() does when a login finds a user's password breached (the user is already
 * flagged and the login refused): email a one-time reset link, after the response. The reset
 * clears the flag. Without a known origin (no baseUrl, and no request origin) nothing is sent and
 * a warning is logged: the user can still use "forgot password".
 */
export function sendBreachedPasswordReset(gh: GatehouseContext, user: User, origin: string | undefined): void {
  const base = origin ?? gh.options.baseUrl?.origin;
  const email = user.email;
  if (!email || !base) {
    if (!base) gh.options.logger.warn('[gatehouse] breached password: no origin for the reset link (set baseUrl); no email sent.');
    return;
  }
  setImmediate(() => {
    (async () => {
      const token = await gh.users.issueToken(user.user_id, 'reset_password', gh.options.resetPasswordTtlMs, { email });
      const link = `${base}${gh.options.prefix}/password/reset?token=${token}`;
      await gh.mailer.send(accountEmails.passwordBreached(gh.options.appName, email, link, Math.round(gh.options.resetPasswordTtlMs / 60000)));
    })().catch((err: unknown) => gh.options.logger.error('[gatehouse] could not send the breached-password email:', err));
  });
}
