import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { createSequelizeStorage } from '../src/index.js';
import { removeTestDatabase, requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

describe(`search indexes on ${testDatabaseKind()}`, function () {
  let url: string;
  let storage: ReturnType<typeof createSequelizeStorage>;
  before(async function () {
    url = await testDatabaseUrl();
    await requireTestDatabase(this, url);
    storage = createSequelizeStorage({ url });
    await storage.migrate();
  });
  after(async () => {
    await storage?.close();
    await removeTestDatabase(url);
  });

  it("index a domain's users by creation date, so a page of email.domain:x is read in order", async () => {
    const indexes = (await storage.sequelize.getQueryInterface().showIndex('gatehouse_users')) as Array<{ name: string; fields: Array<{ attribute: string }> }>;
    const domain = indexes.find((index) => index.name === 'gatehouse_users_s_email_domain');
    assert.deepEqual(domain?.fields.map((f) => f.attribute), ['email_domain', 'created_at']);
    if (storage.dialect === 'sqlite') {
      const plan = await storage.sequelize.query<{ detail: string }>(
        'EXPLAIN QUERY PLAN SELECT u.user_id FROM gatehouse_users u WHERE u.email_domain = ? ORDER BY u.created_at ASC, u.user_id ASC LIMIT 50',
        { replacements: ['example.com'], type: QueryTypes.SELECT },
      );
      const steps = plan.map((row) => row.detail);
      assert.ok(steps.some((step) => step.includes('gatehouse_users_s_email_domain')), steps.join('; '));
      // Only ties on created_at are sorted (the right part), not every user of the domain.
      assert.ok(!steps.includes('USE TEMP B-TREE FOR ORDER BY'), steps.join('; '));
    }
  });
});
