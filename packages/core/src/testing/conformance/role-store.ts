import assert from 'node:assert/strict';
import type { Permission, Role } from '../../ports.js';
import { newUserRecord, rejectionCode, unique, type StorageRef } from './fixtures.js';

const sorted = (permissions: Permission[]): string[] =>
  permissions.map((p) => `${p.resource_server_identifier} ${p.permission_name}`).sort();

/** Roles, their permissions, and grants to users. */
export function describeRoleStore(storage: StorageRef): void {
  describe('roles and permissions', () => {
    const api = 'https://api.example.com/';
    const newRole = (permissions: string[]): Role => {
      const id = unique();
      return {
        id: `rol_${id}`,
        name: `role-${id}`,
        description: `Role ${id} 🙂`,
        permissions: permissions.map((permission_name) => ({ resource_server_identifier: api, permission_name })),
      };
    };

    async function newUserId(): Promise<string> {
      const record = newUserRecord();
      await storage().createUser(record);
      return record.user_id;
    }

    it('creates a role once and returns the existing role of that name unchanged afterwards', async () => {
      const role = newRole(['read:users', 'update:users']);
      const created = await storage().ensureRole(role);
      assert.deepEqual({ ...created, permissions: sorted(created.permissions) }, { ...role, permissions: sorted(role.permissions) });
      const again = await storage().ensureRole({ ...role, id: `rol_${unique()}`, description: 'changed', permissions: [] });
      assert.equal(again.id, role.id);
      assert.equal(again.description, role.description);
      assert.deepEqual(sorted(again.permissions), sorted(role.permissions));
      const byName = await storage().getRoleByName(role.name);
      assert.equal(byName?.id, role.id);
      assert.deepEqual(sorted(byName?.permissions ?? []), sorted(role.permissions));
      assert.equal(await storage().getRoleByName(`missing-${unique()}`), null);
    });

    it('creates one role when ensureRole races with itself', async () => {
      const role = newRole(['read:users']);
      const results = await Promise.all([storage().ensureRole(role), storage().ensureRole({ ...role, id: `rol_${unique()}` })]);
      assert.equal(results[0].id, results[1].id);
      assert.equal((await storage().getRoleByName(role.name))?.id, results[0].id);
    });

    it('grants roles idempotently and lists them', async () => {
      const userId = await newUserId();
      const admin = await storage().ensureRole(newRole(['read:users']));
      const support = await storage().ensureRole(newRole(['read:logs']));
      await storage().assignUserRoles(userId, [admin.id]);
      await storage().assignUserRoles(userId, [admin.id, support.id]);
      await storage().assignUserRoles(userId, [support.id]);
      const roles = await storage().getUserRoles(userId);
      assert.deepEqual(roles.map((r) => r.id).sort(), [admin.id, support.id].sort());
      assert.deepEqual(sorted(roles.find((r) => r.id === admin.id)?.permissions ?? []), sorted(admin.permissions));
      assert.deepEqual(await storage().getUserRoles(await newUserId()), []);
    });

    it('unions the permissions of all roles without duplicates', async () => {
      const userId = await newUserId();
      const a = await storage().ensureRole(newRole(['read:users', 'update:users']));
      const b = await storage().ensureRole(newRole(['read:users', 'read:logs']));
      await storage().assignUserRoles(userId, [a.id, b.id]);
      assert.deepEqual(sorted(await storage().getUserPermissions(userId)), [`${api} read:logs`, `${api} read:users`, `${api} update:users`]);
      assert.deepEqual(await storage().getUserPermissions(await newUserId()), []);
    });

    it('counts the users holding a role', async () => {
      const role = await storage().ensureRole(newRole([]));
      assert.equal(await storage().countUsersWithRole(role.id), 0);
      const [u1, u2] = [await newUserId(), await newUserId()];
      await storage().assignUserRoles(u1, [role.id]);
      await storage().assignUserRoles(u2, [role.id]);
      await storage().assignUserRoles(u2, [role.id]);
      assert.equal(await storage().countUsersWithRole(role.id), 2);
    });

    it('refuses grants to an unknown user or of an unknown role', async () => {
      const role = await storage().ensureRole(newRole([]));
      assert.equal(await rejectionCode(storage().assignUserRoles(`auth0|missing-${unique()}`, [role.id])), 'inexistent_user');
      const userId = await newUserId();
      assert.equal(await rejectionCode(storage().assignUserRoles(userId, [role.id, `rol_missing_${unique()}`])), 'not_found');
      assert.deepEqual(await storage().getUserRoles(userId), []);
    });
  });
}
