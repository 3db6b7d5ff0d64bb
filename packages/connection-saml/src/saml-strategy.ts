import { GatehouseError, isGatehouseError, type ExternalProfile } from '@gatehouse/core';
import { SamlStatusError, Strategy, type PassportSamlConfig, type Profile, type VerifiedCallback } from '@node-saml/passport-saml';
import { decodeSamlMessage, inboundSamlMessage } from './saml-message.js';

type AuthenticateOptions = Parameters<Strategy['authenticate']>[1];
/** The request type passport-saml was typed with (its own copy of @types/express). */
export type SamlRequest = Parameters<Strategy['authenticate']>[0];

/** What the connection decides; the strategy only drives the protocol. */
export interface SamlStrategyHooks {
  /** The profile of a response node-saml accepted, after Gatehouse's own checks; throws a GatehouseError to refuse. */
  verify(req: SamlRequest, profile: Profile | null): Promise<ExternalProfile>;
  /** Where the browser goes once the IdP confirmed an SP-initiated logout. */
  afterLogout(relayState: unknown): Promise<string>;
}

/** Any failure of the verify step as a GatehouseError: refusals keep theirs, a bug is an internal error (500). */
function asGatehouseError(err: unknown): GatehouseError {
  return isGatehouseError(err) ? err : new GatehouseError('internal_error', { cause: err });
}

/**
 * passport-saml's Strategy with Gatehouse's outcomes. Before node-saml parses anything, the
 * message is decoded and refused if it carries a DTD. node-saml's refusals (a bad signature, an
 * unknown InResponseTo, a wrong Audience...) arrive as plain errors; they become
 * `fail(invalid_saml_response)` with node-saml's reason as the cause, and an IdP's error status
 * becomes `connection_login_failed`. Only outages (a GatehouseError with status >= 500, e.g. the
 * shared cache down) stay errors.
 */
export class GatehouseSamlStrategy extends Strategy {
  private readonly hooks: SamlStrategyHooks;

  constructor(config: PassportSamlConfig, hooks: SamlStrategyHooks) {
    const verify = (req: SamlRequest, profile: Profile | null, done: VerifiedCallback) => {
      hooks.verify(req, profile).then(
        (external) => done(null, external as unknown as Record<string, unknown>),
        (err: unknown) => {
          const error = asGatehouseError(err);
          if (error.status < 500) done(null, undefined, error as unknown as Record<string, unknown>);
          else done(error);
        },
      );
    };
    const refuseLogoutRequest = (_req: SamlRequest, _profile: Profile | null, done: VerifiedCallback) =>
      done(new GatehouseError('invalid_saml_response', { cause: new Error('IdP-initiated logout is not supported') }));
    super({ ...config, passReqToCallback: true }, verify, refuseLogoutRequest);
    this.hooks = hooks;
  }

  override authenticate(req: SamlRequest, options: AuthenticateOptions): void {
    const message = inboundSamlMessage(req);
    // No SAML message: a login is starting; passport-saml redirects to the IdP.
    if (message === null) return super.authenticate(req, options);
    const reject = (cause: unknown) => this.fail(new GatehouseError('invalid_saml_response', { cause }), 400);
    if (message.kind === 'SAMLRequest') return reject(new Error('IdP-initiated logout (a LogoutRequest) is not supported'));
    try {
      decodeSamlMessage(message);
    } catch (err) {
      return reject(err);
    }
    // `this` is the per-request object Passport made for this call: its error/pass are this request's.
    const passportError = this.error.bind(this);
    this.error = (err: Error) => {
      if (isGatehouseError(err)) return err.status >= 500 ? passportError(err) : this.fail(err, err.status);
      if (err instanceof SamlStatusError) return this.fail(new GatehouseError('connection_login_failed', { cause: err }), 401);
      reject(err);
    };
    // passport-saml "passes" on a verified LogoutResponse: the IdP confirmed our logout.
    this.pass = () => {
      this.hooks.afterLogout(message.relayState).then((url) => this.redirect(url, 303), (err: unknown) => passportError(asGatehouseError(err)));
    };
    super.authenticate(req, options);
  }
}
