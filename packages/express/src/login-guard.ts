import type { LoginGuard } from '@gatehouse/core';
import type { Request } from 'express';
import { accountEmails } from './account-emails.js';
import type { Mailer } from './mailer.js';

/** What the login guard needs from identity(). */
export interface LoginGuardDeps {
  guard: LoginGuard;
  storage: { getUser(userId: string): Promise<{ email: string | null } | null> };
  mailer: Mailer;
  clientIp(req: Request): string;
  origin(req: Request): string;
  prefix: string;
  appName: string;
  logger: Pick<Console, 'error'>;
}

/**
 * Brute-force protection for a login path, bound to Express requests (the client IP comes from
 * the trusted-proxy setting). Any credential login uses it the same way, the hosted POST /login
 * and credential connections (LDAP, custom database) alike:
 *
 * @example
 * await gh.loginGuard.check(req, username);          // 429 when blocked or throttled
 * try { user = await verify(username, password); }
 * catch (err) { await gh.loginGuard.recordFailure(req, username, { connection: 'corp-ldap' }); throw err; }
 * await gh.loginGuard.recordSuccess(req, username);
 */
export interface RequestLoginGuard {
  /** The core service (limits, blocks, unblock tokens). */
  readonly service: LoginGuard;
  /** Before the password is checked: `too_many_attempts` / `too_many_requests` (429, with retryAfterSec). */
  check(req: Request, identifier: unknown): Promise<void>;
  /**
   * Counts a failed login. On the failure that blocks the pair, the user (if the identifier names
   * one) is emailed an unblock link, after the response, so timing tells nothing.
   */
  recordFailure(req: Request, identifier: unknown, options?: { connection?: string; userId?: string | null }): Promise<void>;
  /** Ends the run of failures of the identifier. */
  recordSuccess(req: Request, identifier: unknown): Promise<void>;
  /** After check(), for an attempt that ended in neither (a 5xx, a missing field): it stops counting. */
  abandon(req: Request, identifier: unknown): Promise<void>;
  /** Counts a signup attempt from the request's IP; 429 past the limit. */
  countSignup(req: Request): Promise<void>;
  /** Counts an account email asked for to `identifier` (address or user id); 429 past the limit. */
  countEmail(req: Request, identifier: unknown): Promise<void>;
}

/** Binds the core login guard to Express requests and to the mailer. */
export function requestLoginGuard(deps: LoginGuardDeps): RequestLoginGuard {
  const { guard } = deps;
  return {
    service: guard,
    check: (req, identifier) => guard.check({ identifier, ip: deps.clientIp(req) }),
    async recordFailure(req, identifier, options = {}) {
      const ip = deps.clientIp(req);
      const block = await guard.recordFailure({ identifier, ip, connection: options.connection }, options.userId);
      if (!block || block.user_id === null) return;
      const link = `${deps.origin(req)}${deps.prefix}/unblock?token=`;
      const userId = block.user_id;
      setImmediate(() => {
        (async () => {
          const user = await deps.storage.getUser(userId);
          if (!user?.email) return;
          const token = await guard.issueUnblockToken(block);
          if (token === null) return;
          await deps.mailer.send(accountEmails.loginBlocked(deps.appName, user.email, block.ip, `${link}${token}`));
        })().catch((err: unknown) => deps.logger.error('[gatehouse] could not send the unblock email:', err));
      });
    },
    recordSuccess: (req, identifier) => guard.recordSuccess({ identifier, ip: deps.clientIp(req) }),
    abandon: (req, identifier) => guard.abandon({ identifier, ip: deps.clientIp(req) }),
    countSignup: (req) => guard.countSignup(deps.clientIp(req)),
    countEmail: (req, identifier) => guard.countEmail(identifier, deps.clientIp(req)),
  };
}
