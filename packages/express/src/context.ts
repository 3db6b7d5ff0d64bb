import type { Connection, ExternalLogins, IdpTokenVault, SharedCache, Storage, UserService } from '@gatehouse/core';
import type { Request } from 'express';
import type { RequestLoginGuard } from './login-guard.js';
import type { Mailer } from './mailer.js';
import type { ResolvedOptions } from './resolve-options.js';
import type { ProviderRuntime } from './oidc/provider-runtime.js';

/** What the routes and guards of one identity() share. */
export interface GatehouseContext {
  options: ResolvedOptions;
  storage: Storage;
  users: UserService;
  mailer: Mailer;
  clientIp(req: Request): string;
  csrfToken(req: Request): string;
  /** The public origin of the app for links: baseUrl, or (development) the request's own. */
  origin(req: Request): string;
  /** Brute-force protection and rate limits for login, signup and account emails (reusable by credential connections). */
  loginGuard: RequestLoginGuard;
  /** The configured connections by name (the database connection is built in and not listed). */
  connections: ReadonlyMap<string, Connection>;
  /** Turns a connection's verified profile into a user. */
  externalLogins: ExternalLogins;
  /** Provider tokens of identities, encrypted at rest (shown to `read:user_idp_tokens` callers). */
  idpTokens: IdpTokenVault;
  /** The cache shared by every instance, under a namespace of its own. */
  cache(namespace: string): SharedCache;
  /** The OpenID Connect provider, when `applications` is on. */
  applications?: ProviderRuntime;
}
