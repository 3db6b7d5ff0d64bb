import type { Application, Storage, User } from '@gatehouse/core';

/**
 * May this user sign in to this application? Its access rule: everyone (`all_users`), holders of
 * one of `access_roles` (`roles`), or the users on its allow-list (`allow_list`). A blocked user
 * never may. Checked at sign-in and again whenever the provider loads the account (refresh,
 * userinfo), so taking access away takes effect without waiting for tokens to expire.
 */
export async function hasApplicationAccess(storage: Storage, user: User, app: Application): Promise<boolean> {
  if (user.blocked) return false;
  switch (app.access_policy) {
    case 'all_users':
      return true;
    case 'roles': {
      const roles = await storage.getUserRoles(user.user_id);
      return roles.some((role) => app.access_roles.includes(role.id));
    }
    case 'allow_list':
      return (await storage.listUserApplications(user.user_id)).includes(app.client_id);
  }
}
