import type { Storage } from '@gatehouse/core';
import type { GatehouseRedisSessionStore } from './redis-session-store.js';

/**
 * The storage identity() uses when sessions live in Redis: the database for everything else, with
 * the session port answered by Redis (so the user service's "end this user's sessions" on a
 * password change, block or deletion reaches the sessions that exist), and every change to a
 * user moving the user's change stamp in Redis (so sessions' copies of the user are read again;
 * see session-user.ts). Built on the storage as its prototype: whatever else the storage carries
 * (its Sequelize instance, optional methods) stays reachable.
 */
export function redisBackedStorage(storage: Storage, sessions: GatehouseRedisSessionStore): Storage {
  const changed = (userId: string) => sessions.userChanged(userId);
  const overlay: Partial<Storage> = {
    getSession: (sid, now) => sessions.getSession(sid, now),
    setSession: (sid, record) => sessions.setSession(sid, record),
    touchSession: (sid, expiresAt) => sessions.touchSession(sid, expiresAt),
    destroySession: (sid) => sessions.destroySession(sid),
    destroyUserSessions: (userId, exceptSid) => sessions.destroyUserSessions(userId, exceptSid),
    sweepSessions: () => sessions.sweepSessions(),
    listUserSessions: (userId) => sessions.listUserSessions(userId),
    // The database store's one-query read does not apply: the sessions are not in the database.
    getSessionWithUser: undefined,

    async modifyUser(userId, change) {
      const user = await storage.modifyUser(userId, change);
      if (user) await changed(userId);
      return user;
    },
    async recordLogin(userId, at, ip) {
      const found = await storage.recordLogin(userId, at, ip);
      if (found) await changed(userId);
      return found;
    },
    async deleteUser(userId, options) {
      const deleted = await storage.deleteUser(userId, options);
      if (deleted) await Promise.all([sessions.destroyUserSessions(userId), changed(userId)]);
      return deleted;
    },
    async linkUser(primaryUserId, secondaryUserId, options) {
      const primary = await storage.linkUser(primaryUserId, secondaryUserId, options);
      // The secondary is deleted with its sessions, as deleteUser.
      await Promise.all([changed(primaryUserId), sessions.destroyUserSessions(secondaryUserId), changed(secondaryUserId)]);
      return primary;
    },
    async unlinkIdentity(userId, provider, providerUserId, options) {
      const result = await storage.unlinkIdentity(userId, provider, providerUserId, options);
      await changed(userId);
      return result;
    },
    async attachIdentity(userId, identity, options) {
      const user = await storage.attachIdentity(userId, identity, options);
      // revokeCredentials ends every session of the user in the database's transaction; here too.
      if (options?.revokeCredentials) await sessions.destroyUserSessions(userId);
      await changed(userId);
      return user;
    },
  };
  return Object.assign(Object.create(storage) as Storage, overlay);
}
