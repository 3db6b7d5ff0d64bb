import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ADMIN_ROLE, MANAGEMENT_API } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import { createVerifiedUser, signedInBrowser } from '../support/accounts.js';
import { api, mintToken, userPath } from '../support/management.js';
import { freshTestDatabaseUrl, removeTestDatabase } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const perm = (permission_name: string, resource_server_identifier = 'https://api.example.com/') => ({ resource_server_identifier, permission_name });

describe('management API: roles and permissions', function () {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  before(async () => {
    t = await startTestApp();
    client = api(t, await mintToken(t));
  });
  after(async () => t.close());

  const tag = () => randomBytes(5).toString('hex');
  async function newRole(name = `role-${tag()}`, description = 'A role') {
    const res = await client.post('/roles').send({ name, description });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { id: string; name: string; description: string };
  }

  describe('/roles', () => {
    it('creates, reads, updates and deletes a role', async () => {
      const role = await newRole();
      assert.match(role.id, /^rol_[0-9a-f]{16}$/u);
      assert.deepEqual((await client.get(`/roles/${role.id}`).expect(200)).body, role);
      const patched = await client.patch(`/roles/${role.id}`).send({ description: 'Changed' }).expect(200);
      assert.deepEqual(patched.body, { ...role, description: 'Changed' });
      await client.delete(`/roles/${role.id}`).expect(204);
      const gone = await client.get(`/roles/${role.id}`);
      assert.equal(gone.status, 404);
      assert.deepEqual(gone.body, { statusCode: 404, error: 'Not Found', message: 'The role does not exist.', errorCode: 'inexistent_role' });
      assert.equal((await client.patch(`/roles/${role.id}`).send({ name: 'x' })).status, 404);
      assert.equal((await client.delete(`/roles/${role.id}`)).status, 404);
    });

    it('refuses a duplicate name (409 role_exists) and invalid bodies (400)', async () => {
      const role = await newRole();
      const dup = await client.post('/roles').send({ name: role.name });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.errorCode, 'role_exists');
      const other = await newRole();
      assert.equal((await client.patch(`/roles/${other.id}`).send({ name: role.name })).status, 409);
      for (const body of [{}, { name: '' }, { name: 'x'.repeat(51) }, { name: 'ok', description: 'd'.repeat(141) }, { name: 'ok', permissions: [] }, { name: 7 }]) {
        const res = await client.post('/roles').send(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.errorCode, 'invalid_body');
      }
    });

    it('lists roles with name_filter, pages and totals; per_page over 100 and bad pages are 400', async () => {
      const t1 = tag();
      for (const n of ['b', 'a', 'c']) await newRole(`${n}-${t1}`);
      const all = await client.get(`/roles?name_filter=${t1.toUpperCase()}`).expect(200);
      assert.deepEqual(all.body.map((r: { name: string }) => r.name), [`a-${t1}`, `b-${t1}`, `c-${t1}`]);
      const paged = await client.get(`/roles?name_filter=${t1}&per_page=2&page=1&include_totals=true`).expect(200);
      assert.deepEqual({ ...paged.body, roles: paged.body.roles.map((r: { name: string }) => r.name) }, { start: 2, limit: 2, total: 3, roles: [`c-${t1}`] });
      const past = await client.get(`/roles?name_filter=${t1}&per_page=2&page=5&include_totals=true`).expect(200);
      assert.deepEqual(past.body.roles, []);
      for (const q of ['per_page=101', 'per_page=0', 'page=-1', 'page=1.5', 'per_page=abc', 'include_totals=yes', 'page=1&page=2']) {
        const res = await client.get(`/roles?${q}`);
        assert.equal(res.status, 400, q);
        assert.equal(res.body.errorCode, 'invalid_query_string');
      }
      assert.equal((await client.get('/roles?per_page=100')).status, 200);
    });

    it('refuses to delete the admin role (409 last_admin)', async () => {
      const res = await client.delete(`/roles/${ADMIN_ROLE.id}`);
      assert.equal(res.status, 409);
      assert.equal(res.body.errorCode, 'last_admin');
      assert.ok(await t.storage.getRole(ADMIN_ROLE.id));
    });
  });

  describe('/roles/{id}/permissions and /roles/{id}/users', () => {
    it('adds, lists and removes role permissions', async () => {
      const role = await newRole();
      await client.post(`/roles/${role.id}/permissions`).send({ permissions: [perm('read:things'), perm('write:things'), perm('read:things')] }).expect(201);
      const list = await client.get(`/roles/${role.id}/permissions`).expect(200);
      assert.deepEqual(list.body.map((p: { permission_name: string }) => p.permission_name), ['read:things', 'write:things']);
      assert.deepEqual(list.body[0], { permission_name: 'read:things', description: '', resource_server_name: 'https://api.example.com/', resource_server_identifier: 'https://api.example.com/' });
      const paged = await client.get(`/roles/${role.id}/permissions?include_totals=true&per_page=1`).expect(200);
      assert.equal(paged.body.total, 2);
      assert.equal(paged.body.permissions.length, 1);
      await client.delete(`/roles/${role.id}/permissions`).send({ permissions: [perm('read:things')] }).expect(204);
      assert.deepEqual((await t.storage.getRole(role.id))?.permissions, [perm('write:things')]);
      assert.equal((await client.post('/roles/rol_missing/permissions').send({ permissions: [perm('x')] })).status, 404);
      assert.equal((await client.get('/roles/rol_missing/permissions')).status, 404);
      for (const body of [{ permissions: [] }, { permissions: [{ permission_name: 'x' }] }, { permissions: [perm('root:all', MANAGEMENT_API)] }, { permissions: 'read' }]) {
        const res = await client.post(`/roles/${role.id}/permissions`).send(body);
        assert.equal(res.status, 400, JSON.stringify(body));
      }
    });

    it("lists a role's users and assigns users to a role", async () => {
      const role = await newRole();
      const [a, b] = [await createVerifiedUser(t), await createVerifiedUser(t)];
      await client.post(`/roles/${role.id}/users`).send({ users: [a.user_id, b.user_id] }).expect(200);
      const res = await client.get(`/roles/${role.id}/users?include_totals=true`).expect(200);
      assert.equal(res.body.total, 2);
      const byId = [a, b].sort((x, y) => (x.user_id < y.user_id ? -1 : 1));
      assert.deepEqual(res.body.users, byId.map((u) => ({ user_id: u.user_id, email: u.email, name: u.name, picture: u.picture })));
      assert.equal((await client.post(`/roles/${role.id}/users`).send({ users: ['auth0|missing'] })).status, 404);
      assert.equal((await client.get('/roles/rol_missing/users')).status, 404);
    });
  });

  describe('/users/{id}/roles', () => {
    it('assigns, lists (bare and paged) and removes roles', async () => {
      const user = await createVerifiedUser(t);
      const [r1, r2] = [await newRole(`a-${tag()}`), await newRole(`b-${tag()}`)];
      await client.post(userPath(user, '/roles')).send({ roles: [r1.id, r2.id] }).expect(204);
      assert.deepEqual((await client.get(userPath(user, '/roles'))).body, [r1, r2]);
      const paged = await client.get(userPath(user, '/roles?include_totals=true&per_page=1&page=1')).expect(200);
      assert.deepEqual(paged.body, { start: 1, limit: 1, total: 2, roles: [r2] });
      await client.delete(userPath(user, '/roles')).send({ roles: [r1.id] }).expect(204);
      assert.deepEqual((await t.storage.getUserRoles(user.user_id)).map((r) => r.id), [r2.id]);
    });

    it('answers 404 for an unknown user or role and grants nothing; 400 for a bad body', async () => {
      const user = await createVerifiedUser(t);
      const role = await newRole();
      const unknownRole = await client.post(userPath(user, '/roles')).send({ roles: [role.id, 'rol_missing'] });
      assert.equal(unknownRole.status, 404);
      assert.equal(unknownRole.body.errorCode, 'inexistent_role');
      assert.deepEqual(await t.storage.getUserRoles(user.user_id), []);
      const unknownUser = await client.post(userPath('auth0|missing', '/roles')).send({ roles: [role.id] });
      assert.equal(unknownUser.body.errorCode, 'inexistent_user');
      assert.equal((await client.get(userPath('auth0|missing', '/roles'))).status, 404);
      for (const body of [{}, { roles: [] }, { roles: 'x' }, { roles: [1] }, { roles: [role.id], extra: 1 }]) {
        assert.equal((await client.post(userPath(user, '/roles')).send(body)).status, 400, JSON.stringify(body));
      }
    });
  });

  describe('/users/{id}/permissions', () => {
    it('grants and removes direct permissions; GET lists direct and role permissions with their sources', async () => {
      const user = await createVerifiedUser(t);
      const role = await newRole();
      await client.post(`/roles/${role.id}/permissions`).send({ permissions: [perm('read:things'), perm('write:things')] }).expect(201);
      await client.post(userPath(user, '/roles')).send({ roles: [role.id] }).expect(204);
      await client.post(userPath(user, '/permissions')).send({ permissions: [perm('read:things'), perm('read:logs', MANAGEMENT_API)] }).expect(201);
      const res = await client.get(userPath(user, '/permissions')).expect(200);
      assert.deepEqual(res.body.map((p: { permission_name: string; sources: { source_type: string }[] }) => [p.permission_name, p.sources.map((s) => s.source_type)]), [
        ['read:things', ['DIRECT', 'ROLE']],
        ['write:things', ['ROLE']],
        ['read:logs', ['DIRECT']],
      ]);
      const paged = await client.get(userPath(user, '/permissions?include_totals=true&per_page=2')).expect(200);
      assert.equal(paged.body.total, 3);
      assert.equal(paged.body.permissions.length, 2);
      await client.delete(userPath(user, '/permissions')).send({ permissions: [perm('read:logs', MANAGEMENT_API)] }).expect(204);
      assert.deepEqual(await t.storage.getUserDirectPermissions(user.user_id), [perm('read:things')]);
      assert.equal((await client.post(userPath('auth0|missing', '/permissions')).send({ permissions: [perm('x')] })).status, 404);
    });

    it('a direct management permission works for a signed-in session', async () => {
      const { agent, user } = await signedInBrowser(t);
      const other = await createVerifiedUser(t);
      await agent.get(`/api/v2${userPath(other)}`).expect(403);
      await client.post(userPath(user, '/permissions')).send({ permissions: [perm('read:users', MANAGEMENT_API)] }).expect(201);
      await agent.get(`/api/v2${userPath(other)}`).expect(200);
    });
  });

  describe('the last administrator (on a database of its own)', () => {
    let solo: TestApp;
    let url: string;
    let storage: ReturnType<typeof createSequelizeStorage>;
    before(async () => {
      url = await freshTestDatabaseUrl();
      storage = createSequelizeStorage({ url });
      solo = await startTestApp({ database: storage });
      solo = { ...solo, storage };
    });
    after(async () => {
      await solo.close();
      await storage.close();
      await removeTestDatabase(url);
    });

    it('refuses to delete the last admin or take away their admin role (409 last_admin); with two admins one may go', async () => {
      const c = api(solo, await mintToken(solo));
      const [first, second] = [await createVerifiedUser(solo), await createVerifiedUser(solo)];
      await c.post(userPath(first, '/roles')).send({ roles: [ADMIN_ROLE.id] }).expect(204);
      const del = await c.delete(userPath(first));
      assert.equal(del.status, 409);
      assert.equal(del.body.errorCode, 'last_admin');
      const unrole = await c.delete(userPath(first, '/roles')).send({ roles: [ADMIN_ROLE.id] });
      assert.equal(unrole.status, 409);
      assert.equal(unrole.body.errorCode, 'last_admin');
      assert.ok(await storage.getUser(first.user_id));
      assert.equal(await storage.countUsersWithRole(ADMIN_ROLE.id), 1);

      await c.post(userPath(second, '/roles')).send({ roles: [ADMIN_ROLE.id] }).expect(204);
      // Both at once: exactly one removal goes through.
      const both = await Promise.all([first, second].map((u) => c.delete(userPath(u, '/roles')).send({ roles: [ADMIN_ROLE.id] })));
      assert.deepEqual(both.map((r) => r.status).sort(), [204, 409]);
      assert.equal(await storage.countUsersWithRole(ADMIN_ROLE.id), 1);
      const remaining = (await storage.getUserRoles(first.user_id)).length > 0 ? first : second;
      const gone = remaining === first ? second : first;
      await c.delete(userPath(gone)).expect(204);
      assert.equal((await c.delete(userPath(remaining))).status, 409);
    });
  });
});
