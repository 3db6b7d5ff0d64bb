import { GatehouseError, UserService, type Storage } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { bootstrapAdmin } from './bootstrap-admin.js';
import { clientIpResolver } from './client-ip.js';
import type { GatehouseContext } from './context.js';
import { csrfProtection } from './csrf.js';
import { errorHandler } from './error-handler.js';
import { createMailer } from './mailer.js';
import type { IdentityOptions } from './options.js';
import { syncAdminRole } from './management/admin-role.js';
import { managementRouter } from './management/management-router.js';
import { createPassport } from './passport-setup.js';
import { resolveOptions } from './resolve-options.js';
import { accountRoutes } from './routes/account-routes.js';
import { loginRoutes } from './routes/login-routes.js';
import { logoutRoutes } from './routes/logout-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { passwordRoutes } from './routes/password-routes.js';
import { signupRoutes } from './routes/signup-routes.js';
import { verifyEmailRoutes } from './routes/verify-email-routes.js';
import { GatehouseSessionStore } from './session-store.js';
import './types.js';

/** The router identity() returns, with handles for start-up and shutdown. */
export interface IdentityRouter extends Router {
  /** Resolves when the database is migrated and the first admin (if asked for) exists. */
  ready: Promise<void>;
  /** The shared context: storage, user service, options. */
  gatehouse: GatehouseContext;
  /** Stops the session sweep and closes what identity() opened (the database it connected to, the mail transport). */
  close(): Promise<void>;
}

/**
 * Hosted login, signup, password reset and email verification, server-side sessions, and the
 * self-service API, as one Express router. Sessions and `req.user` apply to every request that
 * passes through it, so the host app's own routes can use requireAuth().
 *
 * @example
 * const app = express();
 * app.use(identity());
 * app.get('/', requireAuth(), (req, res) => res.send(`Hello ${req.user.name}`));
 */
export function identity(options: IdentityOptions = {}): IdentityRouter {
  const opts = resolveOptions(options);
  const ownsStorage = typeof opts.database === 'string';
  const storage: Storage = typeof opts.database === 'string' ? createSequelizeStorage({ url: opts.database }) : opts.database;
  const users = new UserService({
    storage,
    hasher: opts.passwordHasher,
    passwordPolicy: opts.passwordPolicy,
    metadataMergeMode: opts.metadataMergeMode,
  });
  const mailer = createMailer(opts.mailTransport, opts.mailFrom, opts.logger);
  const ipOf = clientIpResolver(opts.trustProxy);
  const originOf = (req: Request) => opts.baseUrl?.origin ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const csrf = csrfProtection(originOf, opts.allowedOrigins);

  const gh: GatehouseContext = {
    options: opts,
    storage,
    users,
    mailer,
    clientIp: (req) => ipOf(req),
    csrfToken: (req) => csrf.generateToken(req),
    origin: originOf,
  };
  const passport = createPassport(gh);

  let sweep: NodeJS.Timeout | undefined;
  const ready = (async () => {
    await storage.migrate();
    if (opts.managementApi) await syncAdminRole(storage);
    if (opts.bootstrapAdmin) await bootstrapAdmin(gh, opts.bootstrapAdmin.email);
    if (opts.sessionSweepIntervalMs > 0) {
      sweep = setInterval(() => {
        storage.sweepSessions(new Date()).catch((err: unknown) => opts.logger.warn('[gatehouse] session sweep failed:', err));
      }, opts.sessionSweepIntervalMs);
      sweep.unref();
    }
  })();
  // Requests wait for start-up; a failed start-up answers 503 (and is logged once) instead of crashing.
  ready.catch((err: unknown) => opts.logger.error('[gatehouse] start-up failed:', err));

  const router = Router() as IdentityRouter;
  router.use((req: Request, _res: Response, next: NextFunction) => {
    req.gatehouse = gh;
    ready.then(() => next(), (err: unknown) => next(new GatehouseError('storage_unavailable', { cause: err })));
  });
  router.use(
    session({
      store: new GatehouseSessionStore(storage, opts.sessionMaxAgeMs),
      secret: opts.secrets,
      name: opts.cookieName,
      resave: false,
      saveUninitialized: false,
      proxy: opts.trustProxy !== false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, maxAge: opts.sessionMaxAgeMs, path: '/' },
    }),
  );
  router.use(passport.initialize());
  router.use(passport.session());

  const auth = Router();
  auth.use(
    helmet({
      contentSecurityPolicy: {
        // A form's redirect is checked against form-action too: allow where returnTo may lead.
        directives: { formAction: ["'self'", ...opts.allowedOrigins] },
      },
      // Links with tokens never leak to other sites, and same-site form posts keep a real Origin
      // header (no-referrer would turn it into "null").
      referrerPolicy: { policy: 'same-origin' },
    }),
    (_req: Request, res: Response, next: NextFunction) => {
      // Auth pages and answers carry tokens and personal data: never cached anywhere.
      res.set('Cache-Control', 'no-store');
      next();
    },
    express.urlencoded({ extended: false, limit: '32kb' }),
    express.json({ limit: '2mb' }),
    csrf.middleware,
  );
  auth.use(loginRoutes(gh, passport));
  auth.use(signupRoutes(gh));
  auth.use(logoutRoutes(gh));
  auth.use(passwordRoutes(gh));
  auth.use(verifyEmailRoutes(gh));
  auth.use(accountRoutes(gh));
  auth.use(meRoutes(gh));
  auth.use((_req: Request, _res: Response, next: NextFunction) => next(new GatehouseError('not_found')));
  // Before the prefix: a prefix such as '/api' must not swallow the management API's paths.
  if (opts.managementApi) router.use('/api/v2', managementRouter(gh, csrf.middleware));
  router.use(opts.prefix, auth);
  router.use(errorHandler);

  router.ready = ready;
  router.gatehouse = gh;
  router.close = async () => {
    if (sweep) clearInterval(sweep);
    mailer.close();
    await ready.catch(() => undefined);
    if (ownsStorage) await storage.close();
  };
  return router;
}
