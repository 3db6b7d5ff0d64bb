import { GatehouseError } from '../gatehouse-error.js';
import type { UserSearch, UserSearchResult } from '../ports.js';
import { matchesQuery } from '../search/match-user.js';
import type { User } from '../user.js';

const KEYSET_FIELDS = new Set(['user_id', 'created_at', 'updated_at', 'logins_count']);
const CI_SORT = new Set(['email', 'name', 'given_name', 'family_name', 'nickname', 'username']);

type SortValue = string | number | boolean | null;

function sortValue(user: User, field: string): SortValue {
  const value = (user as unknown as Record<string, unknown>)[field];
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && CI_SORT.has(field)) return value.toLowerCase();
  return value as SortValue;
}

function compare(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** The search port over an array of users: the reference the SQL adapters are checked against. */
export function searchInMemory(all: User[], search: UserSearch): UserSearchResult {
  const field = search.sort?.field ?? 'created_at';
  const direction = search.sort?.direction ?? 1;
  const matched = all.filter((u) => (search.query ? matchesQuery(u, search.query) : true));
  const key = (u: User) => sortValue(u, field);
  // NULLs last in both directions; ties broken by user_id in the sort's direction.
  matched.sort((a, b) => {
    const [va, vb] = [key(a), key(b)];
    if (va === null || vb === null) return compare(va, vb) || direction * compare(a.user_id, b.user_id);
    return direction * (compare(va, vb) || compare(a.user_id, b.user_id));
  });
  let page: User[];
  let next: string | null | undefined;
  if (search.after === undefined) {
    page = matched.slice(search.page * search.perPage, (search.page + 1) * search.perPage);
  } else {
    if (!KEYSET_FIELDS.has(field)) {
      throw new GatehouseError('invalid_query_string', { field: 'sort', message: `Cursor paging sorts by one of: ${[...KEYSET_FIELDS].join(', ')}.` });
    }
    let start = 0;
    if (search.after !== null) {
      const cursor = JSON.parse(Buffer.from(search.after, 'base64url').toString('utf8')) as { id: string };
      start = matched.findIndex((u) => u.user_id === cursor.id) + 1;
    }
    page = matched.slice(start, start + search.perPage);
    const last = page[page.length - 1];
    next = page.length === search.perPage && last ? Buffer.from(JSON.stringify({ id: last.user_id })).toString('base64url') : null;
  }
  const result: UserSearchResult = { users: page };
  if (search.includeTotals) result.total = matched.length;
  if (next !== undefined) result.next = next;
  return result;
}
