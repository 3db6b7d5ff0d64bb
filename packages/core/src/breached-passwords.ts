import { createHash } from 'node:crypto';
import { isCommonPassword } from './common-passwords.js';
import { GatehouseError } from './gatehouse-error.js';

/** Have I Been Pwned's k-anonymity range API. */
export interface HibpOptions {
  /** The range endpoint; the 5-character prefix is appended. @default 'https://api.pwnedpasswords.com/range/' */
  url?: string;
  /** @default 1500 */
  timeoutMs?: number;
  /** When the API fails or times out: false lets the password through (fail open), true refuses with 503 `breach_check_unavailable`. @default false */
  failClosed?: boolean;
  /** Seen at least this many times to count as breached. @default 1 */
  minOccurrences?: number;
}

/** Where breached passwords are looked up (identity()'s `breachedPasswords`). */
export interface BreachedPasswordsOptions {
  /** The shipped list of the most common leaked passwords, checked offline. @default true */
  offline?: boolean;
  /** Also ask Have I Been Pwned (only a 5-character SHA-1 prefix leaves the machine). @default false */
  hibp?: false | HibpOptions;
  /** Check at each password login too: a breached password blocks that login, flags the user and sends a reset link. @default true */
  checkAtLogin?: boolean;
}

export type BreachSource = 'offline' | 'hibp';

/** Looks passwords up in the configured breach sources. */
export interface BreachedPasswordChecker {
  readonly offline: boolean;
  readonly hibp: boolean;
  readonly checkAtLogin: boolean;
  /**
   * Resolves to where the password was found, or null. `sources` limits the lookup (e.g. only
   * 'hibp' when the offline list was already checked). A failing API fails open (null) or closed
   * (`breach_check_unavailable`), as configured.
   */
  check(password: string, sources?: readonly BreachSource[]): Promise<BreachSource | null>;
}

const HIBP_RANGE_URL = 'https://api.pwnedpasswords.com/range/';

/** Validates the options once (TypeError naming the option) and builds the checker. */
export function createBreachedPasswordChecker(options: BreachedPasswordsOptions = {}): BreachedPasswordChecker {
  if (options === null || typeof options !== 'object') throw new TypeError('breachedPasswords must be an object');
  const offline = options.offline ?? true;
  const checkAtLogin = options.checkAtLogin ?? true;
  for (const [name, value] of Object.entries({ offline, checkAtLogin })) {
    if (typeof value !== 'boolean') throw new TypeError(`breachedPasswords.${name} must be true or false`);
  }
  const hibp = options.hibp === undefined || options.hibp === false ? null : resolveHibp(options.hibp);
  return {
    offline,
    hibp: hibp !== null,
    checkAtLogin,
    async check(password, sources = ['offline', 'hibp']) {
      if (offline && sources.includes('offline') && isCommonPassword(password)) return 'offline';
      if (hibp && sources.includes('hibp') && (await hibpCount(hibp, password)) >= hibp.minOccurrences) return 'hibp';
      return null;
    },
  };
}

function resolveHibp(options: HibpOptions): Required<HibpOptions> {
  if (options === null || typeof options !== 'object') throw new TypeError('breachedPasswords.hibp must be an object or false');
  const resolved = {
    url: options.url ?? HIBP_RANGE_URL,
    timeoutMs: options.timeoutMs ?? 1500,
    failClosed: options.failClosed ?? false,
    minOccurrences: options.minOccurrences ?? 1,
  };
  let url: URL;
  try {
    url = new URL(resolved.url);
  } catch {
    throw new TypeError(`breachedPasswords.hibp.url must be an absolute http(s) URL, got ${String(resolved.url)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('breachedPasswords.hibp.url must be an http(s) URL');
  if (!Number.isInteger(resolved.timeoutMs) || resolved.timeoutMs < 1 || resolved.timeoutMs > 60_000) {
    throw new TypeError('breachedPasswords.hibp.timeoutMs must be an integer from 1 to 60000');
  }
  if (typeof resolved.failClosed !== 'boolean') throw new TypeError('breachedPasswords.hibp.failClosed must be true or false');
  if (!Number.isInteger(resolved.minOccurrences) || resolved.minOccurrences < 1) {
    throw new TypeError('breachedPasswords.hibp.minOccurrences must be a positive integer');
  }
  return resolved;
}

/**
 * How often the range API has seen the password. Only the first 5 hex characters of its SHA-1
 * leave the machine; `Add-Padding` makes every answer about the same size, so the answer's length
 * does not hint at the prefix either. Padding lines have a count of 0 and never match.
 */
async function hibpCount(options: Required<HibpOptions>, password: string): Promise<number> {
  // HIBP hashes the password as typed (UTF-8), not a normalized or lower-cased form.
  const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  const prefix = sha1.slice(0, 5);
  const suffix = sha1.slice(5);
  let text: string;
  try {
    const res = await fetch(`${options.url}${prefix}`, {
      headers: { 'Add-Padding': 'true', 'User-Agent': 'gatehouse' },
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    if (options.failClosed) throw new GatehouseError('breach_check_unavailable', { cause: err });
    return 0;
  }
  for (const line of text.split('\n')) {
    const [hashSuffix, count] = line.trim().split(':');
    if (hashSuffix?.toUpperCase() === suffix) return Number.parseInt(count ?? '0', 10) || 0;
  }
  return 0;
}
