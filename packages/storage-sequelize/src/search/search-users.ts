import { GatehouseError, type User, type UserSearch, type UserSearchResult } from '@gatehouse/core';
import { QueryTypes } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import { loadUsersInOrder, withIdentitiesPrepared } from '../stores/load-users.js';
import { USER_COLUMNS, type UserColumnsRow } from '../user-mapper.js';
import { bindValue, type BoundValue } from './bind-value.js';
import { compileQuery, type CompiledQuery } from './compile-query.js';
import { SEARCH_COLUMNS } from './searchable-columns.js';

/** Sort fields whose column is never NULL, so a keyset cursor can continue after any row. */
const KEYSET_FIELDS = new Set(['user_id', 'created_at', 'updated_at', 'logins_count']);

interface Cursor {
  /** The sort field and direction the cursor was made for. */
  s: string;
  /** The last row's sort value (ISO string for dates) and user_id. */
  v: string | number;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, sortKey: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (cursor.s === sortKey && typeof cursor.id === 'string' && (typeof cursor.v === 'string' || typeof cursor.v === 'number')) return cursor;
  } catch {
    // Falls through to the error below.
  }
  throw new GatehouseError('invalid_query_string', { field: 'from', message: 'The cursor is not valid for this query and sort.' });
}

/**
 * The search port over SQL: the compiled query as one WHERE clause, ids first (ordered, paged,
 * NULLs last whatever the database's habit), then the users themselves. Counts are exact.
 * Values are bound: on SQLite to statements prepared once per query shape (see
 * sqlite-statements.ts), elsewhere as Sequelize replacements, escaped by the driver.
 */
export function createUserSearch(ctx: AdapterContext, prefix: string, exactCountUpTo: number) {
  const qi = ctx.sequelize.getQueryInterface();
  const table = (name: string) => qi.quoteIdentifier(`${prefix}${name}`);
  const u = qi.quoteIdentifier('u');

  async function select<Row extends object>(sql: string, params: BoundValue[]): Promise<Row[]> {
    if (ctx.sqlite) return ctx.sqlite.allDynamic<Row>(sql, params);
    return ctx.sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements: params });
  }

  /** The planner's row estimate for the query: PostgreSQL's plan rows, MySQL/MariaDB's rows × filtered of the users table. */
  async function plannerEstimate(from: string, params: BoundValue[]): Promise<number> {
    if (ctx.dialect === 'postgres') {
      const [plan] = await select<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(`EXPLAIN (FORMAT JSON) SELECT 1 ${from}`, params);
      return Math.round(plan?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
    }
    const rows = await select<{ table: string; rows: number | string | null; filtered?: number | string | null }>(`EXPLAIN SELECT 1 ${from}`, params);
    const users = rows.find((r) => r.table === 'u');
    return Math.round(Number(users?.rows ?? 0) * (users?.filtered === undefined || users.filtered === null ? 1 : Number(users.filtered) / 100));
  }

  /**
   * Exact up to `exactCountUpTo` matches (a capped count stops early); beyond that PostgreSQL and
   * MySQL/MariaDB answer the planner's estimate, flagged as such, so a broad query on millions of
   * users does not pay for a full count. SQLite has no planner estimate to give: it counts exactly.
   */
  async function countMatches(where: CompiledQuery): Promise<{ total: number; totalIsEstimate?: true }> {
    const from = `FROM ${table('users')} ${u} WHERE ${where.sql}`;
    if (ctx.dialect !== 'sqlite') {
      const [capped] = await select<{ total: number | string }>(`SELECT COUNT(*) AS total FROM (SELECT 1 ${from} LIMIT ${exactCountUpTo + 1}) capped`, where.params);
      const total = Number(capped?.total ?? 0);
      if (total <= exactCountUpTo) return { total };
      return { total: Math.max(await plannerEstimate(from, where.params), exactCountUpTo + 1), totalIsEstimate: true };
    }
    const [count] = await select<{ total: number | string }>(`SELECT COUNT(*) AS total ${from}`, where.params);
    return { total: Number(count?.total ?? 0) };
  }

  return async function searchUsers(search: UserSearch): Promise<UserSearchResult> {
    const where: CompiledQuery = search.query
      ? compileQuery(search.query, { sequelize: ctx.sequelize, users: u, identitiesTable: table('identities'), metadataTable: table('metadata_values') })
      : { sql: '1 = 1', params: [] };
    const sortField = search.sort?.field ?? 'created_at';
    const direction = search.sort?.direction ?? 1;
    const column = SEARCH_COLUMNS[sortField];
    if (!column) {
      throw new GatehouseError('invalid_query_string', { field: 'sort', message: `Cannot sort by "${sortField}".` });
    }
    const dir = direction === 1 ? 'ASC' : 'DESC';
    const sortCol = `${u}.${qi.quoteIdentifier(column.column)}`;
    // Code-point order on every database (PostgreSQL's default collation is linguistic).
    const sortExpr = column.type === 'text' && ctx.dialect === 'postgres' ? `${sortCol} COLLATE "C"` : sortCol;
    const idCol = `${u}.${qi.quoteIdentifier('user_id')}`;
    const idExpr = ctx.dialect === 'postgres' ? `${idCol} COLLATE "C"` : idCol;
    // NULLs last on nullable columns; on the others the bare column keeps its index usable for
    // the ORDER BY ... LIMIT (the planner then walks the index and stops after one page).
    const nullsLast = column.notNull ? '' : `CASE WHEN ${sortCol} IS NULL THEN 1 ELSE 0 END, `;
    const order = `${nullsLast}${sortExpr} ${dir}, ${idExpr} ${dir}`;
    const sortKey = `${sortField}:${direction}`;

    let keyset = '';
    const keysetParams: BoundValue[] = [];
    if (search.after !== undefined) {
      if (!KEYSET_FIELDS.has(sortField)) {
        throw new GatehouseError('invalid_query_string', { field: 'sort', message: `Cursor paging sorts by one of: ${[...KEYSET_FIELDS].join(', ')}.` });
      }
      if (search.after !== null) {
        const cursor = decodeCursor(search.after, sortKey);
        const value = bindValue(ctx.dialect, column.type === 'date' ? new Date(String(cursor.v)) : cursor.v);
        const op = direction === 1 ? '>' : '<';
        keyset = ` AND (${sortExpr} ${op} ? OR (${sortCol} = ? AND ${idExpr} ${op} ?))`;
        keysetParams.push(value, value, cursor.id);
      }
    }

    const offset = search.after === undefined ? search.page * search.perPage : 0;
    const page = `FROM ${table('users')} ${u} WHERE ${where.sql}${keyset} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const pageParams = [...where.params, ...keysetParams, search.perPage, offset];
    // SQLite: the page's users in the same statement (its ORDER BY ... LIMIT keeps only the top
    // rows in the sorter, so whole rows cost little more than ids), then their identities. Elsewhere
    // ids first, so a sort spilling to disk carries ids only, then the users by primary key.
    const users = ctx.sqlite
      ? await withIdentitiesPrepared(ctx, ctx.sqlite, await select<UserColumnsRow>(`SELECT ${USER_COLUMNS.map((c) => `${u}.${c}`).join(', ')} ${page}`, pageParams))
      : await loadUsersInOrder(ctx, (await select<{ user_id: string }>(`SELECT ${idCol} AS user_id ${page}`, pageParams)).map((r) => r.user_id));

    const result: UserSearchResult = { users };
    if (search.includeTotals) Object.assign(result, await countMatches(where));
    if (search.after !== undefined) {
      const last = users[users.length - 1];
      result.next = users.length === search.perPage && last ? encodeCursor({ s: sortKey, v: cursorValue(last, sortField), id: last.user_id }) : null;
    }
    return result;
  };
}

function cursorValue(user: User, field: string): string | number {
  const value = (user as unknown as Record<string, unknown>)[field];
  return value instanceof Date ? value.toISOString() : (value as string | number);
}
