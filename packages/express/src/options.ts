import type { MetadataMergeMode, PasswordHasher, PasswordPolicy, Storage } from '@gatehouse/core';
import type { Transporter } from 'nodemailer';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';

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
    /** How often expired sessions are deleted. 0 turns the sweep off. @default 15 minutes */
    sweepIntervalMs?: number;
  };
  /** Email delivery: an SMTP URL, a nodemailer transport, or 'console' (development: prints messages). @default 'console' outside production */
  mail?: { transport?: string | Transporter; from?: string };
  /** Password rules. @default { minLength: 12, maxLength: 128 } */
  passwordPolicy?: Partial<PasswordPolicy>;
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
   * Where bulk jobs keep their files: uploaded import files (kept until the import completes, so an
   * interrupted one can resume) and export files (served by `GET /api/v2/jobs/{id}/file`).
   * @default './data/jobs'
   */
  jobsDirectory?: string;
  /** First start: create this administrator when no user holds the admin role, and print a one-time set-password link. */
  bootstrapAdmin?: { email: string } | false;
  /** Allow development defaults (generated secret, console mail, derived baseUrl) with NODE_ENV=production. @default false */
  allowDevelopmentDefaults?: boolean;
  /** Where warnings and development output go. @default console */
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}
