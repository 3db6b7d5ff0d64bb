import type { PasswordlessCodeRecord, PasswordlessCodeStore } from '../ports.js';

/**
 * The reference passwordless code store. Each method runs without an `await`, so on Node's single
 * thread a redemption (compare, then delete or count) is atomic, as the SQL adapter's conditional
 * statements are.
 */
export function createMemoryPasswordlessCodeStore(assertOpen: () => void): PasswordlessCodeStore {
  const records = new Map<string, PasswordlessCodeRecord>();
  const keyOf = (connection: string, address: string) => JSON.stringify([connection, address]);
  const copy = (r: PasswordlessCodeRecord): PasswordlessCodeRecord => ({ ...r, created_at: new Date(r.created_at), expires_at: new Date(r.expires_at) });
  const live = (key: string, now: Date) => {
    const record = records.get(key);
    return record && record.expires_at.getTime() > now.getTime() ? record : undefined;
  };
  return {
    async putPasswordlessCode(record) {
      assertOpen();
      records.set(keyOf(record.connection, record.address), copy(record));
    },

    async redeemPasswordlessCode({ connection, address, hash, sessionHash, maxAttempts, now }) {
      assertOpen();
      const key = keyOf(connection, address);
      const record = live(key, now);
      if (!record || record.kind !== 'code' || record.attempts >= maxAttempts) return false;
      if (record.hash === hash && record.session_hash === sessionHash) {
        records.delete(key);
        return true;
      }
      record.attempts += 1;
      return false;
    },

    async consumePasswordlessLink(hash, now) {
      assertOpen();
      for (const [key, record] of records) {
        if (record.kind !== 'link' || record.hash !== hash) continue;
        records.delete(key);
        return record.expires_at.getTime() > now.getTime() ? copy(record) : null;
      }
      return null;
    },

    async findPasswordlessCode(connection, address, now) {
      assertOpen();
      const record = live(keyOf(connection, address), now);
      return record ? copy(record) : null;
    },

    async sweepPasswordlessCodes(now) {
      assertOpen();
      let removed = 0;
      for (const [key, record] of records) {
        if (record.expires_at.getTime() <= now.getTime()) {
          records.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
