import type { Storage, UserService } from '@gatehouse/core';
import type { Request } from 'express';
import type { Mailer } from './mailer.js';
import type { ResolvedOptions } from './resolve-options.js';

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
}
