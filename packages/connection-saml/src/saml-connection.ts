import { randomBytes } from 'node:crypto';
import { GatehouseError, type Connection, type ConnectionServices, type ExternalProfile, type JsonValue } from '@gatehouse/core';
import { ValidateInResponseTo, type PassportSamlConfig, type Profile } from '@node-saml/passport-saml';
import { externalProfileOf } from './attribute-map.js';
import { checkLoginResponse, SamlCheckError } from './response-checks.js';
import { firstUseOfAssertion, logoutReturnKey, requestIdCache } from './saml-cache.js';
import { transactionOf } from './saml-message.js';
import { resolveSamlOptions, type ResolvedSamlOptions, type SamlConnectionOptions } from './saml-options.js';
import { GatehouseSamlStrategy, type SamlRequest } from './saml-strategy.js';

const METADATA_TYPE = 'application/samlmetadata+xml; charset=utf-8';
const SLO_POST = '<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"';
const SLO_REDIRECT = '<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"';

const rejected = (reason: string) => new GatehouseError('invalid_saml_response', { cause: new Error(reason) });

/** node-saml's configuration for these options and these SP URLs. */
function samlConfig(opts: ResolvedSamlOptions, services: ConnectionServices, spIssuer: string): PassportSamlConfig {
  return {
    callbackUrl: services.callbackUrl,
    entryPoint: opts.entryPoint,
    issuer: spIssuer,
    audience: spIssuer,
    idpIssuer: opts.idpIssuer,
    idpCert: opts.idpCerts,
    identifierFormat: opts.identifierFormat,
    wantAuthnResponseSigned: opts.wantAuthnResponseSigned,
    wantAssertionsSigned: opts.wantAssertionsSigned,
    acceptedClockSkewMs: opts.clockSkewMs,
    // 'always' refuses a response that answers no request of ours; IdP-initiated login, when
    // allowed, relies on the assertion replay cache instead.
    validateInResponseTo: opts.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: opts.requestTtlMs,
    cacheProvider: requestIdCache(services.cache, opts.requestTtlMs),
    // node-saml asks for PasswordProtectedTransport by default, which IdPs using MFA, Kerberos
    // or passkeys refuse; the IdP's policy decides how users authenticate.
    disableRequestedAuthnContext: true,
    forceAuthn: opts.forceAuthn,
    signatureAlgorithm: opts.signing?.signatureAlgorithm ?? 'sha256',
    digestAlgorithm: 'sha256',
    ...(opts.signing ? { privateKey: opts.signing.privateKey, publicCert: opts.signing.cert } : {}),
    ...(opts.logoutUrl ? { logoutUrl: opts.logoutUrl, logoutCallbackUrl: services.callbackUrl } : {}),
  };
}

const text = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * A SAML 2.0 connection: Gatehouse as the service provider of an enterprise IdP (Entra ID, Okta,
 * ADFS, Google Workspace, Keycloak, Shibboleth...). Login is SP-initiated from the hosted login
 * page or `GET <prefix>/<name>`; the ACS is `<prefix>/callback/<name>`; the SP metadata is at
 * `<prefix>/<name>/metadata`. Users are `samlp|<name>|<NameID>`.
 *
 * @example
 * identity({
 *   baseUrl: 'https://app.example.com',
 *   connections: [saml({ name: 'corp', entryPoint: 'https://idp.corp.com/sso', idpCert, idpIssuer: 'https://idp.corp.com' })],
 * });
 */
export function saml(options: SamlConnectionOptions): Connection {
  const opts = resolveSamlOptions(options);
  let built: { strategy: GatehouseSamlStrategy; services: ConnectionServices } | null = null;

  const verifyWith = (services: ConnectionServices) => async (req: SamlRequest, profile: Profile | null): Promise<ExternalProfile> => {
    if (profile === null) throw new GatehouseError('connection_login_failed', { cause: new Error('the IdP did not authenticate the user (NoPassive)') });
    const now = services.clock().getTime();
    const responseXml = profile.getSamlResponseXml?.();
    const assertionXml = profile.getAssertionXml?.();
    if (!responseXml || !assertionXml) throw rejected('node-saml returned no response or assertion XML');
    let facts;
    try {
      facts = checkLoginResponse(responseXml, assertionXml, {
        acsUrl: services.callbackUrl,
        idpIssuer: opts.idpIssuer,
        allowUnsolicited: opts.allowIdpInitiated,
        now,
        clockSkewMs: opts.clockSkewMs,
      });
    } catch (err) {
      if (err instanceof SamlCheckError) throw new GatehouseError(err.idpStatus ? 'connection_login_failed' : 'invalid_saml_response', { cause: err });
      throw err;
    }
    const external = externalProfileOf(opts, profile);
    // Last, so that a response refused for another reason does not burn its assertion id.
    if (!(await firstUseOfAssertion(services.cache, facts.assertionId, facts.notOnOrAfter, now, opts.clockSkewMs))) {
      throw rejected(`assertion ${JSON.stringify(facts.assertionId)} was already used (replay)`);
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const transaction = transactionOf(body.RelayState);
    return transaction ? { ...external, transaction } : external;
  };

  const afterLogoutWith = (services: ConnectionServices) => async (relayState: unknown): Promise<string> => {
    const saved = typeof relayState === 'string' && relayState.length <= 128 ? await services.cache.take(logoutReturnKey(relayState)) : null;
    return saved ?? `${new URL(services.callbackUrl).origin}/`;
  };

  /** The strategy's decisions, bound to the services of the identity() instance that built it. */
  const hooksFor = (services: ConnectionServices) => ({ verify: verifyWith(services), afterLogout: afterLogoutWith(services) });

  return {
    name: opts.name,
    kind: 'enterprise',
    displayName: opts.displayName,
    loginMode: 'redirect',
    syncUserProfile: opts.syncUserProfile,
    managedRoles: opts.managedRoles,
    documentPaths: ['metadata'],

    createStrategy(services) {
      const spIssuer = opts.spIssuer ?? `${services.connectionUrl}/metadata`;
      const strategy = new GatehouseSamlStrategy(samlConfig(opts, services, spIssuer), hooksFor(services));
      built = { strategy, services };
      return strategy;
    },

    startOptions(transaction) {
      // The transaction travels as RelayState and comes back with the response (see verify).
      return { additionalParams: { RelayState: transaction } };
    },

    async document(path) {
      if (path !== 'metadata' || !built) throw new GatehouseError('not_found');
      const xml = built.strategy.generateServiceProviderMetadata(null, opts.signing?.cert ?? null);
      // node-saml validates a LogoutResponse's InResponseTo only in the Redirect binding (with
      // 'always', a POSTed one is refused), so that is the binding the metadata announces.
      return { contentType: METADATA_TYPE, body: xml.replace(SLO_POST, SLO_REDIRECT) };
    },

    async logoutUrl({ sessionData, returnTo }) {
      const nameID = text(sessionData.nameID);
      if (!opts.logoutUrl || !built || !nameID) return null;
      const relayState = randomBytes(18).toString('base64url');
      await built.services.cache.add(logoutReturnKey(relayState), returnTo, opts.requestTtlMs);
      const user: Profile = {
        issuer: opts.idpIssuer,
        nameID,
        nameIDFormat: text(sessionData.nameIDFormat) ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        ...(text(sessionData.sessionIndex) ? { sessionIndex: text(sessionData.sessionIndex) } : {}),
        ...(text(sessionData.nameQualifier) ? { nameQualifier: text(sessionData.nameQualifier) } : {}),
        ...(text(sessionData.spNameQualifier) ? { spNameQualifier: text(sessionData.spNameQualifier) } : {}),
      };
      return built.strategy._saml!.getLogoutUrlAsync(user, relayState, {});
    },
  };
}
