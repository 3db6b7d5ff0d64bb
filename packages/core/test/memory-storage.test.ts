import assert from 'node:assert/strict';
import { createMemoryStorage, describeStorageConformance } from '@gatehouse/core/testing';

describeStorageConformance('memory', async () => createMemoryStorage());

describe('memory storage', () => {
  it('refuses calls once closed, with storage_unavailable', async () => {
    const storage = createMemoryStorage();
    await storage.close();
    await assert.rejects(storage.countUsers(), { code: 'storage_unavailable' });
    assert.equal(await storage.ping?.(), false);
  });

  it('keeps stores apart: two instances share nothing', async () => {
    const a = createMemoryStorage();
    const b = createMemoryStorage();
    await a.setSession('sid', { data: '{}', expires_at: new Date(Date.now() + 60_000), user_id: null });
    assert.equal(await b.getSession('sid', new Date()), null);
  });
});
