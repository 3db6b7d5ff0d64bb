import type { CredentialStore } from '@gatehouse/core';
import type { AdapterContext } from '../adapter-context.js';
import { rowOf } from '../models/row-model.js';

export function createCredentialStore(ctx: AdapterContext): CredentialStore {
  const { models, sqlite } = ctx;
  const hashSql = `SELECT password_hash FROM ${ctx.table(models.credential)} WHERE user_id = ? LIMIT 1`;

  async function getPasswordHash(userId: string): Promise<string | null> {
    // Read at every login: a prepared statement on SQLite (see sqlite-statements.ts).
    if (sqlite) return (await sqlite.first<{ password_hash: string }>(hashSql, [userId]))?.password_hash ?? null;
    const row = await models.credential.findByPk(userId);
    return row ? rowOf(row).password_hash : null;
  }

  return {
    getPasswordHash,

    async setPasswordHash(userId, hash, ifCurrent) {
      const updated_at = new Date();
      if (ifCurrent !== undefined) {
        // Compare-and-set in one conditional UPDATE: a re-hash at login cannot overwrite a
        // password changed between its read and this write.
        const [count] = await ctx.writeOne(() =>
          models.credential.update({ password_hash: hash, updated_at }, { where: { user_id: userId, password_hash: ifCurrent } }),
        );
        if (count === 1) return true;
        // MySQL counts changed rows, not matched ones: writing the very hash it has can report 0.
        return hash === ifCurrent && (await getPasswordHash(userId)) === hash;
      }
      return ctx.transaction(async (transaction) => {
        // Locking the user row keeps a concurrent deleteUser from racing the insert.
        const user = await models.user.findOne({ where: { user_id: userId }, attributes: ['user_id'], transaction, lock: ctx.rowLock });
        if (!user) return false;
        await models.credential.upsert({ user_id: userId, password_hash: hash, updated_at }, { transaction });
        return true;
      });
    },
  };
}
