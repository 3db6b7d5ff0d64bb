import type { User } from '@gatehouse/core';
import { Op, type Transaction } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { IdentityRow } from '../models/identity-model.js';
import { rowOf } from '../models/row-model.js';
import type { UserRow } from '../models/user-model.js';
import type { SqliteStatements } from '../sqlite-statements.js';
import { toUser, type UserColumnsRow } from '../user-mapper.js';

/** Users with their identities: two indexed queries instead of a join that repeats each user row. Keeps the order of `rows`. */
export async function withIdentities(ctx: AdapterContext, rows: UserRow[], transaction?: Transaction): Promise<User[]> {
  if (rows.length === 0) return [];
  const identities = await ctx.models.identity.findAll({
    where: { user_id: { [Op.in]: rows.map((r) => r.user_id) } },
    order: [['id', 'ASC']],
    transaction,
  });
  return joinIdentities(rows, identities.map(rowOf));
}

/** The users with these ids, in the order given (ids not found are skipped). */
export async function loadUsersInOrder(ctx: AdapterContext, ids: string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const rows = (await ctx.models.user.findAll({ where: { user_id: { [Op.in]: ids } } })).map(rowOf);
  return withIdentities(ctx, inOrder(ids, rows));
}

/**
 * SQLite: these users with their identities, as a prepared statement (see sqlite-statements.ts).
 * The ids are one JSON array parameter, so any number of users is one statement shape; SQLite
 * reads `IN (SELECT value FROM json_each(?))` as a list of `user_id` index probes.
 */
export async function withIdentitiesPrepared(ctx: AdapterContext, sqlite: SqliteStatements, rows: UserColumnsRow[]): Promise<User[]> {
  if (rows.length === 0) return [];
  const ids = JSON.stringify(rows.map((r) => r.user_id));
  const identities = await sqlite.all<IdentityRow>(
    `SELECT * FROM ${ctx.table(ctx.models.identity)} WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY id ASC`,
    [ids],
  );
  return joinIdentities(rows, identities);
}

function inOrder<Row extends UserColumnsRow>(ids: string[], rows: Row[]): Row[] {
  const byId = new Map(rows.map((r) => [r.user_id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

function joinIdentities(rows: UserColumnsRow[], identities: IdentityRow[]): User[] {
  const byUser = new Map<string, IdentityRow[]>();
  for (const identity of identities) {
    const list = byUser.get(identity.user_id) ?? [];
    list.push(identity);
    byUser.set(identity.user_id, list);
  }
  return rows.map((row) => toUser(row, byUser.get(row.user_id) ?? []));
}
