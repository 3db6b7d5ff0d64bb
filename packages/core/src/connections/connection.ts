import type { Clock } from '../clock.js';
import type { JsonValue } from '../user.js';
import type { SharedCache } from './shared-cache.js';
import type { PasswordlessCodes } from './passwordless-codes.js';
import type { PasswordlessFlow } from './passwordless-flow.js';

/** How users of a connection sign in, as Auth0 groups connections. */
export type ConnectionKind = 'database' | 'social' | 'enterprise' | 'passwordless';

/**
 * A Passport-compatible strategy. Kept structural so core does not depend on Passport: anything
 * with `authenticate(req, options)` that ends in success/fail/error/redirect is accepted.
 */
export interface StrategyLike {
  name?: string;
  authenticate(req: unknown, options?: unknown): void;
}

/** What Gatehouse hands a connection when it builds the connection's strategy. */
export interface ConnectionServices {
  /** Absolute URL of the connection's callback, `<baseUrl><prefix>/callback/<name>` (OAuth redirect_uri, SAML ACS). */
  callbackUrl: string;
  /** Absolute URL under which the connection's own documents are served, `<baseUrl><prefix>/<name>` (no trailing slash). */
  connectionUrl: string;
  /** A short-lived key/value cache shared by every instance of the app (replay and request caches). Keys are namespaced per connection. */
  cache: SharedCache;
  clock: Clock;
  logger: Pick<Console, 'info' | 'warn' | 'error'>;
  /** One-time codes and links, hashed in the shared storage (identity() always provides it; passwordless connections use it). */
  passwordlessCodes?: PasswordlessCodes;
  /** Sends an email through identity()'s own mail transport (`mail` option); identity() always provides it. */
  sendMail?(message: { to: string; subject: string; text: string; html?: string }): Promise<void>;
}

/** A document a connection serves at `GET <prefix>/<name>/<path>` (e.g. SAML SP metadata). */
export interface ConnectionDocument {
  contentType: string;
  body: string;
}

/** What the logout route tells a connection about the session being ended. */
export interface ConnectionLogout {
  /** What the connection's profile put in `sessionData` at login. */
  sessionData: Record<string, JsonValue>;
  /** The user's identity on this connection, when the session has one. */
  providerUserId: string | null;
  /** Where the user should land after the provider's logout (an absolute URL of this app). */
  returnTo: string;
}

/**
 * A way to sign in besides the built-in database connection. Connection packages export a factory
 * returning one; `identity({ connections: [...] })` mounts it. The strategy only authenticates:
 * its verify step ends with `success(profile)` where profile is an ExternalProfile, `fail(error)`
 * with a GatehouseError (status < 500) for a rejected login, or `error(err)` for an outage (a
 * GatehouseError with status 503 is shown as such). Core's ExternalLogins turns the profile into
 * a user.
 *
 * Routes identity() mounts for a connection named `corp`:
 * - `GET <prefix>/corp` (loginMode 'redirect'): starts the login (the strategy redirects);
 * - `POST <prefix>/corp` (loginMode 'credentials'): checks `username` + `password` from the body;
 * - `GET|POST <prefix>/callback/corp`: the provider's answer (no CSRF token: the protocol's own
 *   state, signature or InResponseTo protects it);
 * - `GET <prefix>/corp/<path>` for each of `documentPaths`.
 */
export interface Connection {
  /** Unique; lower-case letters, digits and dashes; also the URL segment. */
  readonly name: string;
  readonly kind: ConnectionKind;
  /** Shown on the hosted login page ("Continue with <displayName>"). */
  readonly displayName: string;
  /** 'redirect': a button to `GET <prefix>/<name>`; 'credentials': a username + password form posted to `POST <prefix>/<name>`. */
  readonly loginMode: 'redirect' | 'credentials';
  /** Root profile fields (name, picture...) refreshed from the provider at each login. @default true */
  readonly syncUserProfile?: boolean;
  /** Role names this connection controls: at each login the user gets those in `profile.roles` and loses the others of this list. @default [] */
  readonly managedRoles?: readonly string[];
  /**
   * Automatic account linking: a first login whose provider vouches for the email (email_verified)
   * joins the existing user with that verified email instead of creating a user (see
   * ExternalLogins). @default true for kind 'social', false otherwise
   */
  readonly linkVerifiedEmail?: boolean;
  /**
   * Set by passwordless connections (loginMode 'redirect': the login page's button leads to the
   * page asking for the address): identity() then mounts the start and verify routes and pages.
   */
  readonly passwordless?: PasswordlessFlow;
  /** Paths served by `document()`, e.g. ['metadata']. */
  readonly documentPaths?: readonly string[];
  /** Builds the strategy, once, when identity() starts. */
  createStrategy(services: ConnectionServices): StrategyLike;
  /**
   * Options passed to `passport.authenticate()` when a login starts; `transaction` is an opaque,
   * unguessable id the provider must give back (SAML RelayState) so the callback can find where
   * the user was going even when the browser does not send the session cookie on a cross-site POST.
   */
  startOptions?(transaction: string): Record<string, unknown>;
  /** Renders a document of `documentPaths`; called after createStrategy. */
  document?(path: string): Promise<ConnectionDocument>;
  /** Where to send the browser to log out at the provider too (null: local logout only). */
  logoutUrl?(logout: ConnectionLogout): Promise<string | null>;
  /** Releases what the connection holds (connection pools, timers). */
  close?(): Promise<void>;
}

/** Connection names are URL segments and must not shadow identity()'s own routes. */
export const CONNECTION_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/u;

export const RESERVED_CONNECTION_NAMES: ReadonlySet<string> = new Set([
  'login', 'signup', 'logout', 'callback', 'me', 'account', 'csrf-token', 'forgot-password', 'reset-password',
  'verify-email', 'elements.js', 'consent', 'passwordless', 'profile', 'unblock', 'api', 'terms',
]);

/** Checks a list of connections at start-up: a TypeError names the offending one. */
export function validateConnections(connections: readonly Connection[]): void {
  const seen = new Set<string>();
  for (const [i, c] of connections.entries()) {
    if (c === null || typeof c !== 'object' || typeof c.createStrategy !== 'function') {
      throw new TypeError(`connections[${i}] is not a connection (use a factory such as saml() or ldap())`);
    }
    if (typeof c.name !== 'string' || !CONNECTION_NAME_PATTERN.test(c.name) || RESERVED_CONNECTION_NAMES.has(c.name)) {
      throw new TypeError(
        `connections[${i}].name must be lower-case letters, digits and dashes, not a reserved route name; got ${JSON.stringify(c.name)}`,
      );
    }
    if (seen.has(c.name)) throw new TypeError(`two connections are named ${JSON.stringify(c.name)}`);
    seen.add(c.name);
    if (c.loginMode !== 'redirect' && c.loginMode !== 'credentials') {
      throw new TypeError(`connections[${i}].loginMode must be 'redirect' or 'credentials'`);
    }
  }
}
