/** A number of events allowed in a fixed window that starts with the first one. */
export interface RateLimit {
  points: number;
  durationSec: number;
}

/**
 * The brute-force and abuse limits of the login guard. Failures are counted in fixed windows; a
 * successful login resets the identifier's counters (failures are consecutive, as NIST and Auth0
 * count them).
 */
export interface LoginLimits {
  /**
   * Failed logins for one identifier from one IP before that IP is blocked for that identifier
   * (Auth0's brute-force protection: 1 to 100, default 10). The block is recorded (listed by
   * `/api/v2/user-blocks`), the user gets an unblock link, and it lasts `blockSec` unless lifted.
   * @default { points: 10, durationSec: 86400, blockSec: 2592000 } (30 days, as Auth0)
   */
  failuresPerIdentifierAndIp: RateLimit & { blockSec: number };
  /**
   * Failed logins for one identifier from all IPs together before its logins are throttled (429
   * until the window ends, a reset, or the unblock link): well before NIST's 100, so a
   * distributed guessing attack gets few tries, and never a lockout that outlives the window.
   * @default { points: 50, durationSec: 86400 }
   */
  failuresPerIdentifier: RateLimit;
  /** Failed logins from one IP across identifiers before that IP is throttled (suspicious IP throttling). @default { points: 100, durationSec: 86400 } */
  failuresPerIp: RateLimit;
  /** Signup attempts per IP. @default { points: 50, durationSec: 60 } (Auth0's) */
  signupsPerIp: RateLimit;
  /** Account emails (password reset, verification) per address or user. @default { points: 5, durationSec: 3600 } */
  emailsPerIdentifier: RateLimit;
  /** Account emails asked for from one IP. @default { points: 50, durationSec: 3600 } */
  emailsPerIp: RateLimit;
}

/** LoginLimits as options take them: any limit, and any field of it, may be left out. */
export type LoginLimitsInput = { [K in keyof LoginLimits]?: Partial<LoginLimits[K]> };

const DAY = 86_400;

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  failuresPerIdentifierAndIp: { points: 10, durationSec: DAY, blockSec: 30 * DAY },
  failuresPerIdentifier: { points: 50, durationSec: DAY },
  failuresPerIp: { points: 100, durationSec: DAY },
  signupsPerIp: { points: 50, durationSec: 60 },
  emailsPerIdentifier: { points: 5, durationSec: 3600 },
  emailsPerIp: { points: 50, durationSec: 3600 },
};

/**
 * The longest counting window: in-memory counters expire with a timer, and Node's timers cannot
 * wait longer than 2^31 - 1 ms (about 24.8 days).
 */
const MAX_WINDOW_SEC = Math.floor((2 ** 31 - 1) / 1000);

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/** Validates and fills the limits (one TypeError naming the field for a limit that cannot work). */
export function resolveLoginLimits(input: LoginLimitsInput = {}, name = 'rateLimits'): LoginLimits {
  if (input === null || typeof input !== 'object') throw new TypeError(`${name} must be an object`);
  const resolved = {} as Record<keyof LoginLimits, RateLimit & { blockSec?: number }>;
  for (const key of Object.keys(DEFAULT_LOGIN_LIMITS) as Array<keyof LoginLimits>) {
    const given = input[key] ?? {};
    if (given === null || typeof given !== 'object') throw new TypeError(`${name}.${key} must be an object`);
    const limit = { ...DEFAULT_LOGIN_LIMITS[key], ...given };
    // Auth0 allows 1 to 100 failures per identifier and IP; other counters only need to be sane.
    integer(`${name}.${key}.points`, limit.points, 1, key === 'failuresPerIdentifierAndIp' ? 100 : 1_000_000);
    integer(`${name}.${key}.durationSec`, limit.durationSec, 1, MAX_WINDOW_SEC);
    if ('blockSec' in limit) integer(`${name}.${key}.blockSec`, limit.blockSec, 1, 365 * DAY);
    resolved[key] = limit;
  }
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_LOGIN_LIMITS)) throw new TypeError(`${name}.${key} is not a known limit (${Object.keys(DEFAULT_LOGIN_LIMITS).join(', ')})`);
  }
  return resolved as LoginLimits;
}

/** A count of events in the current window of a counter. */
export interface AttemptCount {
  count: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  msBeforeReset: number;
}

/**
 * The counter port: events per key in fixed windows. The express package implements it over
 * rate-limiter-flexible (in memory, or Redis so every instance shares the counts).
 */
export interface AttemptCounter {
  /** Counts one event; resolves to the count in the window including it. */
  hit(key: string): Promise<AttemptCount>;
  /** The count in the current window without adding to it; null when nothing was counted. */
  peek(key: string): Promise<AttemptCount | null>;
  /** Forgets the key's count. */
  reset(key: string): Promise<void>;
  /** Takes one event back (an attempt counted up front that ended neither in failure nor success). */
  release(key: string): Promise<void>;
}

/** Makes the counter for one limit; `name` keeps the keys of different limits apart. */
export type AttemptCounterFactory = (name: string, limit: RateLimit) => AttemptCounter;
