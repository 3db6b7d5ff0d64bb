import assert from 'node:assert/strict';
import type { Permission, Role } from '../../ports.js';
import { newUserRecord, rejectionCode, unique, type StorageRef } from './fixtures.js';

const api = 'https://api.example.com/';
const perm = (permission_name: string, resource_server_identifier = api): Permission => ({ resource_server_identifier, permission_name });
const sorted = (permissions: Permission[]): string[] =>
  permissions.map((p) => `${p.resource_server_identifier} ${p.permission_name}`).sort();

/** What the management API does with roles: CRUD, role permissions, members, direct user permissions. */
export function describeRoleManagement(storage: StorageRef): void {
  describe('role management and direct permissions', () => {
    const newRole = (tag = unique(), permissions: Permission[] = []): Role => ({
      id: `rol_${unique()}`,
      name: `role-${tag}`,
      description: `Role ${tag}`,
      permissions,
    });

    async function newUserId(): Promise<string> {
      const record = newUserRecord();
      await storage().createUser(record);
      return record.user_id;
    }

    it('creates, reads, renames and deletes a role', async () => {
      const role = newRole(unique(), [perm('read:users')]);
      assert.deepEqual(await storage().createRole(role), role);
      assert.deepEqual(await storage().getRole(role.id), role);
      const renamed = await storage().updateRole(role.id, { name: `${role.name}-renamed`, description: 'Changed é' });
      assert.deepEqual(renamed, { ...role, name: `${role.name}-renamed`, description: 'Changed é' });
      assert.deepEqual(await storage().updateRole(role.id, {}), renamed);
      assert.equal(await storage().deleteRole(role.id), true);
      assert.equal(await storage().getRole(role.id), null);
      assert.equal(await storage().deleteRole(role.id), false);
      assert.equal(await storage().updateRole(role.id, { name: 'x' }), null);
    });

    it('refuses a duplicate role name on create and rename with role_exists', async () => {
      const a = await storage().createRole(newRole());
      const b = await storage().createRole(newRole());
      assert.equal(await rejectionCode(storage().createRole({ ...newRole(), name: a.name })), 'role_exists');
      assert.equal(await rejectionCode(storage().updateRole(b.id, { name: a.name })), 'role_exists');
      assert.equal((await storage().getRole(b.id))?.name, b.name);
    });

    it('lists roles by name in pages, filtered case-insensitively by a part of the name', async () => {
      const tag = unique();
      const names = ['Charlie', 'alpha', 'Bravo'].map((n) => `${n}-${tag}`);
      for (const name of names) await storage().createRole({ ...newRole(), name });
      await storage().createRole(newRole());
      const filter = tag.toUpperCase();
      const page0 = await storage().listRoles({ nameFilter: filter, page: 0, perPage: 2 });
      assert.equal(page0.total, 3);
      // Code-unit order: upper case sorts before lower case, as a binary collation does.
      assert.deepEqual(page0.roles.map((r) => r.name), [`Bravo-${tag}`, `Charlie-${tag}`]);
      const page1 = await storage().listRoles({ nameFilter: filter, page: 1, perPage: 2 });
      assert.deepEqual(page1, { roles: [await storage().getRole(page1.roles[0]!.id)], total: 3 });
      assert.equal(page1.roles[0]!.name, `alpha-${tag}`);
      assert.deepEqual(await storage().listRoles({ nameFilter: filter, page: 2, perPage: 2 }), { roles: [], total: 3 });
      const all = await storage().listRoles({ page: 0, perPage: 1000 });
      assert.ok(all.total >= 4);
      assert.ok(names.every((n) => all.roles.some((r) => r.name === n)));
    });

    it('takes % and _ in a name filter literally', async () => {
      const tag = unique();
      await storage().createRole({ ...newRole(), name: `a%b_${tag}` });
      await storage().createRole({ ...newRole(), name: `axbx${tag}` });
      const found = await storage().listRoles({ nameFilter: `a%b_${tag}`, page: 0, perPage: 10 });
      assert.deepEqual(found.roles.map((r) => r.name), [`a%b_${tag}`]);
    });

    it('adds and removes role permissions idempotently', async () => {
      const role = await storage().createRole(newRole(unique(), [perm('read:users')]));
      await storage().addRolePermissions(role.id, [perm('read:users'), perm('read:logs'), perm('read:logs', 'urn:other')]);
      assert.deepEqual(sorted((await storage().getRole(role.id))!.permissions), [`${api} read:logs`, `${api} read:users`, 'urn:other read:logs']);
      await storage().removeRolePermissions(role.id, [perm('read:logs'), perm('never:granted')]);
      assert.deepEqual(sorted((await storage().getRole(role.id))!.permissions), [`${api} read:users`, 'urn:other read:logs']);
      assert.equal(await rejectionCode(storage().addRolePermissions(`rol_missing_${unique()}`, [perm('x')])), 'inexistent_role');
      assert.equal(await rejectionCode(storage().removeRolePermissions(`rol_missing_${unique()}`, [perm('x')])), 'inexistent_role');
    });

    it('removes role grants, and a deleted role leaves its holders', async () => {
      const userId = await newUserId();
      const a = await storage().createRole(newRole(unique(), [perm('read:users')]));
      const b = await storage().createRole(newRole(unique(), [perm('read:logs')]));
      await storage().assignUserRoles(userId, [a.id, b.id]);
      await storage().removeUserRoles(userId, [a.id, `rol_missing_${unique()}`]);
      assert.deepEqual((await storage().getUserRoles(userId)).map((r) => r.id), [b.id]);
      await storage().deleteRole(b.id);
      assert.deepEqual(await storage().getUserRoles(userId), []);
      assert.deepEqual(await storage().getUserPermissions(userId), []);
      assert.equal(await storage().countUsersWithRole(b.id), 0);
    });

    it('refuses to remove the last holder of a protected role with last_admin, and lets a non-last one go', async () => {
      const role = await storage().createRole(newRole());
      const [u1, u2] = [await newUserId(), await newUserId()];
      await storage().assignUserRoles(u1, [role.id]);
      await storage().assignUserRoles(u2, [role.id]);
      await storage().removeUserRoles(u1, [role.id], { keepHolderOf: role.id });
      assert.equal(await rejectionCode(storage().removeUserRoles(u2, [role.id], { keepHolderOf: role.id })), 'last_admin');
      assert.equal(await storage().countUsersWithRole(role.id), 1);
      // Removing another role from the last holder is fine.
      const other = await storage().createRole(newRole());
      await storage().assignUserRoles(u2, [other.id]);
      await storage().removeUserRoles(u2, [other.id], { keepHolderOf: role.id });
      assert.deepEqual((await storage().getUserRoles(u2)).map((r) => r.id), [role.id]);
    });

    it('keeps one holder when the last two holders are removed at the same time', async () => {
      const role = await storage().createRole(newRole());
      const [u1, u2] = [await newUserId(), await newUserId()];
      await storage().assignUserRoles(u1, [role.id]);
      await storage().assignUserRoles(u2, [role.id]);
      const results = await Promise.allSettled([u1, u2].map((u) => storage().removeUserRoles(u, [role.id], { keepHolderOf: role.id })));
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal(await storage().countUsersWithRole(role.id), 1);
    });

    it('refuses to delete the only holder of a kept role, and of two holders deleted at once keeps one', async () => {
      const role = await storage().createRole(newRole());
      const [u1, u2, plain] = [await newUserId(), await newUserId(), await newUserId()];
      await storage().assignUserRoles(u1, [role.id]);
      await storage().assignUserRoles(u2, [role.id]);
      const results = await Promise.allSettled([u1, u2].map((u) => storage().deleteUser(u, { keepHolderOf: role.id })));
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const survivor = results[0]!.status === 'rejected' ? u1 : u2;
      assert.ok(await storage().getUser(survivor), 'the refused delete removed nothing');
      assert.equal(await rejectionCode(storage().deleteUser(survivor, { keepHolderOf: role.id })), 'last_admin');
      assert.equal(await storage().countUsersWithRole(role.id), 1);
      // A user without the role is deleted as usual.
      assert.equal(await storage().deleteUser(plain, { keepHolderOf: role.id }), true);
    });

    it("lists a role's members by user_id in pages", async () => {
      const role = await storage().createRole(newRole());
      const ids = [await newUserId(), await newUserId(), await newUserId()];
      for (const id of ids) await storage().assignUserRoles(id, [role.id]);
      const byId = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const page0 = await storage().listRoleMembers(role.id, 0, 2);
      assert.equal(page0.total, 3);
      assert.deepEqual(page0.users.map((u) => u.user_id), byId.slice(0, 2));
      const first = (await storage().getUser(byId[0]!))!;
      assert.deepEqual(page0.users[0], { user_id: first.user_id, email: first.email, name: first.name, picture: first.picture });
      assert.deepEqual((await storage().listRoleMembers(role.id, 1, 2)).users.map((u) => u.user_id), byId.slice(2));
      assert.deepEqual(await storage().listRoleMembers(`rol_missing_${unique()}`, 0, 10), { users: [], total: 0 });
    });

    it('grants and removes direct permissions; getUserPermissions unions them with role permissions', async () => {
      const userId = await newUserId();
      const role = await storage().createRole(newRole(unique(), [perm('read:users'), perm('update:users')]));
      await storage().assignUserRoles(userId, [role.id]);
      await storage().addUserPermissions(userId, [perm('read:users'), perm('read:logs')]);
      await storage().addUserPermissions(userId, [perm('read:logs')]);
      assert.deepEqual(sorted(await storage().getUserDirectPermissions(userId)), [`${api} read:logs`, `${api} read:users`]);
      assert.deepEqual(sorted(await storage().getUserPermissions(userId)), [`${api} read:logs`, `${api} read:users`, `${api} update:users`]);
      await storage().removeUserPermissions(userId, [perm('read:users'), perm('never:granted')]);
      assert.deepEqual(sorted(await storage().getUserDirectPermissions(userId)), [`${api} read:logs`]);
      // read:users still comes through the role.
      assert.deepEqual(sorted(await storage().getUserPermissions(userId)), [`${api} read:logs`, `${api} read:users`, `${api} update:users`]);
      assert.equal(await rejectionCode(storage().addUserPermissions(`auth0|missing-${unique()}`, [perm('x')])), 'inexistent_user');
    });

    it("deletes a user's direct permissions with the user", async () => {
      const userId = await newUserId();
      await storage().addUserPermissions(userId, [perm('read:logs')]);
      await storage().deleteUser(userId);
      assert.deepEqual(await storage().getUserDirectPermissions(userId), []);
      assert.deepEqual(await storage().getUserPermissions(userId), []);
    });
  });
}
