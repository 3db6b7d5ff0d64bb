import type { Connection, ConnectionServices, StrategyLike } from '@gatehouse/core';
import { resolveLdapOptions, type LdapOptions } from './ldap-options.js';
import { LdapStrategy } from './ldap-strategy.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * An LDAP / Active Directory connection: users sign in with their directory name and password
 * on the hosted login page (or `POST <prefix>/<name>` with `username` and `password`), and are
 * kept in Gatehouse as `ad|<name>|<entryUUID>` with their directory groups mapped to roles.
 *
 * @example
 * identity({
 *   baseUrl: 'https://app.example.com',
 *   connections: [ldap({
 *     name: 'corp', url: 'ldaps://ldap.corp.example:636',
 *     bindDN: 'cn=gatehouse,ou=services,dc=corp,dc=example', bindCredentials: process.env.LDAP_PASSWORD!,
 *     searchBase: 'ou=people,dc=corp,dc=example',
 *     groupSearchBase: 'ou=groups,dc=corp,dc=example',
 *     groupRoleMap: { 'cn=admins,ou=groups,dc=corp,dc=example': 'admin' },
 *   })],
 * });
 */
export function ldap(options: LdapOptions): Connection {
  const settings = resolveLdapOptions(options);
  return {
    name: settings.name,
    kind: 'enterprise',
    displayName: settings.displayName,
    loginMode: 'credentials',
    syncUserProfile: settings.syncUserProfile,
    managedRoles: settings.managedRoles,
    createStrategy(services: ConnectionServices): StrategyLike {
      if (!settings.secure && !LOOPBACK.has(settings.host)) {
        // A simple bind carries the password as is: on plain ldap:// anyone on the path reads it.
        services.logger.warn(`[gatehouse] ldap connection ${settings.name}: ${settings.url} sends passwords in clear text; use ldaps://`);
      }
      return new LdapStrategy(settings, services.logger);
    },
  };
}
