import { GatehouseError, type SessionRecord, type SessionStore, type SessionWithUser } from '@gatehouse/core';
import type { Request } from 'express';
import session from 'express-session';
import { markSaved, savedAlready } from './saved-session.js';
import { handOnStamp, withStamp } from './session-user.js';

type Callback = (err?: unknown) => void;

/**
 * express-session's Store over Gatehouse's session port. It records whose session each is, so a
 * password change or a block can end all of a user's sessions. When the store fails, the error
 * becomes `session_store_unavailable` (503): a protected route never answers 200 without a session.
 */
export class GatehouseSessionStore extends session.Store {
  constructor(private readonly port: SessionStore, private readonly defaultMaxAgeMs: number) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    // With the user's change stamp when the store can read it in the same query (the fast path).
    const read: Promise<SessionWithUser | { session: SessionRecord | null; user?: undefined } | null> = this.port.getSessionWithUser
      ? this.port.getSessionWithUser(sid, new Date())
      : this.port.getSession(sid, new Date()).then((record) => ({ session: record }));
    read.then(
      (found) => {
        let data: session.SessionData | null = null;
        try {
          data = found?.session ? (JSON.parse(found.session.data) as session.SessionData) : null;
        } catch {
          // A corrupt row is no session (the user signs in again), not a crash.
        }
        if (data && found && found.user !== undefined) {
          const user = found.user;
          withStamp(data, { rev: user?.updated_at.toISOString() ?? null, exists: user !== null, blocked: user?.blocked ?? false, fromUser: true, maxAgeMs: Infinity });
        }
        callback(null, data);
      },
      (err: unknown) => callback(unavailable(err)),
    );
  }

  override createSession(req: Request, data: session.SessionData): session.Session & session.SessionData {
    handOnStamp(req, data);
    return super.createSession(req, data);
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    const userId = (sess as { passport?: { user?: unknown } }).passport?.user;
    const data = JSON.stringify(sess);
    if (savedAlready(sid, sess, data)) return void callback?.();
    this.port
      .setSession(sid, {
        data,
        expires_at: this.expiry(sess),
        user_id: typeof userId === 'string' ? userId : null,
      })
      .then(
        () => {
          markSaved(sid, sess, data);
          callback?.();
        },
        (err: unknown) => callback?.(unavailable(err)),
      );
  }

  /**
   * Not a write: express-session touches every unchanged session on every request, one more round
   * trip each. Cookies are not rolling (they are re-sent only when the session is saved), so the
   * browser's cookie expires at the last save plus maxAge; the row keeps that same expiry, set by
   * that save, and extending it further would outlive the cookie.
   */
  override touch(_sid: string, _sess: session.SessionData, callback?: Callback): void {
    callback?.();
  }

  override destroy(sid: string, callback?: Callback): void {
    this.port.destroySession(sid).then(() => callback?.(), (err: unknown) => callback?.(unavailable(err)));
  }

  private expiry(sess: session.SessionData): Date {
    const expires = sess.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + this.defaultMaxAgeMs);
  }
}

function unavailable(err: unknown): GatehouseError {
  return new GatehouseError('session_store_unavailable', { cause: err });
}
