import { userToJson, type User, type UserJson } from '@gatehouse/core';
import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { LRUCache } from 'lru-cache';

/**
 * The session fast path. A signed-in request needs the user; reading it costs queries (the user,
 * its identities). So the process keeps copies of recently seen users (a bounded LRU, by user id),
 * and the session store, in the same round trip that loads the session, reports the user's current
 * change stamp: while the stamp matches the copy's, the copy is the user and no query runs. A
 * change to the user (profile, metadata, block, login) moves the stamp; the next request reads the
 * user again and refreshes the copy. Revocation does not wait for any of this: a block, a password
 * change or a deletion ends the user's sessions in the store, and a blocked stamp refuses at once.
 *
 * The copies live in the process, not in the session: a session carrying the whole user made
 * every request parse it, and express-session serialize and hash it twice to see whether it
 * changed. Several instances each keep their own copies, all checked against the shared stamp.
 */

/** Where a store leaves the change stamp on the session data it loads (a symbol: never saved, never hashed). */
export const USER_STAMP: unique symbol = Symbol('gatehouse.userStamp');

/** The session user's change stamp, as the store read it with the session. */
export interface UserStamp {
  /** Equal stamps mean an unchanged user; null: unknown (always read the user). */
  rev: string | null;
  /** False when the store saw that the user no longer exists. */
  exists: boolean;
  blocked: boolean;
  /**
   * True when the stamp is the user's own updated_at (the database store reads it with the
   * session), so a fresh copy takes its stamp from the user it copies. False for an independent
   * stamp (Redis), which must be the one read before the user was.
   */
  fromUser: boolean;
  /** How long a copy may be trusted without a read (for stamps that changes made elsewhere may not move); Infinity: as long as the stamp matches. */
  maxAgeMs: number;
}

/** A copy of a user, as the process keeps it. */
interface UserCopy {
  rev: string;
  /** When the copy was read (ms since epoch). */
  at: number;
  /** The user as JSON text: each request parses its own, so no request's changes leak into another's. */
  json: string;
}

type Stamped = SessionData & { [USER_STAMP]?: UserStamp };

/** Puts the stamp on loaded session data, for createSession to hand on to the request. */
export function withStamp(data: SessionData, stamp: UserStamp): SessionData {
  (data as Stamped)[USER_STAMP] = stamp;
  return data;
}

/** Moves the stamp from loaded session data to the request (called from the store's createSession). */
export function handOnStamp(req: Request, data: SessionData): void {
  const stamp = (data as Stamped)[USER_STAMP];
  (req as { [USER_STAMP]?: UserStamp })[USER_STAMP] = stamp;
}

function fromJson(json: UserJson): User {
  return {
    ...json,
    created_at: new Date(json.created_at),
    updated_at: new Date(json.updated_at),
    last_login: json.last_login === null ? null : new Date(json.last_login),
  };
}

/** How many users' copies a process keeps (a few kB each); the least recently used go first. */
const MAX_COPIES = 10_000;

/** The copies of users this identity() keeps for its sessions' requests. */
export class SessionUsers {
  private readonly copies = new LRUCache<string, UserCopy>({ max: MAX_COPIES });

  /**
   * passport's deserializeUser for the session's user id: the copy when its stamp still matches,
   * else one read of the user (which becomes the copy). Resolves to false for a user that is gone
   * or blocked.
   */
  async user(req: Request, id: string, read: (id: string) => Promise<User | null>, now = Date.now()): Promise<User | false> {
    const stamp = (req as { [USER_STAMP]?: UserStamp })[USER_STAMP];
    if (stamp && (!stamp.exists || stamp.blocked)) {
      this.copies.delete(id);
      return false;
    }
    const copy = this.copies.get(id);
    if (stamp?.rev && copy && copy.rev === stamp.rev && now - copy.at < stamp.maxAgeMs) {
      return fromJson(JSON.parse(copy.json) as UserJson);
    }
    const user = await read(id);
    if (!user || user.blocked) {
      this.copies.delete(id);
      return false;
    }
    const rev = stamp?.fromUser ? user.updated_at.toISOString() : stamp?.rev;
    if (rev) this.copies.set(id, { rev, at: now, json: JSON.stringify(userToJson(user)) });
    return user;
  }
}
