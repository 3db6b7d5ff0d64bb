import { describeStorageConformance } from '@gatehouse/core/testing';
import { createSequelizeStorage } from '../src/index.js';
import { removeTestDatabase, requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

const kind = testDatabaseKind();

describe(`@gatehouse/storage-sequelize on ${kind}`, function () {
  let url: string;

  before(async function () {
    url = await testDatabaseUrl(kind);
    await requireTestDatabase(this, url);
  });

  after(async () => {
    if (url) await removeTestDatabase(url);
  });

  describeStorageConformance(
    kind,
    async () => createSequelizeStorage({ url }),
    async (storage) => storage.close(),
  );
});
