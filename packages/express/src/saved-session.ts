import type { Request } from 'express';
import type session from 'express-session';

/**
 * A login saves its new session twice: Passport saves it right after regenerating the id, and
 * express-session saves it again when the response ends, because the id it started the request
 * with changed (it cannot tell that Passport's save already wrote this very state). The second
 * write is the same row again (but for the cookie's expiry, which express-session moves to "now +
 * maxAge" once more, milliseconds later), and at login time every write waits behind the others.
 * The stores remember, on the request, what they last wrote for it, and skip a write of the same
 * session to the same id whose expiry moved by less than a minute; any other change in between (a
 * flag set after the login, say) is written as before.
 */
const LAST_SAVED = Symbol('gatehouse.lastSavedSession');
const EXPIRY_SLACK_MS = 60_000;

interface Saved {
  sid: string;
  /** The JSON without the cookie's expiry. */
  rest: string;
  expires: number | null;
}

type Marked = Request & { [LAST_SAVED]?: Saved };

function summary(sid: string, sess: session.SessionData, json: string): Saved {
  const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : null;
  // The cookie is serialized first, so the first occurrence of its exact expiry is the cookie's.
  const rest = expires ? json.replace(`"expires":${JSON.stringify(expires)}`, '') : json;
  return { sid, rest, expires: expires?.getTime() ?? null };
}

/** express-session's Session keeps its request as a non-enumerable `req`. */
function requestOf(sess: session.SessionData): Marked | undefined {
  return (sess as { req?: Marked }).req;
}

/** True when this same request already saved this session (`json`) under `sid`, but for a slightly older expiry. */
export function savedAlready(sid: string, sess: session.SessionData, json: string): boolean {
  const last = requestOf(sess)?.[LAST_SAVED];
  if (last === undefined || last.sid !== sid) return false;
  const now = summary(sid, sess, json);
  if (now.rest !== last.rest) return false;
  if (now.expires === null || last.expires === null) return now.expires === last.expires;
  return Math.abs(now.expires - last.expires) < EXPIRY_SLACK_MS;
}

/** Records a successful save of `json` under `sid` on the session's request. */
export function markSaved(sid: string, sess: session.SessionData, json: string): void {
  const req = requestOf(sess);
  if (req) req[LAST_SAVED] = summary(sid, sess, json);
}
