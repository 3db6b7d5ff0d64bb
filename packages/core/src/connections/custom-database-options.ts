import type { Metadata } from '../user.js';
import { CONNECTION_NAME_PATTERN, RESERVED_CONNECTION_NAMES } from './connection.js';

/**
 * A user as the host's scripts describe it: Auth0's custom-database profile. Only these fields are
 * read; anything else a script returns (a legacy row with its password hash, say) is ignored and
 * never stored.
 */
export interface CustomDatabaseProfile {
  /** The user's id in the host's store; Gatehouse's user_id becomes `auth0|<user_id>` (a leading `auth0|` is not doubled). */
  user_id: string | number;
  email?: string | null;
  /** Only what the host's store vouches for. @default false */
  email_verified?: boolean;
  username?: string | null;
  phone_number?: string | null;
  name?: string | null;
  given_name?: string | null;
  family_name?: string | null;
  nickname?: string | null;
  picture?: string | null;
  /** Copied when Gatehouse first creates the user; not synchronised afterwards. */
  user_metadata?: Metadata;
  /** Copied when Gatehouse first creates the user; not synchronised afterwards. */
  app_metadata?: Metadata;
}

/** What every script gets as its last argument. */
export interface CustomDatabaseScriptContext {
  /** The connection's name. */
  connection: string;
  /** Aborted when the script runs past `timeoutMs`: pass it to the query or fetch, so it stops too. */
  signal: AbortSignal;
}

/** The sign-up data `create` receives (Auth0's shape). */
export interface CustomDatabaseNewUser {
  email: string;
  password: string;
  username?: string;
}

/**
 * Auth0's custom-database scripts as async functions. Where an Auth0 script calls back with an
 * error, these throw; where it calls back with nothing, these resolve to null.
 */
export interface CustomDatabaseScripts {
  /**
   * Checks credentials against the host's store. Resolves to the user's profile; resolves to null
   * (or throws WrongUsernameOrPasswordError) for an unknown user or a wrong password.
   */
  login(usernameOrEmail: string, password: string, context: CustomDatabaseScriptContext): Promise<CustomDatabaseProfile | null>;
  /** The user with this email address, or null. Needed with `import: true` (password reset of users not migrated yet). */
  getUser?(email: string, context: CustomDatabaseScriptContext): Promise<CustomDatabaseProfile | null>;
  /** Accepted for Auth0 compatibility; not called by Gatehouse yet (hosted signup goes to the database connection). */
  create?(user: CustomDatabaseNewUser, context: CustomDatabaseScriptContext): Promise<void>;
  /** Accepted for Auth0 compatibility; not called by Gatehouse yet. */
  verify?(email: string, context: CustomDatabaseScriptContext): Promise<boolean | void>;
  /** Accepted for Auth0 compatibility; not called by Gatehouse yet. */
  changePassword?(email: string, newPassword: string, context: CustomDatabaseScriptContext): Promise<boolean | void>;
  /** Accepted for Auth0 compatibility; not called by Gatehouse yet. */
  remove?(id: string, context: CustomDatabaseScriptContext): Promise<void>;
}

/** The options of `customDatabase()`. */
export interface CustomDatabaseOptions extends CustomDatabaseScripts {
  /** The connection's name: lower-case letters, digits and dashes (it is a URL segment and the login form's `connection` value). */
  name: string;
  /** Shown on the login page. @default the name */
  displayName?: string;
  /**
   * true (lazy migration, Auth0's "Import Users to Gatehouse"): a user's first successful login
   * through `login` creates the user in Gatehouse with the password re-hashed to Argon2id; from
   * then on Gatehouse checks that user's password itself and never asks the host's store again.
   * false (pass-through): `login` checks every login; Gatehouse keeps the profile and sessions but
   * no password.
   */
  import: boolean;
  /** How long a script may run before the login fails with 503 `connection_unavailable` (1 ms to 2 minutes). @default 10000 */
  timeoutMs?: number;
}

/** The options once checked, with their defaults. */
export interface ResolvedCustomDatabaseOptions {
  name: string;
  displayName: string;
  import: boolean;
  timeoutMs: number;
  scripts: CustomDatabaseScripts;
}

export const CUSTOM_DATABASE_DEFAULTS = { timeoutMs: 10_000 } as const;

const SCRIPTS = ['login', 'getUser', 'create', 'verify', 'changePassword', 'remove'] as const;
const MAX_TIMEOUT_MS = 120_000;

/** Checks `customDatabase()` options once, at construction: a TypeError names the offending option. */
export function resolveCustomDatabaseOptions(options: CustomDatabaseOptions): ResolvedCustomDatabaseOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('customDatabase() needs an options object');
  const { name } = options;
  if (typeof name !== 'string' || !CONNECTION_NAME_PATTERN.test(name) || RESERVED_CONNECTION_NAMES.has(name)) {
    throw new TypeError(`customDatabase(): name must be lower-case letters, digits and dashes, not a reserved route name; got ${JSON.stringify(name)}`);
  }
  const where = `customDatabase(${JSON.stringify(name)})`;
  if (typeof options.import !== 'boolean') {
    throw new TypeError(`${where}: import must be true (lazy migration into Gatehouse) or false (the scripts check every login)`);
  }
  const displayName = options.displayName ?? name;
  if (typeof displayName !== 'string' || displayName.trim() === '') throw new TypeError(`${where}: displayName must be a non-empty string`);
  const timeoutMs = options.timeoutMs ?? CUSTOM_DATABASE_DEFAULTS.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new TypeError(`${where}: timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(timeoutMs)}`);
  }
  const scripts: Partial<Record<(typeof SCRIPTS)[number], unknown>> = {};
  for (const script of SCRIPTS) {
    const fn = options[script];
    if (fn === undefined) continue;
    if (typeof fn !== 'function') throw new TypeError(`${where}: ${script} must be an async function`);
    // Bound, so a script written as a method of the options object keeps its `this`.
    scripts[script] = fn.bind(options);
  }
  if (scripts.login === undefined) throw new TypeError(`${where}: login(usernameOrEmail, password) is required`);
  if (options.import && scripts.getUser === undefined) {
    throw new TypeError(`${where}: import: true needs getUser(email) too (password reset of users not migrated yet)`);
  }
  return { name, displayName, import: options.import, timeoutMs, scripts: scripts as unknown as CustomDatabaseScripts };
}
