import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Connection, MetadataMergeMode, PasswordHasher, PasswordPolicy, Storage } from '@gatehouse/core';
import { createBreachedPasswordChecker, resolvePasswordPolicy, validateConnections, type BreachedPasswordsOptions } from '@gatehouse/core';
import type { Transporter } from 'nodemailer';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { resolveLoginLimits, type LoginLimits } from '@gatehouse/core';
import { resolveProfilingRules, type ProfilingRule } from '@gatehouse/core';
import type { RedisClientLike } from './rate-limiter-counters.js';
import { resolveRedisOption, type GatehouseRedis } from './redis-connection.js';
import { DEFAULTS } from './defaults.js';
import type { IdentityOptions } from './options.js';
import { resolveApplicationsOptions, type ResolvedApplicationsOptions } from './oidc/applications-options.js';

export interface ResolvedOptions {
  prefix: string;
  database: string | Storage;
  baseUrl: URL | null;
  secrets: string[];
  sessionMaxAgeMs: number;
  cookieName: string;
  secureCookies: boolean;
  sessionSweepIntervalMs: number;
  mailTransport: string | Transporter | 'console';
  mailFrom: string;
  passwordPolicy: PasswordPolicy;
  breachedPasswords: BreachedPasswordsOptions;
  /** Days of audit log kept; null: forever. */
  logRetentionDays: number | null;
  recentLoginMs: number;
  /** How long an impersonated session lasts. */
  impersonationTtlMs: number;
  passwordHasher: PasswordHasher | undefined;
  requireVerifiedEmail: boolean;
  signup: boolean;
  defaultReturnTo: string;
  allowedOrigins: Set<string>;
  trustProxy: boolean | number | string | string[];
  appName: string;
  themeCss: string;
  verifyEmailTtlMs: number;
  resetPasswordTtlMs: number;
  metadataMergeMode: MetadataMergeMode;
  bootstrapAdmin: { email: string } | false;
  managementApi: boolean;
  jobsDirectory: string;
  jobs: { maxUploadBytes: number; maxRunning: number; exportFileTtlMs: number };
  /** Brute-force protection and abuse limits, and where their counters live. */
  rateLimits: { store: 'memory' | RedisClientLike; limits: LoginLimits };
  /** Redis for sessions, counters and the shared cache (every instance shares it); null: the database and memory. */
  redis: GatehouseRedis | null;
  /** The Management API's per-caller limit; false: off. */
  managementRateLimit: { points: number; durationSec: number; limiter?: RateLimiterAbstract } | false;
  connections: Connection[];
  /** The terms of service users must accept; null: none. */
  terms: { version: string; url: string } | null;
  /** The OpenID Connect provider's settings; false: not mounted. */
  applications: ResolvedApplicationsOptions | false;
  /** Progressive-profiling rules, in the order they are asked. */
  progressiveProfiling: ProfilingRule[];
  production: boolean;
  logger: Pick<Console, 'info' | 'warn' | 'error'>;
}

let warnedDevelopment = false;

function invalid(name: string, expected: string, got: unknown): never {
  throw new TypeError(`identity(): option "${name}" must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}

function positiveMs(name: string, value: unknown, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    invalid(name, allowZero ? 'a number of milliseconds >= 0' : 'a positive number of milliseconds', v);
  }
  return v;
}

function origin(name: string, value: unknown): URL {
  if (typeof value !== 'string') invalid(name, 'an absolute http(s) URL', value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(name, 'an absolute http(s) URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid(name, 'an absolute http(s) URL', value);
  return url;
}

/** A development secret kept in ./data so sessions survive restarts; never used in production. */
function developmentSecret(): string {
  try {
    return readFileSync(DEFAULTS.devSecretFile, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    mkdirSync(dirname(DEFAULTS.devSecretFile), { recursive: true });
    writeFileSync(DEFAULTS.devSecretFile, secret, { mode: 0o600 });
    return secret;
  }
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) invalid(name, 'a positive integer', v);
  return v;
}

/** `managementApi: { rateLimit }`: a custom limiter, or points per window for the in-memory one. */
function resolveRateLimit(managementApi: IdentityOptions['managementApi']): ResolvedOptions['managementRateLimit'] {
  const rateLimit = typeof managementApi === 'object' && managementApi !== null ? managementApi.rateLimit : undefined;
  if (rateLimit === false) return false;
  if (rateLimit !== undefined && (rateLimit === null || typeof rateLimit !== 'object')) {
    invalid('managementApi.rateLimit', '{ points, durationSec }, { limiter } or false', rateLimit);
  }
  const { limiter } = rateLimit ?? {};
  if (limiter !== undefined) {
    if (limiter === null || typeof limiter !== 'object' || typeof limiter.consume !== 'function') {
      invalid('managementApi.rateLimit.limiter', 'a rate-limiter-flexible limiter', '[object]');
    }
    if (rateLimit?.points !== undefined || rateLimit?.durationSec !== undefined) {
      throw new TypeError('identity(): option "managementApi.rateLimit" takes a limiter or points/durationSec, not both (the limiter has its own)');
    }
    return { points: limiter.points, durationSec: limiter.duration, limiter };
  }
  return {
    points: positiveInteger('managementApi.rateLimit.points', rateLimit?.points, DEFAULTS.managementRateLimitPoints),
    durationSec: positiveInteger('managementApi.rateLimit.durationSec', rateLimit?.durationSec, DEFAULTS.managementRateLimitDurationSec),
  };
}

/** `terms`: a consent version (as consents store it) and the text's URL (absolute http(s), or a path on this app). */
function resolveTerms(input: IdentityOptions['terms']): ResolvedOptions['terms'] {
  if (input === undefined) return null;
  if (input === null || typeof input !== 'object') invalid('terms', '{ version, url }', input);
  if (typeof input.version !== 'string' || !/^[\x21-\x7e]{1,64}$/u.test(input.version)) {
    invalid('terms.version', '1 to 64 printable characters without spaces', input.version);
  }
  const url = input.url;
  if (typeof url !== 'string' || !(/^\/(?!\/)/u.test(url) || /^https?:\/\/[^\s]+$/u.test(url)) || /[\u0000-\u001f\u007f\s\\]/u.test(url)) {
    invalid('terms.url', 'an absolute http(s) URL or a path starting with "/"', url);
  }
  return { version: input.version, url };
}

/** `rateLimits`: the limits (checked by core) and the counters' store ('memory' or a Redis client). */
function resolveRateLimits(input: IdentityOptions['rateLimits']): ResolvedOptions['rateLimits'] {
  if (input !== undefined && (input === null || typeof input !== 'object')) invalid('rateLimits', 'an object', input);
  const { store = 'memory', ...limits } = input ?? {};
  if (store !== 'memory' && (store === null || typeof store !== 'object')) {
    invalid('rateLimits.store', "'memory' or a Redis client (ioredis, node-redis 4+)", typeof store === 'string' ? store : '[value]');
  }
  try {
    return { store, limits: resolveLoginLimits(limits) };
  } catch (err) {
    throw new TypeError(`identity(): option ${(err as Error).message}`);
  }
}

/** `progressiveProfiling`: the rules, checked by core. */
function resolveProgressiveProfiling(input: IdentityOptions['progressiveProfiling']): ProfilingRule[] {
  try {
    return resolveProfilingRules(input);
  } catch (err) {
    throw new TypeError(`identity(): option ${(err as Error).message}`);
  }
}

/**
 * Validates identity()'s options once, at construction, and fills the defaults. Mistakes throw a
 * TypeError naming the option; development defaults are refused under NODE_ENV=production.
 */
export function resolveOptions(options: IdentityOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const production = process.env.NODE_ENV === 'production';
  const logger = options.logger ?? console;
  const allowDev = options.allowDevelopmentDefaults ?? DEFAULTS.allowDevelopmentDefaults;
  const devDefaults: string[] = [];

  const prefix = options.prefix ?? DEFAULTS.prefix;
  if (typeof prefix !== 'string' || !/^\/[A-Za-z0-9._~\-/]*[^/]$/u.test(prefix)) {
    invalid('prefix', 'a path like "/auth" (leading slash, no trailing slash)', prefix);
  }

  const database = options.database ?? DEFAULTS.database;
  if (typeof database === 'string') {
    if (!/^(sqlite|postgres|postgresql|mysql|mariadb):/u.test(database)) {
      invalid('database', 'a sqlite:, postgres:, mysql: or mariadb: URL, or a Storage', database);
    }
  } else if (typeof database !== 'object' || typeof database.getUser !== 'function') {
    invalid('database', 'a database URL or a Storage', '[object]');
  }
  if (options.database === undefined) devDefaults.push('database (a SQLite file under ./data)');

  let secrets: string[];
  if (options.secret === undefined) {
    devDefaults.push('secret (generated, kept in ./data)');
    secrets = production && !allowDev ? [] : [developmentSecret()];
  } else {
    secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
    if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length < 32)) {
      invalid('secret', 'a string (or list of strings) of at least 32 characters', '[redacted]');
    }
  }

  const baseUrl = options.baseUrl === undefined ? null : origin('baseUrl', options.baseUrl);
  if (baseUrl === null) devDefaults.push('baseUrl (taken from each request)');

  const mailTransport = options.mail?.transport ?? 'console';
  if (mailTransport === 'console') devDefaults.push('mail (printed to the console)');
  else if (typeof mailTransport === 'string' && !/^smtps?:\/\//u.test(mailTransport)) {
    invalid('mail.transport', "an smtp:// or smtps:// URL, a nodemailer transport, or 'console'", mailTransport);
  }

  if (production && devDefaults.length > 0 && !allowDev) {
    throw new TypeError(
      `identity(): NODE_ENV=production needs real settings for: ${devDefaults.join(', ')}. ` +
        'Set them, or pass allowDevelopmentDefaults: true to run with development defaults.',
    );
  }
  if (devDefaults.length > 0 && !warnedDevelopment) {
    warnedDevelopment = true;
    logger.warn(`[gatehouse] development defaults in use: ${devDefaults.join('; ')}. Set them before production.`);
  }

  const allowedOrigins = new Set<string>();
  for (const value of options.allowedOrigins ?? []) allowedOrigins.add(origin('allowedOrigins', value).origin);

  const defaultReturnTo = options.defaultReturnTo ?? DEFAULTS.defaultReturnTo;
  if (typeof defaultReturnTo !== 'string' || !defaultReturnTo.startsWith('/') || defaultReturnTo.startsWith('//')) {
    invalid('defaultReturnTo', 'a path on this app starting with "/"', defaultReturnTo);
  }

  const bootstrapAdmin = options.bootstrapAdmin ?? false;
  if (bootstrapAdmin !== false && (typeof bootstrapAdmin !== 'object' || typeof bootstrapAdmin.email !== 'string')) {
    invalid('bootstrapAdmin', '{ email } or false', bootstrapAdmin);
  }

  const mergeMode = options.metadataMergeMode ?? DEFAULTS.metadataMergeMode;
  if (mergeMode !== 'shallow' && mergeMode !== 'deep') invalid('metadataMergeMode', "'shallow' or 'deep'", mergeMode);

  const bools = {
    requireVerifiedEmail: options.requireVerifiedEmail,
    signup: options.signup,
    allowDevelopmentDefaults: allowDev,
    managementApi: typeof options.managementApi === 'object' && options.managementApi !== null ? true : options.managementApi,
  };
  for (const [name, value] of Object.entries(bools)) {
    if (value !== undefined && typeof value !== 'boolean') invalid(name, 'true or false', value);
  }

  const managementRateLimit = resolveRateLimit(options.managementApi);
  const redis = resolveRedisOption(options.redis);
  const rateLimits = resolveRateLimits(options.rateLimits);
  // With `redis`, the counters go there too unless rateLimits.store names a store of its own.
  if (redis && options.rateLimits?.store === undefined) rateLimits.store = redis.client;

  const connections = options.connections ?? [];
  if (!Array.isArray(connections)) invalid('connections', 'an array of connections', '[object]');
  try {
    validateConnections(connections);
  } catch (err) {
    throw new TypeError(`identity(): option ${(err as Error).message}`);
  }
  if (connections.length > 0 && baseUrl === null) {
    // Callback and metadata URLs are registered at the identity provider: they cannot follow
    // whatever Host header a request brings.
    invalid('baseUrl', 'set when connections are configured (their callback URLs are registered at the provider)', undefined);
  }

  let passwordPolicy: PasswordPolicy;
  const breachedPasswords = options.breachedPasswords ?? {};
  try {
    passwordPolicy = resolvePasswordPolicy(options.passwordPolicy);
    // Built once here only to validate: a bad option fails at construction, not at the first signup.
    createBreachedPasswordChecker(breachedPasswords);
  } catch (err) {
    throw new TypeError(`identity(): ${(err as Error).message}`);
  }
  if (options.impersonation !== undefined && (typeof options.impersonation !== 'object' || options.impersonation === null)) {
    invalid('impersonation', 'an object ({ ttlMs })', options.impersonation);
  }
  const logRetentionDays = options.logs?.retentionDays ?? null;
  if (logRetentionDays !== null && (typeof logRetentionDays !== 'number' || !Number.isInteger(logRetentionDays) || logRetentionDays < 1)) {
    invalid('logs.retentionDays', 'a positive integer number of days, or null', logRetentionDays);
  }

  return {
    prefix,
    database,
    baseUrl,
    secrets,
    sessionMaxAgeMs: positiveMs('session.maxAgeMs', options.session?.maxAgeMs, DEFAULTS.sessionMaxAgeMs),
    cookieName: options.session?.cookieName ?? (production ? '__Host-gatehouse.sid' : 'gatehouse.sid'),
    secureCookies: options.session?.secure ?? production,
    sessionSweepIntervalMs: positiveMs('session.sweepIntervalMs', options.session?.sweepIntervalMs, DEFAULTS.sessionSweepIntervalMs, true),
    mailTransport,
    mailFrom: options.mail?.from ?? DEFAULTS.mailFrom,
    passwordPolicy,
    breachedPasswords,
    logRetentionDays,
    recentLoginMs: positiveMs('session.recentLoginMs', options.session?.recentLoginMs, DEFAULTS.recentLoginMs),
    impersonationTtlMs: positiveMs('impersonation.ttlMs', options.impersonation?.ttlMs, DEFAULTS.impersonationTtlMs),
    passwordHasher: options.passwordHasher,
    requireVerifiedEmail: options.requireVerifiedEmail ?? DEFAULTS.requireVerifiedEmail,
    signup: options.signup ?? DEFAULTS.signup,
    defaultReturnTo,
    allowedOrigins,
    trustProxy: options.trustProxy ?? DEFAULTS.trustProxy,
    appName: options.appName ?? DEFAULTS.appName,
    themeCss: options.theme?.css ?? '',
    verifyEmailTtlMs: positiveMs('tokens.verifyEmailTtlMs', options.tokens?.verifyEmailTtlMs, DEFAULTS.verifyEmailTtlMs),
    resetPasswordTtlMs: positiveMs('tokens.resetPasswordTtlMs', options.tokens?.resetPasswordTtlMs, DEFAULTS.resetPasswordTtlMs),
    metadataMergeMode: mergeMode,
    bootstrapAdmin,
    managementApi: options.managementApi === undefined ? DEFAULTS.managementApi : options.managementApi !== false,
    managementRateLimit,
    rateLimits,
    redis,
    jobsDirectory: options.jobsDirectory ?? DEFAULTS.jobsDirectory,
    jobs: {
      maxUploadBytes: positiveInteger('jobs.maxUploadBytes', options.jobs?.maxUploadBytes, DEFAULTS.jobsMaxUploadBytes),
      maxRunning: positiveInteger('jobs.maxRunning', options.jobs?.maxRunning, DEFAULTS.jobsMaxRunning),
      exportFileTtlMs: positiveMs('jobs.exportFileTtlMs', options.jobs?.exportFileTtlMs, DEFAULTS.jobsExportFileTtlMs),
    },
    connections,
    terms: resolveTerms(options.terms),
    applications: resolveApplicationsOptions(options.applications, baseUrl, prefix),
    progressiveProfiling: resolveProgressiveProfiling(options.progressiveProfiling),
    production,
    logger,
  };
}
