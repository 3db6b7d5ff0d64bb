import { randomBytes } from 'node:crypto';
import { ADMIN_ROLE, isGatehouseError, type User } from '@gatehouse/core';
import type { GatehouseContext } from './context.js';

/** A set-password link is good for a day: long enough to finish setting up, short enough to go stale. */
const SETUP_LINK_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * On first start, when no user holds the admin role: creates the administrator (or promotes the
 * existing user with that email) and prints a one-time link to set its password. The link is
 * printed once; later starts print nothing, and "forgot password" works for the admin as for anyone.
 */
export async function bootstrapAdmin(gh: GatehouseContext, email: string): Promise<void> {
  const { storage, users, options } = gh;
  const role = await storage.ensureRole(ADMIN_ROLE);
  if ((await storage.countUsersWithRole(role.id)) > 0) return;

  let user: User | null = await storage.findUserByEmail(users.databaseConnection, email.trim().toLowerCase());
  if (!user) {
    try {
      // A random password nobody knows: the admin sets their own through the link.
      user = await users.createUser({ email, password: randomBytes(32).toString('base64url') }, { actor: 'bootstrap' });
    } catch (err) {
      // Another instance created it at the same moment.
      if (!isGatehouseError(err) || err.code !== 'user_exists') throw err;
      user = await storage.findUserByEmail(users.databaseConnection, email.trim().toLowerCase());
      if (!user) throw err;
    }
  }
  await storage.assignUserRoles(user.user_id, [role.id]);
  const token = await users.issueToken(user.user_id, 'reset_password', SETUP_LINK_TTL_MS, { email: user.email ?? '' });
  const origin = options.baseUrl ? options.baseUrl.origin : '';
  options.logger.info(
    `\n[gatehouse] Administrator ${user.email} created. Set its password (link valid 24 h, shown once):\n` +
      `  ${origin}${options.prefix}/password/reset?token=${token}\n`,
  );
}
