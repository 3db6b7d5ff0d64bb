import assert from 'node:assert/strict';
import type { Storage } from '../ports.js';
import { describeAccountLinks } from './conformance/account-links.js';
import { describeApiTokenStore } from './conformance/api-token-store.js';
import { describeAuditStore } from './conformance/audit-store.js';
import { describeCacheStore } from './conformance/cache-store.js';
import { describeApplicationStore } from './conformance/application-store.js';
import { describeConcurrency } from './conformance/concurrency.js';
import { describeCredentialStore } from './conformance/credential-store.js';
import { describeImportStore } from './conformance/import-store.js';
import { describeIdentityLinks } from './conformance/identity-links.js';
import { describeLogStore } from './conformance/log-store.js';
import { describeLoginBlockStore } from './conformance/login-block-store.js';
import { describePasswordlessCodeStore } from './conformance/passwordless-code-store.js';
import { describeRoleManagement } from './conformance/role-management.js';
import { describeRoleStore } from './conformance/role-store.js';
import { describeRoundTrips } from './conformance/round-trip.js';
import { describeSearch } from './conformance/search.js';
import { describeSessionStore } from './conformance/session-store.js';
import { describeTokenStore } from './conformance/token-store.js';
import { describeUserChanges, describeUserLookups } from './conformance/user-store.js';

/**
 * Registers the storage conformance suite with mocha: what every adapter of the storage ports
 * must do, checked through behaviour only. Call it at the top level of a test file (or inside a
 * `describe`). It needs the mocha globals.
 *
 * The suite creates one storage with `factory`, runs `migrate()` on it, and ends it with
 * `cleanup` (default: `storage.close()`). Every test writes rows with random ids, so the suite can
 * run against a shared database without a reset; it never deletes rows it did not write, except
 * sessions that expired before 2001.
 *
 * @example
 * import { createMemoryStorage, describeStorageConformance } from '@gatehouse/core/testing';
 * describeStorageConformance('memory', async () => createMemoryStorage());
 */
export function describeStorageConformance(
  name: string,
  factory: () => Promise<Storage>,
  cleanup?: (storage: Storage) => Promise<void>,
): void {
  describe(`storage conformance: ${name}`, function () {
    let current: Storage | undefined;
    const storage = (): Storage => {
      if (!current) throw new Error('The storage under test was not created (see the before hook).');
      return current;
    };

    before(async function () {
      current = await factory();
      await current.migrate();
    });

    after(async function () {
      if (!current) return;
      await (cleanup ? cleanup(current) : current.close());
      current = undefined;
    });

    it('migrates again without error (safe on every start)', async () => {
      await storage().migrate();
      await storage().migrate();
    });

    it('answers ping when it has one', async function () {
      const ping = storage().ping?.bind(storage());
      if (!ping) this.skip();
      assert.equal(await ping(), true);
    });

    describeUserLookups(storage);
    describeUserChanges(storage);
    describeRoundTrips(storage);
    describeConcurrency(storage);
    describeSearch(storage);
    describeCredentialStore(storage);
    describeTokenStore(storage);
    describeSessionStore(storage);
    describeRoleStore(storage);
    describeRoleManagement(storage);
    describeLogStore(storage);
    describeAuditStore(storage);
    describeLoginBlockStore(storage);
    describeApiTokenStore(storage);
    describeImportStore(storage);
    describeIdentityLinks(storage);
    describeCacheStore(storage);
    describePasswordlessCodeStore(storage);
    describeApplicationStore(storage);
    describeAccountLinks(storage);
  });
}
