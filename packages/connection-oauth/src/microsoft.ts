import type { Connection } from '@gatehouse/core';
import { oidcConnection, resolveOidc, type OidcOptions } from './oidc.js';
import { text } from './profile-mapping.js';

/** Options of microsoft(). */
export interface MicrosoftOptions extends Omit<OidcOptions, 'name' | 'issuer'> {
  name?: string;
  /** `common` (work, school and personal accounts), `organizations`, `consumers`, or a tenant id/domain. @default 'common' */
  tenant?: string;
  /** Override for national clouds, proxies and tests. @default https://login.microsoftonline.com/<tenant>/v2.0 */
  issuer?: string;
}

/**
 * Sign in with Microsoft (Entra ID and personal accounts) over OpenID Connect, with the same
 * checks as oidc(). The identity is `windowslive|<tid>.<oid>` (stable across apps, unlike `sub`).
 * Microsoft's `email` claim is editable by tenant admins and not verified (the "nOAuth" flaw), so it
 * is treated as verified only when the optional `xms_edov` claim says the domain owner verified it.
 *
 * @example
 * microsoft({ clientId: process.env.MS_CLIENT_ID!, clientSecret: process.env.MS_CLIENT_SECRET! })
 */
export function microsoft(options: MicrosoftOptions): Connection {
  const tenant = options?.tenant ?? 'common';
  if (typeof tenant !== 'string' || !/^[\w.-]+$/u.test(tenant)) throw new TypeError('microsoft(): tenant must be a tenant id, a domain, or common/organizations/consumers');
  const resolved = resolveOidc(
    'microsoft',
    { ...options, name: options.name ?? 'microsoft', issuer: options.issuer ?? `https://login.microsoftonline.com/${tenant}/v2.0` },
    { name: 'microsoft', displayName: 'Microsoft' },
  );
  return oidcConnection(resolved, {
    provider: 'windowslive',
    userId: (claims) => {
      const tid = text(claims.tid);
      const oid = text(claims.oid);
      return tid && oid ? `${tid}.${oid}` : String(claims.sub);
    },
    emailVerified: (claims) => claims.xms_edov === true || claims.xms_edov === 'true' || claims.xms_edov === 1,
  });
}
