import { userToJson, type User, type UserJson } from '@gatehouse/core';
import type { Request } from 'express';
import type { SessionData } from 'express-session';

/**
 * The session fast path. A signed-in request needs the user; reading it costs queries (the user,
 * its identities). So the session keeps a copy of the user (`req.session.user`), and the session
 * store, in the same round trip that loads the session, reports the user's current change stamp:
 * while the stamp matches the copy's, the copy is the user and no query runs. A change to the user
 * (profile, metadata, block, login) moves the stamp; the next request reads the user again and
 * refreshes the copy. Revocation does not wait for any of this: a block, a password change or a
 * deletion ends the user's sessions in the store, so the next request has no session at all.
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

/** The copy of the user a session keeps. */
export interface SessionUser {
  rev: string;
  /** When the copy was read (ms since epoch). */
  at: number;
  user: UserJson;
}

declare module 'express-session' {
  interface SessionData {
    /** The session fast path's copy of the signed-in user (see session-user.ts). */
    userCopy?: SessionUser;
  }
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

/**
 * passport's deserializeUser for the session's user id: the session's copy when its stamp still
 * matches, else one read of the user (whose copy then goes into the session, saved with it).
 * Resolves to false for a user that is gone or blocked.
 */
export async function sessionUser(req: Request, id: string, read: (id: string) => Promise<User | null>, now = Date.now()): Promise<User | false> {
  const stamp = (req as { [USER_STAMP]?: UserStamp })[USER_STAMP];
  const copy = req.session?.userCopy;
  if (stamp && (!stamp.exists || stamp.blocked)) return false;
  if (stamp?.rev && copy && copy.user.user_id === id && copy.rev === stamp.rev && now - copy.at < stamp.maxAgeMs) {
    return fromJson(copy.user);
  }
  const user = await read(id);
  if (!user || user.blocked) return false;
  const rev = stamp?.fromUser ? user.updated_at.toISOString() : stamp?.rev;
  if (rev && req.session) req.session.userCopy = { rev, at: now, user: userToJson(user) };
  return user;
}
