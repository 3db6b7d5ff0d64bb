import type { IncomingMessage } from 'node:http';
import { GatehouseError, isGatehouseError, type ConnectionServices } from '@gatehouse/core';
import PassportLdapStrategy from 'passport-ldapauth';
import { fillFilter } from './ldap-filter.js';
import type { ResolvedLdapOptions } from './ldap-options.js';
import { entryToProfile, type LdapEntry } from './ldap-profile.js';
import { readCredentials } from './login-credentials.js';

type Logger = ConnectionServices['logger'];
type Request = IncomingMessage & { body?: unknown };

/** What Passport adds to a strategy for the time of one request. */
interface Outcomes {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(err: unknown): void;
}

/**
 * ldapauth-fork reports a search filter that matched several entries as a plain string; its
 * wording is the only signal (ldapauth-fork 5, pinned through passport-ldapauth 3).
 */
const isAmbiguousMatch = (err: unknown) => typeof err === 'string' && err.startsWith('unexpected number of matches');

/** The ldapauth-fork options of one login: the filter is filled here, escaped per RFC 4515. */
function serverOptions(settings: ResolvedLdapOptions, username: string): PassportLdapStrategy.Options['server'] {
  const { groupSearchBase, groupSearchFilter } = settings;
  return {
    url: settings.url,
    bindDN: settings.bindDN,
    bindCredentials: settings.bindCredentials,
    searchBase: settings.searchBase,
    searchScope: settings.searchScope,
    searchFilter: fillFilter(settings.searchFilter, { username }),
    // ldapauth-fork appends to this array; each login gets its own.
    searchAttributes: [...settings.attributes],
    ...(groupSearchBase === null ? {} : {
      groupSearchBase,
      groupSearchFilter: (user: LdapEntry) => {
        const uid = Array.isArray(user.uid) ? (user.uid as unknown[])[0] : user.uid;
        return fillFilter(groupSearchFilter, { dn: user.dn, username: typeof uid === 'string' ? uid : '' });
      },
      groupSearchAttributes: ['cn'],
    }),
    includeRaw: settings.idAttribute?.toLowerCase() === 'objectguid',
    // A copy per login: Node's TLS keeps references into the options it is given.
    ...(settings.tls === null ? {} : { tlsOptions: { ...settings.tls } }),
    starttls: false,
    timeout: settings.timeoutMs,
    connectTimeout: settings.connectTimeoutMs,
    reconnect: false,
    // Never keep passwords (even hashed) in memory to skip the directory.
    cache: false,
  };
}

/**
 * The Passport strategy of an LDAP connection: passport-ldapauth (search the entry with a service
 * account, then bind as it with the typed password), with what Gatehouse adds around it:
 *
 * - credentials come from the parsed body only, and anything but two non-empty strings is
 *   refused with 400 before any connection to the directory is opened;
 * - the typed name is escaped into the filter here (see escapeFilterValue);
 * - one outcome per login: ldapauth-fork can report an outage several times (once per client);
 * - every failure is generic on the wire: the reason goes to the audit log and the server log,
 *   never LDAP's own error text to the browser;
 * - a login that has not ended within `timeoutMs` ends with 503, whatever the directory does.
 */
export class LdapStrategy extends PassportLdapStrategy {
  private readonly settings: ResolvedLdapOptions;
  private readonly logger: Logger;

  constructor(settings: ResolvedLdapOptions, logger: Logger) {
    super(
      // Options per request, so the filter holds this login's escaped name (passport-ldapauth
      // calls a two-argument function with the request).
      (req: IncomingMessage, done: (err: unknown, options: PassportLdapStrategy.Options) => void) => {
        const credentials = readCredentials((req as Request).body);
        done(null, {
          server: serverOptions(settings, credentials.username),
          credentialsLookup: () => credentials,
          missingCredentialsStatus: 400,
        } as PassportLdapStrategy.Options);
      },
      (entry: LdapEntry, done: (err: unknown, profile?: unknown) => void) => {
        try {
          done(null, entryToProfile(entry, settings));
        } catch (err) {
          done(err);
        }
      },
    );
    this.name = `gatehouse-ldap:${settings.name}`;
    this.settings = settings;
    this.logger = logger;
  }

  override authenticate(req: IncomingMessage, options?: PassportLdapStrategy.AuthenticateOptions): void {
    // `this` is Passport's per-request copy of the strategy: replacing its outcomes here affects
    // only this login.
    const self = this as unknown as this & Outcomes;
    const { success, fail, error } = { success: self.success, fail: self.fail, error: self.error };
    const { name, timeoutMs } = this.settings;
    let settled = false;
    const settle = (end: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      end();
    };
    const deadline = setTimeout(() => {
      this.logger.warn(`[gatehouse] ldap connection ${name}: no answer from the directory within ${timeoutMs} ms`);
      settle(() => error.call(self, new GatehouseError('connection_unavailable', { cause: new Error(`LDAP: no answer within ${timeoutMs} ms`) })));
    }, timeoutMs);

    self.success = (user, info) => settle(() => success.call(self, user, info));
    self.fail = (challenge) => {
      if (settled) return;
      // passport-ldapauth's own messages ("Invalid username/password", "Bad search base"...)
      // are kept for the audit log; the caller sees the catalog's generic message.
      const reason = challenge !== null && typeof challenge === 'object' && typeof (challenge as { message?: unknown }).message === 'string'
        ? (challenge as { message: string }).message
        : 'rejected';
      const refusal = isGatehouseError(challenge) ? challenge : new GatehouseError('connection_login_failed', { cause: new Error(`LDAP: ${reason}`) });
      settle(() => fail.call(self, refusal, refusal.status));
    };
    self.error = (err) => {
      if (settled) return;
      if (isGatehouseError(err)) return settle(() => error.call(self, err));
      if (isAmbiguousMatch(err)) {
        // Two entries answer to this name (e.g. a shared mail): binding as either could sign in
        // the wrong person, so nobody is signed in. The directory or the filter needs fixing.
        this.logger.warn(`[gatehouse] ldap connection ${name}: the search filter matched several entries; login refused`);
        const refusal = new GatehouseError('connection_login_failed', { cause: new Error('LDAP: the search filter matched more than one entry') });
        return settle(() => fail.call(self, refusal, refusal.status));
      }
      this.logger.warn(`[gatehouse] ldap connection ${name}: directory error:`, err);
      settle(() => error.call(self, new GatehouseError('connection_unavailable', { cause: err })));
    };

    try {
      readCredentials((req as Request).body);
    } catch (err) {
      // Checked before passport-ldapauth runs: it opens the directory connections as it starts.
      return settle(() => fail.call(self, err, (err as GatehouseError).status ?? 400));
    }
    super.authenticate(req, options);
  }
}
