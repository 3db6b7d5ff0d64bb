import type { Connection, MetadataMergeMode, PasswordHasher, PasswordPolicy, Storage } from '@gatehouse/core';
import type { Transporter } from 'nodemailer';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { BreachedPasswordsOptions, LoginLimitsInput, ProfilingRuleInput } from '@gatehouse/core';
import type { RedisClientLike } from './rate-limiter-counters.js';
import type { RedisOption } from './redis-connection.js';
import type { ApplicationsOptions } from './oidc/applications-options.js';

/** The Management API's settings (`managementApi: { ... }`). */
export interface ManagementApiOptions {
  /**
   * Requests per caller (a Bearer token, a signed-in user, else an IP address) per window, sent
   * back as `x-ratelimit-*` headers; over the limit is 429 `too_many_requests` with Retry-After.
   * `limiter` swaps the in-memory counter for a shared one (e.g. rate-limiter-flexible's
   * RateLimiterRedis, whose own points and duration then apply). `false` turns limiting off.
   * @default { points: 1000, durationSec: 60 } in memory
   * @example
   * managementApi: { rateLimit: { limiter: new RateLimiterRedis({ storeClient: redis, points: 50, duration: 1 }) } }
   */
  rateLimit?: false | { points?: number; durationSec?: number; limiter?: RateLimiterAbstract };
}

/**
 * Brute-force protection and abuse limits (`rateLimits: { ... }`): every limit of LoginLimits
 * (each `{ points, durationSec }`), and where the counts live.
 */
export interface RateLimitsOptions extends LoginLimitsInput {
  /**
   * Where the counters live: 'memory' (one process), or a Redis client (`ioredis`, or a connected
   * node-redis 4+ client) so every instance of the app counts together. Blocks themselves are
   * always kept in the database.
   * @default 'memory'
   * @example
   * identity({ rateLimits: { store: new Redis(process.env.REDIS_URL) } })
   */
  store?: 'memory' | RedisClientLike;
}

/** The options of identity(). Every option is optional: `identity()` alone runs on SQLite in development. */
export interface IdentityOptions {
  /** Where the routes are mounted. @default '/auth' */
  prefix?: string;
  /**
   * The database: a URL (`sqlite:./data/gatehouse.sqlite`, `postgres://…`, `mysql://…`) or a
   * ready Storage. In development the default is a SQLite file under ./data; production must say.
   * @default 'sqlite:./data/gatehouse.sqlite'
   */
  database?: string | Storage;
  /** The public origin of the app, for links in emails. Required in production (a Host header must never pick where reset links point). */
  baseUrl?: string;
  /** Session cookie signing secrets, newest first (older ones still verify, for rotation). Required in production. */
  secret?: string | string[];
  session?: {
    /** @default 7 days */
    maxAgeMs?: number;
    /** @default '__Host-gatehouse.sid' in production, 'gatehouse.sid' otherwise */
    cookieName?: string;
    /** Secure cookies. @default true in production */
    secure?: boolean;
    /** How often expired sessions are deleted (and logs past their retention). 0 turns the sweep off. @default 15 minutes */
    sweepIntervalMs?: number;
    /** How recent a sign-in must be for sensitive self-service actions (deleting the account); older answers 403 `reauthentication_required`. @default 10 minutes */
    recentLoginMs?: number;
  };
  /** Email delivery: an SMTP URL, a nodemailer transport, or 'console' (development: prints messages). @default 'console' outside production */
  mail?: { transport?: string | Transporter; from?: string };
  /**
   * Password rules: `level` 'nist' (the default: 12 to 128 characters, common passwords and
   * personal data refused, no composition rules) or one of Auth0's levels ('none', 'low', 'fair',
   * 'good', 'excellent', with Auth0's rules), and `minLength`, `maxLength`, `dictionary`,
   * `customDictionary`, `personalData`, `history` (last N passwords refused, 0-24).
   * @default { level: 'nist' }
   * @example passwordPolicy: { level: 'good', history: 5 }
   */
  passwordPolicy?: Partial<PasswordPolicy>;
  /**
   * Breached-password detection at signup, password change, reset and login: the shipped offline
   * list, and optionally Have I Been Pwned's range API (only a 5-character SHA-1 prefix leaves the
   * machine). At login a breached password blocks the login (401 `password_leaked`), flags the
   * user (`app_metadata.breached_password`) and emails a reset link; the reset clears the flag.
   * @default { offline: true, hibp: false, checkAtLogin: true }
   * @example breachedPasswords: { hibp: { timeoutMs: 1000, failClosed: false } }
   */
  breachedPasswords?: BreachedPasswordsOptions;
  /** The audit log. */
  logs?: {
    /** Events older than this many days are deleted by the periodic sweep; null keeps them forever. @default null */
    retentionDays?: number | null;
  };
  /** A custom hasher (tests use cheaper parameters). @default Argon2id at OWASP cost */
  passwordHasher?: PasswordHasher;
  /** Users must verify their email before they can sign in. @default true */
  requireVerifiedEmail?: boolean;
  /** Allow visitors to sign up. @default true */
  signup?: boolean;
  /** Where to go after login when no valid returnTo was given. @default '/' */
  defaultReturnTo?: string;
  /** Origins (scheme://host[:port]) that returnTo may point to besides this app. @default [] */
  allowedOrigins?: string[];
  /** Which proxies to trust for the client IP, as Express's `trust proxy` (proxy-addr syntax). @default false (the socket address) */
  trustProxy?: boolean | number | string | string[];
  /** The name shown on hosted pages. @default 'Gatehouse' */
  appName?: string;
  /** Extra CSS for hosted pages (custom properties such as --gh-accent are the theme). */
  theme?: { css?: string };
  /** Lifetimes of emailed links. */
  tokens?: {
    /** @default 24 hours */
    verifyEmailTtlMs?: number;
    /** @default 1 hour */
    resetPasswordTtlMs?: number;
  };
  /** Metadata PATCH mode. @default 'shallow' */
  metadataMergeMode?: MetadataMergeMode;
  /**
   * Mount the Auth0-compatible Management API v2 at `/api/v2` (the path is Auth0's and fixed).
   * Callers need a Bearer API token (`gatehouse tokens create`) or a signed-in session whose
   * roles grant the scopes. `true` or an object mounts it; the object tunes it. @default true
   */
  managementApi?: boolean | ManagementApiOptions;
  /**
   * Impersonation (`POST /api/v2/users/{id}/impersonate`, for signed-in holders of
   * `impersonate:users`): how long an impersonated session lasts before it ends on its own.
   * @default { ttlMs: 15 minutes }
   */
  impersonation?: { ttlMs?: number };
  /**
   * Where bulk jobs keep their files: uploaded import files (kept until the import completes, so an
   * interrupted one can resume) and export files (served by `GET /api/v2/jobs/{id}/file`).
   * @default './data/jobs'
   */
  jobsDirectory?: string;
  /** Limits of bulk jobs. */
  jobs?: {
    /** Largest import upload; a bigger one is refused with 413 and its partial file deleted. @default 2 GiB */
    maxUploadBytes?: number;
    /** Jobs running at once in this process; more are refused with 429 (Auth0 also caps concurrent jobs). @default 2 */
    maxRunning?: number;
    /** How long a finished export's file is kept for download; the session sweep deletes older ones. @default 24 hours */
    exportFileTtlMs?: number;
  };
  /** First start: create this administrator when no user holds the admin role, and print a one-time set-password link. */
  bootstrapAdmin?: { email: string } | false;
  /**
   * Brute-force protection and rate limits of the hosted pages: failed logins per identifier + IP
   * (10: that IP is blocked for that identifier, the user is emailed an unblock link, the block is
   * listed by `/api/v2/user-blocks`), per identifier (50 a day: throttled) and per IP (100 a day),
   * signups per IP (50 a minute), account emails per address (5 an hour) and per IP (50 an hour).
   * Over a limit: 429 with Retry-After. @default in memory, with those limits
   */
  rateLimits?: RateLimitsOptions;
  /**
   * Redis, for running several instances of the app: sessions (connect-redis, with each user's
   * session ids indexed so a password change, block or deletion ends them everywhere), the rate
   * limit and brute-force counters (unless `rateLimits.store` says otherwise), the Management API's
   * per-caller limit, and the shared cache (SAML request and replay caches, login transactions).
   * A URL makes a client identity() connects and closes; a node-redis 5 client is the host's. While
   * Redis is unreachable, requests that need a session answer 503 `session_store_unavailable`, and
   * they recover by themselves when it is back. Users stay in the database.
   * @default none: sessions and the cache in the database, counters in memory
   * @example
   * identity({ database: process.env.DATABASE_URL, redis: { url: process.env.REDIS_URL } })
   */
  redis?: RedisOption;
  /** Allow development defaults (generated secret, console mail, derived baseUrl) with NODE_ENV=production. @default false */
  allowDevelopmentDefaults?: boolean;
  /**
   * Ways to sign in besides email + password: SAML, LDAP, OAuth, passwordless, a custom database
   * (each from its package's factory). Each gets `<prefix>/<name>` (start, or POST credentials),
   * `<prefix>/callback/<name>` and a button or form on the hosted login page.
   * @default []
   * @example
   * connections: [saml({ name: 'corp', entryPoint, idpCert, idpIssuer })]
   */
  connections?: Connection[];
  /**
   * Terms of service the user must accept (GDPR): the hosted signup page asks for acceptance, the
   * acceptance (version, time, IP) is recorded as a `terms_of_service` consent, and at each login a
   * user who has not accepted this `version` is asked first (browsers go to `<prefix>/terms`; other
   * requests get 403 `terms_not_accepted` until `POST <prefix>/terms`). `url` is where the text is.
   * @default none
   * @example
   * terms: { version: '2025-01', url: '/legal/terms' }
   */
  terms?: { version: string; url: string };
  /**
   * Gatehouse as an OpenID Connect provider for the host's other applications (a second web app,
   * a SPA, a mobile app, an API): mounted at `/oidc` (issuer = baseUrl + '/oidc', discovery at
   * `/oidc/.well-known/openid-configuration`), signing in through the hosted login page (any
   * connection) and a hosted consent page. Applications are managed with `/api/v2/clients` and
   * `gatehouse clients`. Needs `baseUrl`. `true` turns it on with the defaults.
   * @default false
   * @example
   * applications: { apis: [{ identifier: 'https://api.example.com/', scopes: ['read:orders'] }] }
   */
  applications?: boolean | ApplicationsOptions;
  /**
   * Progressive profiling: rules that ask for a few more profile fields at successive logins. After
   * a login (the hosted form or a connection), a user a rule is due for goes to the hosted step
   * `<prefix>/profile/complete` (the `<gatehouse-progressive-profile>` element, or a plain form
   * without JavaScript), then on to their returnTo. A rule is due from its `afterLogins`th login
   * while a required field (or, with none required, every field) is unanswered; `skippable` rules
   * offer Skip, and a skipped rule is asked again `askAgainAfterLogins` (2) logins later. Fields
   * are root profile fields users may edit (names, nickname, username, phone_number, picture) or
   * user_metadata keys; answers pass the rule's checks and then PATCH /me's.
   * @default []
   * @example
   * progressiveProfiling: [
   *   { afterLogins: 2, fields: [{ name: 'given_name', label: 'First name', required: true }] },
   *   { afterLogins: 3, skippable: true, fields: [{ name: 'company', label: 'Company' }] },
   * ]
   */
  progressiveProfiling?: ProfilingRuleInput[];
  /** Where warnings and development output go. @default console */
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}
