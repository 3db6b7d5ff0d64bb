import { randomBytes } from 'node:crypto';
import { GatehouseError, isGatehouseError, LOG_TYPES, type Connection, type ExternalProfile } from '@gatehouse/core';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { PassportStatic } from 'passport';
import type { GatehouseContext } from '../context.js';
import { loginPage } from '../pages/login-page.js';
import { pageContext } from '../page-context.js';
import { afterLoginDestination } from '../progressive-profile.js';
import { safeReturnTo } from '../return-to.js';
import { wantsHtml } from '../wants-html.js';
import { establishSession } from './login-routes.js';
import { passwordlessRoutes } from './passwordless-routes.js';

/** The Passport strategy name of a configured connection. */
export const connectionStrategy = (name: string) => `gatehouse-connection:${name}`;

/** A login transaction lives this long: the time a person may spend at their identity provider. */
const TRANSACTION_TTL_MS = 15 * 60 * 1000;

/** SAML responses carry certificates and signatures: larger than any hosted form. */
const callbackBody = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 20 });

function connectionOf(gh: GatehouseContext, req: Request): Connection | undefined {
  const name = req.params.connection;
  return typeof name === 'string' ? gh.connections.get(name) : undefined;
}

/** Brute-force protection around a credentials login (see RequestLoginGuard). */
interface LoginHooks {
  /** Before the strategy runs; a 4xx GatehouseError (429 when blocked) ends the login. */
  before(): Promise<void>;
  /** After the connection refused the credentials. */
  rejected(): Promise<void>;
  /** After the connection accepted them. */
  accepted(): Promise<void>;
  /** After before() let the attempt through but it ended in neither (an outage, a bad profile). */
  abandoned(): Promise<void>;
}

/** How a route that is not the login page ends a connection login (passwordless verify and link pages). */
export interface FinishLoginExtras {
  /** Merged into the options of `passport.authenticate()` (e.g. PasswordlessVerifyOptions). */
  strategyOptions?: Record<string, unknown>;
  /** The page a browser gets when the login is refused; the login page by default. */
  failurePage?(req: Request, error: GatehouseError): string;
}

/** Failures that count towards a brute-force block: the connection said the credentials are wrong. */
const WRONG_CREDENTIALS = new Set(['connection_login_failed', 'invalid_credentials']);

/**
 * Ends a connection login, whatever the route: the strategy's verdict becomes a user, a fresh
 * session and a redirect to where the login started — or the login page with a generic error.
 */
export function finishLogin(
  gh: GatehouseContext,
  passport: PassportStatic,
  connection: Connection,
  returnToOf: (profile: ExternalProfile | null) => Promise<string>,
  hooks?: LoginHooks,
  extras: FinishLoginExtras = {},
) {
  return (req: Request, res: Response, next: NextFunction) => {
    const html = wantsHtml(req);
    const ip = gh.clientIp(req);
    /** Whether before() counted this attempt and nothing has settled it yet. */
    let pending = false;
    const settle = async (outcome: 'rejected' | 'accepted' | 'abandoned') => {
      if (!hooks || !pending) return;
      pending = false;
      await hooks[outcome]();
    };
    const crash = (err: unknown) => {
      void settle('abandoned').catch(() => undefined).then(() => next(err));
    };
    const fail = async (error: GatehouseError, reason: string) => {
      await gh.users.log(LOG_TYPES.failedLogin, reason, null, { ip }, { connection: connection.name }).catch(() => undefined);
      // Only wrong credentials count towards a block; the guard's own 429 never does.
      await settle(WRONG_CREDENTIALS.has(error.code) ? 'rejected' : 'abandoned');
      if (!html) return next(error);
      if (error.retryAfterSec !== undefined) res.set('Retry-After', String(error.retryAfterSec));
      if (extras.failurePage) return res.status(error.status).type('html').send(extras.failurePage(req, error));
      const returnTo = await returnToOf(null).catch(() => gh.options.defaultReturnTo);
      res.status(error.status).type('html').send(
        loginPage(pageContext(req), { returnTo, signup: gh.options.signup, error: error.message, connections: [...gh.connections.values()] }),
      );
    };

    const authenticate = passport.authenticate(connectionStrategy(connection.name), { session: false, ...extras.strategyOptions }, (err: unknown, profile: ExternalProfile | false, info: unknown) => {
      (async () => {
        if (err) {
          if (isGatehouseError(err) && err.status < 500) return fail(err, err.message);
          if (isGatehouseError(err)) return crash(err);
          // A strategy that throws a plain Error has met something it did not expect; the
          // details go to the server log, never to the browser.
          gh.options.logger.error(`[gatehouse] connection ${connection.name} failed:`, err);
          return crash(new GatehouseError('connection_unavailable', { cause: err }));
        }
        if (!profile) {
          const error = isGatehouseError(info) ? info : new GatehouseError('connection_login_failed');
          const reason = isGatehouseError(info) ? (info.cause instanceof Error ? info.cause.message : info.message) : 'rejected by the connection';
          return fail(error, reason);
        }
        await settle('accepted');
        const user = await gh.externalLogins.signIn(connection, profile, { ip });
        const returnTo = await returnToOf(profile);
        await establishSession(gh, req, user);
        req.session.connection = { name: connection.name, providerUserId: profile.user_id, data: profile.sessionData ?? {} };
        const destination = await afterLoginDestination(gh, user, returnTo);
        if (html) return res.redirect(303, destination);
        res.json({ user_id: user.user_id, returnTo: destination });
      })().catch((e: unknown) => (isGatehouseError(e) && e.status < 500 ? fail(e, e.message) : crash(e)));
    });
    if (!hooks) return authenticate(req, res, next);
    // Before any bind or script runs: a blocked or throttled attempt costs the directory nothing.
    hooks.before().then(
      () => {
        pending = true;
        authenticate(req, res, next);
      },
      (err: unknown) => {
        if (!isGatehouseError(err) || err.status >= 500) return next(err);
        fail(err, err.message).catch(next);
      },
    );
  };
}

/** A username + password login through a credentials connection (LDAP, custom database). */
export function credentialsLogin(gh: GatehouseContext, passport: PassportStatic, connection: Connection) {
  return (req: Request, res: Response, next: NextFunction) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const returnTo = safeReturnTo(body.returnTo, gh.options.allowedOrigins, gh.options.defaultReturnTo);
    const identifier = body.username;
    finishLogin(gh, passport, connection, async () => returnTo, {
      before: () => gh.loginGuard.check(req, identifier),
      rejected: () => gh.loginGuard.recordFailure(req, identifier, { connection: connection.name }),
      accepted: () => gh.loginGuard.recordSuccess(req, identifier),
      abandoned: () => gh.loginGuard.abandon(req, identifier),
    })(req, res, next);
  };
}

/**
 * The routes of configured connections. `callbacks` are mounted before CSRF protection: a
 * provider's answer arrives as a cross-site POST (SAML) or redirect, protected by the protocol's
 * own checks (signature, InResponseTo, state). `starts` sit behind it like every other form.
 */
export function connectionRoutes(gh: GatehouseContext, passport: PassportStatic): { callbacks: Router; starts: Router } {
  const { allowedOrigins, defaultReturnTo } = gh.options;
  const transactions = gh.cache('login-transaction');
  const callbacks = Router();
  const starts = Router();
  // Before the generic start routes: a passwordless connection's `<prefix>/<name>` is its own pages.
  starts.use(passwordlessRoutes(gh, passport));

  /** Where the login goes back to: the transaction the provider returned, else the session. */
  const returnToAfter = (req: Request) => async (profile: ExternalProfile | null) => {
    const fromTransaction = profile?.transaction ? await transactions.take(profile.transaction) : null;
    const saved = fromTransaction ?? req.session?.loginReturnTo;
    return safeReturnTo(saved, allowedOrigins, defaultReturnTo);
  };

  callbacks.all('/callback/:connection', callbackBody, (req, res, next) => {
    const connection = connectionOf(gh, req);
    // Passwordless secrets come back through their own CSRF-protected forms, never here.
    if (!connection || connection.passwordless || (req.method !== 'GET' && req.method !== 'POST')) return next(new GatehouseError('not_found'));
    finishLogin(gh, passport, connection, returnToAfter(req))(req, res, next);
  });

  starts.get('/:connection', (req, res, next) => {
    const connection = connectionOf(gh, req);
    if (!connection) return next();
    if (connection.loginMode !== 'redirect') {
      return res.redirect(303, `${gh.options.prefix}/login?returnTo=${encodeURIComponent(safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo))}`);
    }
    const returnTo = safeReturnTo(req.query.returnTo, allowedOrigins, defaultReturnTo);
    const transaction = randomBytes(18).toString('base64url');
    req.session.loginReturnTo = returnTo;
    transactions.add(transaction, returnTo, TRANSACTION_TTL_MS).then(() => {
      passport.authenticate(connectionStrategy(connection.name), { session: false, ...connection.startOptions?.(transaction) })(req, res, next);
    }, next);
  });

  starts.post('/:connection', (req, res, next) => {
    const connection = connectionOf(gh, req);
    if (!connection) return next();
    if (connection.loginMode !== 'credentials') return next(new GatehouseError('not_found'));
    credentialsLogin(gh, passport, connection)(req, res, next);
  });

  starts.get('/:connection/:document', (req, res, next) => {
    const connection = connectionOf(gh, req);
    const path = req.params.document;
    if (!connection?.document || typeof path !== 'string' || !connection.documentPaths?.includes(path)) return next();
    connection.document(path).then((doc) => {
      // Public documents (SP metadata) may be cached by the IdP's fetcher, unlike auth pages.
      res.set('Cache-Control', 'public, max-age=300').type(doc.contentType).send(doc.body);
    }, next);
  });

  return { callbacks, starts };
}
