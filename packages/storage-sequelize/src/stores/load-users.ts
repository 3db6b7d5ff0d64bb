import type { User } from '@gatehouse/core';
import { Op, type Transaction } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { IdentityRow } from '../models/identity-model.js';
import { rowOf } from '../models/row-model.js';
import type { UserRow } from '../models/user-model.js';
import { toUser } from '../user-mapper.js';

/** Users with their identities: two indexed queries instead of a join that repeats each user row. Keeps the order of `rows`. */
export async function withIdentities(ctx: AdapterContext, rows: UserRow[], transaction?: Transaction): Promise<User[]> {
  if (rows.length === 0) return [];
  const identities = await ctx.models.identity.findAll({
    where: { user_id: { [Op.in]: rows.map((r) => r.user_id) } },
    order: [['id', 'ASC']],
    transaction,
  });
  const byUser = new Map<string, IdentityRow[]>();
  for (const identity of identities.map(rowOf)) {
    const list = byUser.get(identity.user_id) ?? [];
    list.push(identity);
    byUser.set(identity.user_id, list);
  }
  return rows.map((row) => toUser(row, byUser.get(row.user_id) ?? []));
}

/** The users with these ids, in the order given (ids not found are skipped). */
export async function loadUsersInOrder(ctx: AdapterContext, ids: string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const rows = (await ctx.models.user.findAll({ where: { user_id: { [Op.in]: ids } } })).map(rowOf);
  const byId = new Map(rows.map((r) => [r.user_id, r]));
  return withIdentities(ctx, ids.flatMap((id) => byId.get(id) ?? []));
}
