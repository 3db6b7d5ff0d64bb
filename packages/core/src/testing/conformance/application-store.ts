import assert from 'node:assert/strict';
import type { ApplicationRecord } from '../../applications/application.js';
import type { SigningKeyRecord } from '../../applications/application-ports.js';
import { msDate, newUserRecord, rejectionCode, unique, type StorageRef } from './fixtures.js';

/** A valid application with a unique client_id. */
function applicationRecord(overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return {
    client_id: `cli_${unique()}`,
    name: `App ${unique()}`,
    description: 'A test application',
    app_type: 'regular_web',
    is_first_party: false,
    callbacks: ['https://app.example.com/callback', 'https://*.example.com/cb'],
    allowed_logout_urls: ['https://app.example.com/'],
    web_origins: ['https://app.example.com'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    access_policy: 'all_users',
    access_roles: [],
    api_grants: [{ audience: 'https://api.example.com/', scope: ['read:things'] }],
    client_secret_hash: 'a'.repeat(64),
    created_at: msDate(),
    updated_at: msDate(),
    ...overrides,
  };
}

function signingKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: `kid-${unique()}`,
    alg: 'RS256',
    public_jwk: '{"kty":"RSA"}',
    encrypted_jwk: `v1.${'x'.repeat(3000)}`,
    created_at: msDate(),
    rotated_at: null,
    revoked_at: null,
    ...overrides,
  };
}

/** Applications, allow-lists, remembered consents, provider artifacts and signing keys. */
export function describeApplicationStore(storage: StorageRef): void {
  describe('applications', () => {
    it('creates, reads, updates and deletes an application, keeping every field and the secret hash', async () => {
      const app = applicationRecord();
      assert.deepEqual(await storage().createApplication(app), app);
      assert.deepEqual(await storage().getApplication(app.client_id), app);
      assert.equal(await rejectionCode(storage().createApplication(app)), 'user_exists');
      const updated = await storage().updateApplication(app.client_id, {
        name: 'Renamed', callbacks: [], access_policy: 'roles', access_roles: ['rol_x'], client_secret_hash: 'b'.repeat(64), updated_at: msDate(1000),
      });
      assert.deepEqual(updated, { ...app, name: 'Renamed', callbacks: [], access_policy: 'roles', access_roles: ['rol_x'], client_secret_hash: 'b'.repeat(64), updated_at: msDate(1000) });
      assert.deepEqual(await storage().getApplication(app.client_id), updated);
      assert.equal(await storage().updateApplication(`cli_${unique()}`, { name: 'x', updated_at: msDate() }), null);
      assert.equal(await storage().deleteApplication(app.client_id), true);
      assert.equal(await storage().deleteApplication(app.client_id), false);
      assert.equal(await storage().getApplication(app.client_id), null);
    });

    it('lists applications by name a page at a time, with the total', async () => {
      const tag = unique();
      const a = applicationRecord({ name: `${tag}-a` });
      const b = applicationRecord({ name: `${tag}-b` });
      await storage().createApplication(b);
      await storage().createApplication(a);
      const { applications, total } = await storage().listApplications(0, 1000);
      assert.ok(total >= 2);
      const ours = applications.filter((x) => x.name.startsWith(tag)).map((x) => x.name);
      assert.deepEqual(ours, [`${tag}-a`, `${tag}-b`]);
      const first = await storage().listApplications(0, 1);
      assert.equal(first.applications.length, 1);
      assert.equal(first.total, total);
    });

    it('keeps a per-user allow-list, refusing unknown users and applications, emptied with the user or the application', async () => {
      const user = await storage().createUser(newUserRecord());
      const one = await storage().createApplication(applicationRecord());
      const two = await storage().createApplication(applicationRecord());
      await storage().addUserApplications(user.user_id, [two.client_id, one.client_id, one.client_id]);
      await storage().addUserApplications(user.user_id, [one.client_id]);
      assert.deepEqual(await storage().listUserApplications(user.user_id), [one.client_id, two.client_id].sort());
      assert.equal(await rejectionCode(storage().addUserApplications(`auth0|${unique()}`, [one.client_id])), 'inexistent_user');
      assert.equal(await rejectionCode(storage().addUserApplications(user.user_id, [`cli_${unique()}`])), 'inexistent_client');
      await storage().removeUserApplications(user.user_id, [one.client_id, `cli_${unique()}`]);
      assert.deepEqual(await storage().listUserApplications(user.user_id), [two.client_id]);
      await storage().deleteApplication(two.client_id);
      assert.deepEqual(await storage().listUserApplications(user.user_id), []);
      await storage().addUserApplications(user.user_id, [one.client_id]);
      await storage().deleteUser(user.user_id);
      assert.deepEqual(await storage().listUserApplications(user.user_id), []);
    });

    it('remembers one consent per user and application, replaced in place, listed and deleted', async () => {
      const user = await storage().createUser(newUserRecord());
      const app = await storage().createApplication(applicationRecord());
      const grant = {
        id: `cgr_${unique()}`, user_id: user.user_id, client_id: app.client_id, scope: ['openid', 'email'], claims: [],
        resource_scopes: { 'https://api.example.com/': ['read:things'] }, oidc_grant_id: `g-${unique()}`, created_at: msDate(), updated_at: msDate(),
      };
      assert.deepEqual(await storage().saveApplicationGrant(grant), grant);
      const replaced = await storage().saveApplicationGrant({ ...grant, id: `cgr_${unique()}`, scope: ['openid', 'email', 'profile'], oidc_grant_id: null, created_at: msDate(5), updated_at: msDate(5) });
      assert.deepEqual(replaced, { ...grant, scope: ['openid', 'email', 'profile'], oidc_grant_id: null, updated_at: msDate(5) });
      assert.deepEqual(await storage().getApplicationGrant(user.user_id, app.client_id), replaced);
      assert.deepEqual(await storage().listApplicationGrants({ userId: user.user_id }), [replaced]);
      assert.deepEqual(await storage().listApplicationGrants({ clientId: app.client_id, userId: user.user_id }), [replaced]);
      assert.equal(await rejectionCode(storage().saveApplicationGrant({ ...grant, id: `cgr_${unique()}`, user_id: `auth0|${unique()}` })), 'inexistent_user');
      assert.deepEqual(await storage().deleteApplicationGrant(grant.id), replaced);
      assert.equal(await storage().deleteApplicationGrant(grant.id), null);
      assert.equal(await storage().getApplicationGrant(user.user_id, app.client_id), null);
      await storage().saveApplicationGrant(grant);
      await storage().deleteUser(user.user_id);
      assert.deepEqual(await storage().listApplicationGrants({ clientId: app.client_id }), []);
    });
  });

  describe('provider artifacts (oidc-provider adapter)', () => {
    const record = (overrides: Partial<Parameters<ReturnType<StorageRef>['upsertOidcPayload']>[0]> = {}) => ({
      model: 'AccessToken', id: `at-${unique()}`, payload: JSON.stringify({ jti: unique(), note: 'é✓' }), grant_id: null as string | null,
      user_code: null as string | null, uid: null as string | null, expires_at: msDate(60_000) as Date | null, ...overrides,
    });

    it('stores, replaces, finds until expiry and deletes an artifact', async () => {
      const r = record({ payload: JSON.stringify({ big: 'x'.repeat(20_000) }) });
      await storage().upsertOidcPayload(r);
      assert.deepEqual(await storage().findOidcPayload(r.model, r.id, msDate()), { payload: r.payload, consumed_at: null });
      assert.equal(await storage().findOidcPayload('RefreshToken', r.id, msDate()), null, 'the model is part of the key');
      assert.equal(await storage().findOidcPayload(r.model, r.id, msDate(60_000)), null, 'expiry is exclusive');
      await storage().upsertOidcPayload({ ...r, payload: '{"v":2}', expires_at: null });
      assert.deepEqual(await storage().findOidcPayload(r.model, r.id, msDate(10 ** 12)), { payload: '{"v":2}', consumed_at: null });
      await storage().deleteOidcPayload(r.model, r.id);
      assert.equal(await storage().findOidcPayload(r.model, r.id, msDate()), null);
    });

    it('stores 24 concurrent artifacts and replaces 8 of them concurrently, none lost or refused', async () => {
      // The provider saves a session, a grant and tokens at once; a store that deadlocks under
      // that answers the user with a 500 (InnoDB did, for delete-then-insert upserts).
      const records = Array.from({ length: 24 }, (_, i) => record({ model: ['Session', 'Grant', 'AccessToken'][i % 3]! }));
      await Promise.all(records.map((r) => storage().upsertOidcPayload(r)));
      const replaced = records.slice(0, 8).map((r) => ({ ...r, payload: JSON.stringify({ replaced: r.id }) }));
      await Promise.all(replaced.map((r) => storage().upsertOidcPayload(r)));
      for (const r of [...replaced, ...records.slice(8)]) {
        assert.equal((await storage().findOidcPayload(r.model, r.id, msDate()))?.payload, r.payload);
      }
    });

    it('finds sessions by uid and device codes by user code', async () => {
      const session = record({ model: 'Session', uid: `uid-${unique()}` });
      const device = record({ model: 'DeviceCode', user_code: `UC-${unique()}` });
      await storage().upsertOidcPayload(session);
      await storage().upsertOidcPayload(device);
      assert.equal((await storage().findOidcPayloadByUid('Session', session.uid!, msDate()))?.payload, session.payload);
      assert.equal((await storage().findOidcPayloadByUserCode('DeviceCode', device.user_code!, msDate()))?.payload, device.payload);
      assert.equal(await storage().findOidcPayloadByUid('Session', session.uid!, msDate(60_000)), null);
      assert.equal(await storage().findOidcPayloadByUid('Session', `uid-${unique()}`, msDate()), null);
    });

    it('consumes an artifact exactly once of 10 concurrent calls, and a replaced one is fresh', async () => {
      const r = record({ model: 'AuthorizationCode' });
      await storage().upsertOidcPayload(r);
      const results = await Promise.all(Array.from({ length: 10 }, () => storage().consumeOidcPayload(r.model, r.id, msDate(1))));
      assert.equal(results.filter(Boolean).length, 1);
      assert.deepEqual(await storage().findOidcPayload(r.model, r.id, msDate()), { payload: r.payload, consumed_at: msDate(1) });
      assert.equal(await storage().consumeOidcPayload(r.model, `missing-${unique()}`, msDate()), false);
      await storage().upsertOidcPayload(r);
      assert.equal((await storage().findOidcPayload(r.model, r.id, msDate()))?.consumed_at, null);
    });

    it('revokes everything issued under a grant, and sweeps only expired artifacts', async () => {
      const grantId = `g-${unique()}`;
      const grant = record({ model: 'Grant', id: grantId, grant_id: grantId });
      const token = record({ grant_id: grantId });
      const refresh = record({ model: 'RefreshToken', grant_id: grantId });
      const other = record({ grant_id: `g-${unique()}` });
      for (const r of [grant, token, refresh, other]) await storage().upsertOidcPayload(r);
      assert.equal(await storage().revokeOidcGrant(grantId), 3);
      assert.equal(await storage().findOidcPayload('Grant', grantId, msDate()), null);
      assert.equal(await storage().findOidcPayload(refresh.model, refresh.id, msDate()), null);
      assert.notEqual(await storage().findOidcPayload(other.model, other.id, msDate()), null);
      const expired = record({ expires_at: new Date(Date.UTC(1999, 0, 1)) });
      await storage().upsertOidcPayload(expired);
      assert.ok((await storage().sweepOidcPayloads(new Date(Date.UTC(2000, 0, 1)))) >= 1);
      assert.equal(await storage().findOidcPayload(expired.model, expired.id, new Date(0)), null);
      assert.notEqual(await storage().findOidcPayload(other.model, other.id, msDate()), null);
    });
  });

  describe('signing keys', () => {
    it('adds a first key only once, rotates with a timestamp, lists newest first and revokes once', async () => {
      const before = await storage().listSigningKeys();
      const first = signingKey({ created_at: new Date(Date.now() + 1000) });
      const added = await storage().addFirstSigningKey(first);
      assert.equal(added, before.length === 0);
      if (!added) await storage().rotateSigningKey(first, first.created_at);
      assert.equal(await storage().addFirstSigningKey(signingKey()), false);
      const next = signingKey({ created_at: new Date(first.created_at.getTime() + 1000) });
      await storage().rotateSigningKey(next, next.created_at);
      const keys = await storage().listSigningKeys();
      assert.deepEqual(keys[0], next);
      assert.deepEqual(keys[1], { ...first, rotated_at: next.created_at });
      assert.ok(keys.slice(1).every((k) => k.rotated_at !== null), 'every older key is rotated');
      assert.equal(await storage().revokeSigningKey(first.kid, msDate()), true);
      assert.equal(await storage().revokeSigningKey(first.kid, msDate()), false);
      assert.equal(await storage().revokeSigningKey(`kid-${unique()}`, msDate()), false);
      assert.deepEqual((await storage().listSigningKeys()).find((k) => k.kid === first.kid)?.revoked_at, msDate());
      // Leaves no usable key behind in a shared database (a provider there rotates past revoked keys).
      await storage().revokeSigningKey(next.kid, msDate());
    });
  });
}
