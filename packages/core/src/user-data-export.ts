import { createHash } from 'node:crypto';
import type { ConsentRecord, LogEvent, Permission, Storage } from './ports.js';
import { userToJson, type Metadata, type UserJson } from './user.js';

/** A session as the export shows it: never its id (a bearer secret), only a short hash of it. */
export interface ExportedSession {
  /** The first 16 hex characters of SHA-256 of the session id. */
  id_hash: string;
  signed_in_at: string | null;
  ip: string | null;
  expires_at: string;
}

/** Everything Gatehouse stores about a user (GDPR art. 15 and 20), as JSON. */
export interface UserDataExport {
  exported_at: string;
  /** The profile with identities, user_metadata and app_metadata. */
  user: UserJson;
  /** Whether a password is set (its hash and history are never exported). */
  password_set: boolean;
  roles: Array<{ id: string; name: string; description: string }>;
  permissions: Permission[];
  consents: Array<Omit<ConsentRecord, 'date'> & { date: string }>;
  sessions: ExportedSession[];
  logs: Array<Omit<LogEvent, 'date'> & { date: string }>;
}

const LOG_PAGE = 100;

/** The signed-in time and IP a session recorded at login (nothing else of the session data: it holds secrets such as the CSRF key). */
function sessionFacts(data: string): { signedInAt: number | null; ip: string | null } {
  try {
    const parsed = JSON.parse(data) as { authTime?: unknown; loginIp?: unknown };
    return {
      signedInAt: typeof parsed.authTime === 'number' ? parsed.authTime : null,
      ip: typeof parsed.loginIp === 'string' ? parsed.loginIp : null,
    };
  } catch {
    return { signedInAt: null, ip: null };
  }
}

/**
 * Collects the user's data for `GET /me/export` and the management API's export: profile,
 * identities, metadata, roles and permissions, consents, live sessions (ids hashed and
 * truncated), and every log event about the user. Null when there is no such user.
 */
export async function exportUserData(storage: Storage, userId: string, now: Date): Promise<UserDataExport | null> {
  const user = await storage.getUser(userId);
  if (!user) return null;
  const [hash, roles, permissions, consents, sessions] = await Promise.all([
    storage.getPasswordHash(userId),
    storage.getUserRoles(userId),
    storage.getUserPermissions(userId),
    storage.listUserConsents(userId),
    storage.listUserSessions(userId, now),
  ]);
  const logs: LogEvent[] = [];
  for (let page = 0; ; page++) {
    const batch = await storage.listUserLogs(userId, page, LOG_PAGE);
    logs.push(...batch.logs);
    if (batch.logs.length < LOG_PAGE) break;
  }
  return {
    exported_at: now.toISOString(),
    user: userToJson(user),
    password_set: hash !== null,
    roles: roles.map((r) => ({ id: r.id, name: r.name, description: r.description })),
    permissions,
    consents: consents.map((c) => ({ ...c, date: c.date.toISOString() })),
    sessions: sessions.map((s) => {
      const facts = sessionFacts(s.data);
      return {
        id_hash: createHash('sha256').update(s.sid).digest('hex').slice(0, 16),
        signed_in_at: facts.signedInAt === null ? null : new Date(facts.signedInAt).toISOString(),
        ip: facts.ip,
        expires_at: s.expires_at.toISOString(),
      };
    }),
    logs: logs.map((l) => ({ ...l, details: l.details as Metadata, date: l.date.toISOString() })),
  };
}
