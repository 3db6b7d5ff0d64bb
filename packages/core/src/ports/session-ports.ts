/* Server-side sessions. See ../ports.ts for the rules every port follows. */

/** A stored session: opaque JSON text, its expiry, and whose it is (so a user's sessions can be ended). */
export interface SessionRecord {
  data: string;
  expires_at: Date;
  user_id: string | null;
}

export interface SessionStore {
  /** The session, or null when absent or expired at `now`. */
  getSession(sid: string, now: Date): Promise<SessionRecord | null>;
  setSession(sid: string, record: SessionRecord): Promise<void>;
  touchSession(sid: string, expiresAt: Date): Promise<void>;
  destroySession(sid: string): Promise<void>;
  /** Ends every session of the user but `exceptSid`; resolves to how many. */
  destroyUserSessions(userId: string, exceptSid?: string): Promise<number>;
  /** Deletes sessions expired at `now`; resolves to how many. */
  sweepSessions(now: Date): Promise<number>;
  /** The user's sessions unexpired at `now` (for the data export), soonest expiry first. */
  listUserSessions(userId: string, now: Date): Promise<Array<SessionRecord & { sid: string }>>;
  /**
   * Optional: getSession, with the `updated_at` and `blocked` of the session's user read in the
   * same round trip (`user` null for an anonymous session or a user that no longer exists). A
   * request whose user did not change since the session last saw it then needs no user query.
   */
  getSessionWithUser?(sid: string, now: Date): Promise<SessionWithUser | null>;
}

/** What SessionStore.getSessionWithUser reads: the session and its user's change stamp. */
export interface SessionWithUser {
  session: SessionRecord;
  user: { updated_at: Date; blocked: boolean } | null;
}
