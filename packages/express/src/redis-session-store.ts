import type { SessionRecord, SessionStore } from '@gatehouse/core';
import { RedisStore } from 'connect-redis';
import type { Request } from 'express';
import type session from 'express-session';
import { randomBytes } from 'node:crypto';
import { command, redisUnavailable, runScript, type GatehouseRedis } from './redis-connection.js';
import { markSaved, savedAlready } from './saved-session.js';
import { handOnStamp, withStamp } from './session-user.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- connect-redis types its callbacks loosely
type Callback = (err?: unknown, data?: any) => void;

/**
 * How long a user copy read under a Redis stamp is trusted. The stamp moves with every change made
 * through an identity() on this Redis (see redisBackedStorage); a change written to the database
 * by something else (a script, another tool) is seen after at most this long.
 */
const COPY_MAX_AGE_MS = 60_000;

// A session's owner is `passport.user` in its JSON: Lua's cjson reads it inside Redis, so one
// round trip can answer "this session, and its user's stamp".
const OWNER = `
local function owner(data)
  local ok, sess = pcall(cjson.decode, data)
  if ok and type(sess) == 'table' and type(sess.passport) == 'table' and type(sess.passport.user) == 'string' then
    return sess.passport.user
  end
  return nil
end
`;

/** KEYS[1] session; ARGV: rev key prefix, a fresh stamp, its ttl (s). Returns nil, {data} or {data, rev}. */
const GET = `${OWNER}
local data = redis.call('GET', KEYS[1])
if not data then return nil end
local uid = owner(data)
if not uid then return {data} end
local key = ARGV[1] .. uid
local rev = redis.call('GET', key)
if not rev then
  rev = ARGV[2]
  redis.call('SET', key, rev, 'EX', ARGV[3])
end
return {data, rev}
`;

/**
 * KEYS[1] session, KEYS[2] its user's set of session ids (or ''); ARGV: data, ttl (s), sid,
 * session key prefix. A session joining a set prunes the ids of sessions gone meanwhile, and the
 * set lives as long as its longest session.
 */
const SET = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if KEYS[2] == '' then return 1 end
if redis.call('SADD', KEYS[2], ARGV[3]) == 1 then
  for _, sid in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if redis.call('EXISTS', ARGV[4] .. sid) == 0 then redis.call('SREM', KEYS[2], sid) end
  end
end
if redis.call('TTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return 1
`;

/** KEYS[1] the user's set; ARGV: session key prefix, user id, sid to keep (or ''). Deletes the sessions still owned by the user. */
const DESTROY_USER = `${OWNER}
local n = 0
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if sid ~= ARGV[3] then
    local data = redis.call('GET', ARGV[1] .. sid)
    if data and owner(data) == ARGV[2] then
      redis.call('DEL', ARGV[1] .. sid)
      n = n + 1
    end
    redis.call('SREM', KEYS[1], sid)
  end
end
return n
`;

/** KEYS[1] the user's set; ARGV: session key prefix, user id. Returns {sid, data, pttl, ...} of the user's live sessions. */
const LIST_USER = `${OWNER}
local out = {}
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local data = redis.call('GET', ARGV[1] .. sid)
  if data and owner(data) == ARGV[2] then
    table.insert(out, sid)
    table.insert(out, data)
    table.insert(out, tostring(redis.call('PTTL', ARGV[1] .. sid)))
  end
end
return out
`;

function ownerOf(sess: unknown): string | null {
  const user = (sess as { passport?: { user?: unknown } } | null)?.passport?.user;
  return typeof user === 'string' ? user : null;
}

/**
 * Sessions in Redis, through connect-redis 9, so every instance of the app sees the same ones.
 * On top of connect-redis: each user's session ids are kept in a set, so a password change, a
 * block or a deletion can end all of a user's sessions (connect-redis alone can only find them by
 * scanning every key); loading a session also reads its user's change stamp in the same round
 * trip (the session fast path); and failures answer 503 `session_store_unavailable`.
 *
 * It also serves the core SessionStore port, so the user service's "end this user's sessions"
 * reaches Redis (see redisBackedStorage).
 */
export class GatehouseRedisSessionStore extends RedisStore implements SessionStore {
  private readonly ttlSec: number;

  constructor(private readonly redis: GatehouseRedis, private readonly defaultMaxAgeMs: number) {
    // Not touched: cookies are not rolling, so a session's key expires with its cookie (see GatehouseSessionStore.touch).
    super({ client: redis.client, prefix: `${redis.prefix}sess:`, disableTouch: true, ttl: Math.ceil(defaultMaxAgeMs / 1000) });
    this.ttlSec = Math.ceil(defaultMaxAgeMs / 1000);
  }

  private userSetKey(userId: string): string {
    return `${this.redis.prefix}user-sessions:${userId}`;
  }

  private revKey(userId: string): string {
    return `${this.redis.prefix}user-rev:${userId}`;
  }

  private ttlOf(sess: session.SessionData): number {
    const expires = sess.cookie?.expires;
    return expires ? Math.ceil((new Date(expires).getTime() - Date.now()) / 1000) : this.ttlSec;
  }

  override async get(sid: string, cb?: Callback): Promise<unknown> {
    try {
      const reply = await runScript<[string, string?] | null>(this.redis, GET, [this.prefix + sid], [
        `${this.redis.prefix}user-rev:`,
        randomBytes(12).toString('base64url'),
        String(this.ttlSec),
      ]);
      let data: session.SessionData | null = null;
      try {
        data = reply ? (JSON.parse(reply[0]) as session.SessionData) : null;
      } catch {
        // A corrupt entry is no session (the user signs in again), not a crash.
      }
      if (data && reply?.[1]) withStamp(data, { rev: reply[1], exists: true, blocked: false, fromUser: false, maxAgeMs: COPY_MAX_AGE_MS });
      cb?.(null, data);
      return data;
    } catch (err) {
      cb?.(redisUnavailable(err));
      return null;
    }
  }

  override createSession(req: Request, data: session.SessionData): session.Session & session.SessionData {
    handOnStamp(req, data);
    return super.createSession(req, data);
  }

  override async set(sid: string, sess: session.SessionData, cb?: Callback): Promise<unknown> {
    try {
      const ttl = this.ttlOf(sess);
      if (ttl <= 0) return await this.destroy(sid, cb);
      const owner = ownerOf(sess);
      const data = JSON.stringify(sess);
      if (savedAlready(sid, sess, data)) return cb?.();
      await runScript(this.redis, SET, [this.prefix + sid, owner ? this.userSetKey(owner) : ''], [data, String(ttl), sid, this.prefix]);
      markSaved(sid, sess, data);
      cb?.();
    } catch (err) {
      cb?.(redisUnavailable(err));
    }
    return undefined;
  }

  override async destroy(sid: string, cb?: Callback): Promise<unknown> {
    try {
      await command(this.redis, ['DEL', this.prefix + sid]);
      cb?.();
    } catch (err) {
      cb?.(redisUnavailable(err));
    }
    return undefined;
  }

  /** Moves the user's change stamp: every session's copy of the user is read again at its next request. */
  async userChanged(userId: string): Promise<void> {
    try {
      await command(this.redis, ['SET', this.revKey(userId), randomBytes(12).toString('base64url'), 'EX', String(this.ttlSec)]);
    } catch (err) {
      throw redisUnavailable(err);
    }
  }

  // The core SessionStore port, over the same keys.

  async getSession(sid: string, now: Date): Promise<SessionRecord | null> {
    try {
      const [data, pttl] = await Promise.all([command<string | null>(this.redis, ['GET', this.prefix + sid]), command<number>(this.redis, ['PTTL', this.prefix + sid])]);
      if (data === null) return null;
      const expires_at = new Date(pttl > 0 ? Date.now() + pttl : now.getTime() + this.defaultMaxAgeMs);
      return { data, expires_at, user_id: ownerOf(safeParse(data)) };
    } catch (err) {
      throw redisUnavailable(err);
    }
  }

  async setSession(sid: string, record: SessionRecord): Promise<void> {
    const ttl = Math.ceil((record.expires_at.getTime() - Date.now()) / 1000);
    try {
      if (ttl <= 0) await command(this.redis, ['DEL', this.prefix + sid]);
      else await runScript(this.redis, SET, [this.prefix + sid, record.user_id ? this.userSetKey(record.user_id) : ''], [record.data, String(ttl), sid, this.prefix]);
    } catch (err) {
      throw redisUnavailable(err);
    }
  }

  async touchSession(sid: string, expiresAt: Date): Promise<void> {
    try {
      await command(this.redis, ['PEXPIREAT', this.prefix + sid, String(expiresAt.getTime())]);
    } catch (err) {
      throw redisUnavailable(err);
    }
  }

  async destroySession(sid: string): Promise<void> {
    await new Promise<void>((resolve, reject) => void this.destroy(sid, (err) => (err ? reject(err) : resolve())));
  }

  async destroyUserSessions(userId: string, exceptSid?: string): Promise<number> {
    try {
      return await runScript<number>(this.redis, DESTROY_USER, [this.userSetKey(userId)], [this.prefix, userId, exceptSid ?? '']);
    } catch (err) {
      throw redisUnavailable(err);
    }
  }

  /** Redis expires sessions itself. */
  async sweepSessions(): Promise<number> {
    return 0;
  }

  async listUserSessions(userId: string): Promise<Array<SessionRecord & { sid: string }>> {
    let flat: string[];
    try {
      flat = await runScript<string[]>(this.redis, LIST_USER, [this.userSetKey(userId)], [this.prefix, userId]);
    } catch (err) {
      throw redisUnavailable(err);
    }
    const out: Array<SessionRecord & { sid: string }> = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const pttl = Number(flat[i + 2]);
      out.push({ sid: flat[i]!, data: flat[i + 1]!, user_id: userId, expires_at: new Date(Date.now() + (pttl > 0 ? pttl : this.defaultMaxAgeMs)) });
    }
    return out.sort((a, b) => a.expires_at.getTime() - b.expires_at.getTime());
  }
}

function safeParse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}
