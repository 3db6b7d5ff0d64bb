import { GatehouseError, type SessionStore } from '@gatehouse/core';
import session from 'express-session';

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
    this.port.getSession(sid, new Date()).then(
      (record) => {
        let data: session.SessionData | null = null;
        try {
          data = record ? (JSON.parse(record.data) as session.SessionData) : null;
        } catch {
          // A corrupt row is no session (the user signs in again), not a crash.
        }
        callback(null, data);
      },
      (err: unknown) => callback(unavailable(err)),
    );
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    const userId = (sess as { passport?: { user?: unknown } }).passport?.user;
    this.port
      .setSession(sid, {
        data: JSON.stringify(sess),
        expires_at: this.expiry(sess),
        user_id: typeof userId === 'string' ? userId : null,
      })
      .then(() => callback?.(), (err: unknown) => callback?.(unavailable(err)));
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    this.port.touchSession(sid, this.expiry(sess)).then(() => callback?.(), (err: unknown) => callback?.(unavailable(err)));
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
