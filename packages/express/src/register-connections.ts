import { PasswordlessCodes } from '@gatehouse/core';
import type { PassportStatic, Strategy } from 'passport';
import type { GatehouseContext } from './context.js';
import { connectionStrategy } from './routes/connection-routes.js';

/**
 * Builds each configured connection's strategy once, on this identity()'s own Passport, with
 * the services it may use: its absolute URLs (registered at the provider, so they come from
 * baseUrl, never from a request's Host header) and a cache shared by every instance.
 */
export function registerConnections(gh: GatehouseContext, passport: PassportStatic): void {
  const { baseUrl, prefix, logger } = gh.options;
  // One for all connections: codes and links are keyed by connection name in the shared storage.
  const passwordlessCodes = new PasswordlessCodes({ store: gh.storage, secrets: gh.options.secrets, clock: gh.users.clock });
  for (const connection of gh.connections.values()) {
    // resolveOptions refuses connections without baseUrl.
    const root = `${baseUrl!.origin}${baseUrl!.pathname.replace(/\/$/u, '')}${prefix}`;
    const strategy = connection.createStrategy({
      callbackUrl: `${root}/callback/${connection.name}`,
      connectionUrl: `${root}/${connection.name}`,
      cache: gh.cache(`connection:${connection.name}`),
      clock: gh.users.clock,
      logger,
      passwordlessCodes,
      sendMail: (message) => gh.mailer.send(message),
    });
    passport.use(connectionStrategy(connection.name), strategy as Strategy);
  }
}
