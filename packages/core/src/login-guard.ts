import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';
import { GatehouseError } from './gatehouse-error.js';
import { encodeLogDetails, encodeLogText } from './log-encoding.js';
import { LOG_TYPES } from './log-types.js';
import { resolveLoginLimits, type AttemptCount, type AttemptCounter, type AttemptCounterFactory, type LoginLimits, type LoginLimitsInput } from './login-limits.js';
import { hashOneTimeToken, newOneTimeToken } from './one-time-token.js';
import type { LoginBlock, LoginBlockFilter, Storage } from './ports.js';
import type { Metadata, User } from './user.js';

export interface LoginGuardOptions {
  storage: Storage;
  /** Makes the counters (rate-limiter-flexible in memory or on Redis, in the express package). */
  counters: AttemptCounterFactory;
  limits?: LoginLimitsInput;
  /** @default the system clock */
  clock?: Clock;
  /** Failures on this connection name database users, looked up by email or username when a block is made. @default 'Username-Password-Authentication' */
  databaseConnection?: string;
}

/** One login attempt as the guard sees it. */
export interface LoginAttempt {
  /** The email or username as typed (normalized by the guard). */
  identifier: unknown;
  /** The client IP, as the trusted-proxy setting resolves it. */
  ip: string;
  /** @default the database connection */
  connection?: string;
}

/** The longest life of an unblock link: a block may last 30 days, a link in a mailbox should not. */
const MAX_UNBLOCK_LINK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How an identifier is counted: trimmed and lower-cased, as logins look users up, so `A@x.com `
 * and `a@x.com` share one count. Anything but a string counts as ''.
 */
export function normalizeIdentifier(value: unknown): string {
  // Control characters never belong to a real identifier, and a NUL would end the value early in
  // some drivers: they are replaced, so such attempts are still counted, under a key of their own.
  return typeof value === 'string' ? value.trim().toLowerCase().replace(/[\u0000-\u001f\u007f]/gu, '\ufffd').slice(0, 254) : '';
}

function retryAfter(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Brute-force protection and abuse limits, framework-neutral (the policy: which keys, which
 * limits, what a block means). A login path calls `check` before verifying a password, then
 * `recordFailure` or `recordSuccess`; credential connections (LDAP, custom database) do the same.
 *
 * - identifier + IP: the limit (10) blocks that IP for that identifier: a recorded block, listed
 *   by the management API, lifted by the unblock link, a password reset, an admin, or expiry.
 * - identifier (all IPs): throttled (429) for the rest of the window, well before NIST's 100.
 * - IP (all identifiers): suspicious-IP throttling.
 * - signups per IP, account emails per address and per IP.
 *
 * Unknown identifiers are counted exactly like known ones, so answers never tell which exist.
 */
export class LoginGuard {
  readonly limits: LoginLimits;
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly databaseConnection: string;
  private readonly pairs: AttemptCounter;
  private readonly identifiers: AttemptCounter;
  private readonly ips: AttemptCounter;
  private readonly signups: AttemptCounter;
  private readonly emailsTo: AttemptCounter;
  private readonly emailsFrom: AttemptCounter;

  constructor(options: LoginGuardOptions) {
    if (!options?.storage) throw new TypeError('LoginGuard needs a storage (options.storage)');
    if (typeof options.counters !== 'function') throw new TypeError('LoginGuard needs a counter factory (options.counters)');
    this.storage = options.storage;
    this.limits = resolveLoginLimits(options.limits);
    this.clock = options.clock ?? systemClock;
    this.databaseConnection = options.databaseConnection ?? 'Username-Password-Authentication';
    const make = options.counters;
    this.pairs = make('login-failures-identifier-ip', this.limits.failuresPerIdentifierAndIp);
    this.identifiers = make('login-failures-identifier', this.limits.failuresPerIdentifier);
    this.ips = make('login-failures-ip', this.limits.failuresPerIp);
    this.signups = make('signups-ip', this.limits.signupsPerIp);
    this.emailsTo = make('emails-identifier', this.limits.emailsPerIdentifier);
    this.emailsFrom = make('emails-ip', this.limits.emailsPerIp);
  }

  /**
   * Before any password is checked: `too_many_attempts` when the pair is blocked,
   * `too_many_requests` when the identifier or the IP is throttled; both carry retryAfterSec.
   */
  async check(attempt: LoginAttempt): Promise<void> {
    const identifier = normalizeIdentifier(attempt.identifier);
    const [ip, id] = await Promise.all([this.ips.peek(attempt.ip), identifier === '' ? null : this.identifiers.peek(identifier)]);
    const throttled = [[ip, this.limits.failuresPerIp], [id, this.limits.failuresPerIdentifier]] as const;
    const over = throttled.find(([count, limit]) => count && count.count >= limit.points)?.[0];
    const throttle = over ? new GatehouseError('too_many_requests', { retryAfterSec: retryAfter(over.msBeforeReset) }) : null;
    if (identifier === '') {
      if (throttle) throw throttle;
      return;
    }
    // The attempt is counted for the pair before its password is checked, so that many attempts
    // sent at once cannot all get past the limit while none has failed yet. A success resets the
    // count; an attempt that ends otherwise (an outage) is taken back by abandon().
    // The block is looked for after the count: block() writes the block before it resets the
    // count, so an attempt counted after that reset always sees the block.
    const key = this.pairKey(identifier, attempt.ip);
    const pair = await this.pairs.hit(key);
    let block: LoginBlock | null;
    try {
      block = await this.storage.findLoginBlock(identifier, attempt.ip, this.clock());
    } catch (err) {
      await this.pairs.release(key);
      throw err;
    }
    const error = block
      ? new GatehouseError('too_many_attempts', { retryAfterSec: retryAfter(block.expires_at.getTime() - this.clock().getTime()) })
      : (throttle ??
        (pair.count > this.limits.failuresPerIdentifierAndIp.points
          ? new GatehouseError('too_many_attempts', { retryAfterSec: retryAfter(pair.msBeforeReset) })
          : null));
    if (error) {
      await this.pairs.release(key);
      throw error;
    }
  }

  /** An attempt that passed check() but ended in neither a failure nor a success (a 5xx, a missing field): it no longer counts. */
  async abandon(attempt: LoginAttempt): Promise<void> {
    const identifier = normalizeIdentifier(attempt.identifier);
    if (identifier !== '') await this.pairs.release(this.pairKey(identifier, attempt.ip));
  }

  /**
   * Counts a failed login. When it brings the pair to its limit, records the block and resolves
   * to it (the caller then mails the user an unblock link); otherwise null. `userId` names the
   * user for connections whose users the guard cannot look up; for the database connection the
   * guard finds the user by email or username itself.
   */
  async recordFailure(attempt: LoginAttempt, userId?: string | null): Promise<LoginBlock | null> {
    const identifier = normalizeIdentifier(attempt.identifier);
    const none: AttemptCount = { count: 0, msBeforeReset: 0 };
    const [pair, , ip] = await Promise.all([
      // Counted by check() already; a failure only has to see where the count stands.
      identifier === '' ? none : this.pairs.peek(this.pairKey(identifier, attempt.ip)).then((c) => c ?? none),
      identifier === '' ? none : this.identifiers.hit(identifier),
      this.ips.hit(attempt.ip),
    ]);
    if (ip.count === this.limits.failuresPerIp.points) {
      await this.log(LOG_TYPES.blockedIpAddress, 'Too many failed logins from this IP', null, attempt.ip, { identifier });
    }
    if (identifier === '' || pair.count < this.limits.failuresPerIdentifierAndIp.points) return null;
    return this.block(identifier, attempt, userId);
  }

  private async block(identifier: string, attempt: LoginAttempt, userId: string | null | undefined): Promise<LoginBlock | null> {
    const connection = attempt.connection ?? this.databaseConnection;
    const now = this.clock();
    const user = userId !== undefined ? null : connection === this.databaseConnection ? await this.findDatabaseUser(identifier) : null;
    const block: LoginBlock = {
      id: `blk_${randomBytes(12).toString('hex')}`,
      identifier,
      ip: attempt.ip,
      connection,
      user_id: userId ?? user?.user_id ?? null,
      created_at: now,
      expires_at: new Date(now.getTime() + this.limits.failuresPerIdentifierAndIp.blockSec * 1000),
    };
    // The block first, then the count starts again (so after the block ends the pair has its full
    // allowance back): an attempt counted after the reset finds the block (see check()).
    const created = await this.storage.createLoginBlock(block);
    await this.pairs.reset(this.pairKey(identifier, attempt.ip));
    if (!created) return null;
    await this.log(LOG_TYPES.blockedAccount, 'Too many failed logins from this IP for this user', block.user_id, attempt.ip, { identifier, connection });
    return block;
  }

  /** A successful login ends the run of failures: the identifier's counters start again. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    const identifier = normalizeIdentifier(attempt.identifier);
    if (identifier === '') return;
    await Promise.all([this.pairs.reset(this.pairKey(identifier, attempt.ip)), this.identifiers.reset(identifier)]);
  }

  /** Counts a signup attempt from the IP; `too_many_requests` past the limit. */
  async countSignup(ip: string): Promise<void> {
    const count = await this.signups.hit(ip);
    if (count.count > this.limits.signupsPerIp.points) {
      throw new GatehouseError('too_many_requests', { retryAfterSec: retryAfter(count.msBeforeReset) });
    }
  }

  /**
   * Counts an account email asked for (reset, verification) to the identifier (an address or a
   * user id) from the IP; `too_many_requests` past either limit. Known and unknown addresses count
   * alike, so the 429 tells nothing about who has an account.
   */
  async countEmail(identifier: unknown, ip: string): Promise<void> {
    const key = normalizeIdentifier(identifier);
    const [to, from] = await Promise.all([key === '' ? null : this.emailsTo.hit(key), this.emailsFrom.hit(ip)]);
    for (const [count, limit] of [[to, this.limits.emailsPerIdentifier], [from, this.limits.emailsPerIp]] as const) {
      if (count && count.count > limit.points) throw new GatehouseError('too_many_requests', { retryAfterSec: retryAfter(count.msBeforeReset) });
    }
  }

  /** A one-time unblock link token for the block's user (only its hash is stored); null for an unknown identifier. */
  async issueUnblockToken(block: LoginBlock): Promise<string | null> {
    if (block.user_id === null) return null;
    const token = newOneTimeToken();
    const ttl = Math.min(this.limits.failuresPerIdentifierAndIp.blockSec * 1000, MAX_UNBLOCK_LINK_MS);
    await this.storage.createToken({
      hash: hashOneTimeToken(token),
      purpose: 'unblock_login',
      user_id: block.user_id,
      expires_at: new Date(this.clock().getTime() + ttl),
      data: { identifier: block.identifier },
    });
    return token;
  }

  /** Redeems an unblock link (once): lifts every block of its user. `invalid_token` otherwise. Resolves to the user_id. */
  async unblock(token: unknown, ip: string | null = null): Promise<string> {
    if (typeof token !== 'string' || token.length < 16 || token.length > 128) throw new GatehouseError('invalid_token');
    const record = await this.storage.consumeToken(hashOneTimeToken(token), 'unblock_login', this.clock());
    if (!record) throw new GatehouseError('invalid_token');
    const identifier = typeof record.data.identifier === 'string' ? record.data.identifier : undefined;
    await this.clearBlocks({ userId: record.user_id, identifier }, { ip, actor: 'unblock link' });
    return record.user_id;
  }

  /** The blocks in force for the identifier or user. */
  listBlocks(filter: LoginBlockFilter): Promise<LoginBlock[]> {
    return this.storage.listLoginBlocks(this.filterOf(filter), this.clock());
  }

  /**
   * Lifts the blocks of the identifier or user (an admin, the unblock link, a reset), and lets the
   * identifiers' throttles start again. Resolves to how many blocks were lifted.
   */
  async clearBlocks(filter: LoginBlockFilter, context: { ip?: string | null; actor?: string | null } = {}): Promise<number> {
    const f = this.filterOf(filter);
    if (f.identifier === undefined && f.userId === undefined) return 0;
    const blocks = await this.storage.listLoginBlocks(f, this.clock());
    const deleted = await this.storage.deleteLoginBlocks(f);
    const identifiers = new Set(blocks.map((b) => b.identifier));
    if (f.identifier !== undefined) identifiers.add(f.identifier);
    await Promise.all([...identifiers].map((id) => this.identifiers.reset(id)));
    if (blocks.length > 0) {
      const userId = f.userId ?? blocks.find((b) => b.user_id !== null)?.user_id ?? null;
      await this.log(LOG_TYPES.unblockedAccount, 'Login blocks lifted', userId, context.ip ?? null, {
        identifiers: [...identifiers],
        ...(context.actor ? { actor: context.actor } : {}),
      });
    }
    return deleted;
  }

  /** Lifts everything that stops the user signing in through brute-force protection (after a password reset). */
  clearUser(user: Pick<User, 'user_id' | 'email' | 'username'>, context: { ip?: string | null; actor?: string | null } = {}): Promise<number> {
    const identifiers = [user.email, user.username].filter((v): v is string => typeof v === 'string');
    return Promise.all(identifiers.map((id) => this.identifiers.reset(normalizeIdentifier(id)))).then(() =>
      this.clearBlocks({ userId: user.user_id, ...(user.email ? { identifier: normalizeIdentifier(user.email) } : {}) }, context),
    );
  }

  private filterOf(filter: LoginBlockFilter): LoginBlockFilter {
    const out: LoginBlockFilter = {};
    if (filter.identifier !== undefined && normalizeIdentifier(filter.identifier) !== '') out.identifier = normalizeIdentifier(filter.identifier);
    if (filter.userId !== undefined && filter.userId !== '') out.userId = filter.userId;
    return out;
  }

  private pairKey(identifier: string, ip: string): string {
    return JSON.stringify([identifier, ip]);
  }

  private findDatabaseUser(identifier: string): Promise<User | null> {
    return identifier.includes('@')
      ? this.storage.findUserByEmail(this.databaseConnection, identifier)
      : this.storage.findUserByUsername(this.databaseConnection, identifier);
  }

  private async log(type: string, description: string, userId: string | null, ip: string | null, details: Metadata): Promise<void> {
    // Identifiers are attacker-typed: encoded like every other log entry (see log-encoding.ts).
    await this.storage.appendLog({
      log_id: randomUUID(),
      date: this.clock(),
      type,
      description: encodeLogText(description),
      user_id: userId,
      ip,
      details: encodeLogDetails(details),
    });
  }
}
