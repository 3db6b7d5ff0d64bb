import { ExternalLogins, GatehouseError, IdpTokenVault, LoginGuard, storageCache, UserService, type Storage } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { bootstrapAdmin } from './bootstrap-admin.js';
import { sendBreachedPasswordReset } from './breached-password-email.js';
import { connectionRoutes } from './routes/connection-routes.js';
import { registerConnections } from './register-connections.js';
import { clientIpResolver } from './client-ip.js';
import type { GatehouseContext } from './context.js';
import { csrfProtection } from './csrf.js';
import { errorHandler } from './error-handler.js';
import { requestLoginGuard } from './login-guard.js';
import { rateLimiterCounters } from './rate-limiter-counters.js';
import { unblockRoutes } from './routes/unblock-routes.js';
import { createMailer } from './mailer.js';
import type { IdentityOptions } from './options.js';
import { syncAdminRole } from './management/admin-role.js';
import { managementRouter } from './management/management-router.js';
import { jobRunner, sweepExportFiles } from './management/job-runner.js';
import { createPassport } from './passport-setup.js';
import { resolveOptions } from './resolve-options.js';
import { accountRoutes } from './routes/account-routes.js';
import { elementsRoute } from './routes/elements-route.js';
import { loginRoutes } from './routes/login-routes.js';
import { logoutRoutes } from './routes/logout-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { meDataRoutes } from './routes/me-data-routes.js';
import { passwordRoutes } from './routes/password-routes.js';
import { profileStepRoutes } from './routes/profile-step-routes.js';
import { signupRoutes } from './routes/signup-routes.js';
import { termsRoutes } from './routes/terms-routes.js';
import { termsGate } from './terms.js';
import { verifyEmailRoutes } from './routes/verify-email-routes.js';
import { GatehouseSessionStore } from './session-store.js';
import { redisBackedStorage } from './redis-backed-storage.js';
import { redisCache } from './redis-cache.js';
import { closeRedis, connectRedis } from './redis-connection.js';
import { GatehouseRedisSessionStore } from './redis-session-store.js';
import { impersonationSession, refuseWhileImpersonating } from './impersonation-session.js';
import { impersonationRoutes } from './routes/impersonation-routes.js';
import { oidcRouter } from './oidc/oidc-router.js';
import { ProviderRuntime } from './oidc/provider-runtime.js';
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
  const database: Storage = typeof opts.database === 'string' ? createSequelizeStorage({ url: opts.database }) : opts.database;
  // With Redis, sessions live there (shared by every instance), and the storage's session port with them.
  const redisSessions = opts.redis ? new GatehouseRedisSessionStore(opts.redis, opts.sessionMaxAgeMs) : null;
  const storage: Storage = redisSessions ? redisBackedStorage(database, redisSessions) : database;
  const users = new UserService({
    storage,
    hasher: opts.passwordHasher,
    passwordPolicy: opts.passwordPolicy,
    metadataMergeMode: opts.metadataMergeMode,
    breachedPasswords: opts.breachedPasswords,
    onPasswordLeak: (user, context) => sendBreachedPasswordReset(gh, user, context.origin),
  });
  const mailer = createMailer(opts.mailTransport, opts.mailFrom, opts.logger);
  const ipOf = clientIpResolver(opts.trustProxy);
  const originOf = (req: Request) => opts.baseUrl?.origin ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const csrf = csrfProtection(originOf, opts.allowedOrigins);

  // Provider tokens are sealed under a key derived from the app's secret (the newest encrypts, all decrypt).
  const idpTokens = new IdpTokenVault(storage, opts.secrets, users.clock);
  const gh: GatehouseContext = {
    options: opts,
    storage,
    users,
    mailer,
    clientIp: (req) => ipOf(req),
    csrfToken: (req) => csrf.generateToken(req),
    origin: originOf,
    loginGuard: requestLoginGuard({
      guard: new LoginGuard({
        storage,
        counters: rateLimiterCounters(opts.rateLimits.store),
        limits: opts.rateLimits.limits,
        clock: users.clock,
        databaseConnection: users.databaseConnection,
      }),
      storage,
      mailer,
      clientIp: (req) => ipOf(req),
      origin: originOf,
      prefix: opts.prefix,
      appName: opts.appName,
      logger: opts.logger,
    }),
    connections: new Map(opts.connections.map((c) => [c.name, c])),
    externalLogins: new ExternalLogins(users, { idpTokens }),
    idpTokens,
    cache: (namespace) => (opts.redis ? redisCache(opts.redis, namespace) : storageCache(storage, users.clock, namespace)),
  };
  if (opts.applications) gh.applications = new ProviderRuntime(gh, opts.applications);
  const passport = createPassport(gh);
  registerConnections(gh, passport);
  const connections = connectionRoutes(gh, passport);

  let sweep: NodeJS.Timeout | undefined;
  const ready = (async () => {
    if (opts.redis) await connectRedis(opts.redis, opts.logger);
    await storage.migrate();
    if (opts.managementApi) await syncAdminRole(storage);
    if (opts.bootstrapAdmin) await bootstrapAdmin(gh, opts.bootstrapAdmin.email);
    // Jobs a crash or restart interrupted are taken over in the background (see job-runner.ts).
    if (opts.managementApi) jobRunner(gh).resumeInterrupted().catch((err: unknown) => opts.logger.warn('[gatehouse] could not resume interrupted jobs:', err));
    if (opts.sessionSweepIntervalMs > 0) {
      sweep = setInterval(() => {
        sweepExportFiles(opts.jobsDirectory, opts.jobs.exportFileTtlMs, new Date()).catch((err: unknown) => opts.logger.warn('[gatehouse] export sweep failed:', err));
        storage.sweepCache(new Date()).catch((err: unknown) => opts.logger.warn('[gatehouse] cache sweep failed:', err));
        storage.sweepPasswordlessCodes(new Date()).catch((err: unknown) => opts.logger.warn('[gatehouse] passwordless code sweep failed:', err));
        if (opts.applications) storage.sweepOidcPayloads(new Date()).catch((err: unknown) => opts.logger.warn('[gatehouse] oidc sweep failed:', err));
        storage.sweepSessions(new Date()).catch((err: unknown) => opts.logger.warn('[gatehouse] session sweep failed:', err));
        if (opts.logRetentionDays !== null) {
          const cutoff = new Date(users.clock().getTime() - opts.logRetentionDays * 86_400_000);
          storage.deleteLogsBefore(cutoff).catch((err: unknown) => opts.logger.warn('[gatehouse] log retention sweep failed:', err));
        }
        storage.sweepLoginBlocks(new Date()).catch((err: unknown) => opts.logger.warn('[gatehouse] login block sweep failed:', err));
      }, opts.sessionSweepIntervalMs);
      sweep.unref();
    }
  })();
  // Requests wait for start-up; a failed start-up answers 503 (and is logged once) instead of crashing.
  ready.catch((err: unknown) => opts.logger.error('[gatehouse] start-up failed:', err));

  // Once started, requests go straight on (no promise hop on every request).
  let started = false;
  ready.then(() => (started = true), () => undefined);
  const router = Router() as IdentityRouter;
  router.use((req: Request, _res: Response, next: NextFunction) => {
    req.gatehouse = gh;
    if (started) return next();
    ready.then(() => next(), (err: unknown) => next(new GatehouseError('storage_unavailable', { cause: err })));
  });
  // A public static asset: before the session, so fetching it never touches the session store.
  router.use(opts.prefix, elementsRoute(gh));
  router.use(
    session({
      store: redisSessions ?? new GatehouseSessionStore(storage, opts.sessionMaxAgeMs),
      secret: opts.secrets,
      name: opts.cookieName,
      resave: false,
      saveUninitialized: false,
      proxy: opts.trustProxy !== false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, maxAge: opts.sessionMaxAgeMs, path: '/' },
    }),
  );
  // No passport.initialize(): session() sets up the same request methods, and initialize's only
  // other work, compatibility properties for Passport 0.4 strategies, costs every request.
  router.use(passport.session());
  // Marks req.user.impersonator, and ends an impersonation whose time box or permissions ran out.
  router.use(impersonationSession(gh));
  if (opts.terms) router.use(termsGate(gh));

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
  );
  // A provider's answer is protected by its protocol (signature, InResponseTo, state), and arrives
  // cross-site: it must get through before the CSRF check.
  auth.use(connections.callbacks);
  auth.use(
    express.urlencoded({ extended: false, limit: '32kb' }),
    express.json({ limit: '2mb' }),
    csrf.middleware,
  );
  // First after CSRF: an impersonated session may only read, stop and sign out here.
  auth.use(impersonationRoutes(gh));
  auth.use(loginRoutes(gh, passport));
  auth.use(signupRoutes(gh));
  auth.use(termsRoutes(gh));
  auth.use(logoutRoutes(gh));
  auth.use(passwordRoutes(gh));
  auth.use(verifyEmailRoutes(gh));
  auth.use(unblockRoutes(gh));
  auth.use(accountRoutes(gh));
  auth.use(meRoutes(gh));
  auth.use(meDataRoutes(gh));
  auth.use(profileStepRoutes(gh));
  auth.use(connections.starts);
  auth.use((_req: Request, _res: Response, next: NextFunction) => next(new GatehouseError('not_found')));
  if (gh.applications) {
    // An impersonated session must not sign in to the host's other applications as the user.
    router.use(`${gh.applications.options.path}/interaction`, refuseWhileImpersonating('application_login'));
    router.use(oidcRouter(gh, gh.applications, csrf.middleware));
  }
  // Before the prefix: a prefix such as '/api' must not swallow the management API's paths.
  if (opts.managementApi) router.use('/api/v2', managementRouter(gh, csrf.middleware));
  router.use(opts.prefix, auth);
  router.use(errorHandler);

  router.ready = ready;
  router.gatehouse = gh;
  router.close = async () => {
    if (sweep) clearInterval(sweep);
    mailer.close();
    await Promise.all(opts.connections.map((c) => c.close?.()));
    await ready.catch(() => undefined);
    if (ownsStorage) await database.close();
    if (opts.redis) await closeRedis(opts.redis);
  };
  return router;
}
