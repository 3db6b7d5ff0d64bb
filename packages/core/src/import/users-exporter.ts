import { stringify } from 'csv-stringify/sync';
import { GatehouseError } from '../gatehouse-error.js';
import type { UserStore } from '../ports.js';
import { parseQuery } from '../search/parse-query.js';
import { userToJson } from '../user.js';

/** A field of an export, as Auth0's `fields: [{name, export_as?}]`. */
export interface ExportField {
  /** A profile field or a dotted path (`user_metadata.plan`, `identities.0.connection`). */
  name: string;
  /** The column (CSV) or key (NDJSON) to write it as. @default name */
  export_as?: string;
}

export interface UsersExportOptions {
  storage: Pick<UserStore, 'searchUsers'>;
  /** Only the users of this connection; null: every user. */
  connection: string | null;
  /** `ndjson` (Auth0's "json") or `csv`. */
  format: 'ndjson' | 'csv';
  /** @default DEFAULT_EXPORT_FIELDS */
  fields?: ExportField[];
  /** At most this many users. */
  limit?: number;
  /** Users per keyset page. @default 1000 */
  pageSize?: number;
  /** Called with the number of users of each page written. */
  onPage?: (users: number) => void;
}

/** What an export holds when no fields are named: the profile, never a password hash. */
export const DEFAULT_EXPORT_FIELDS: readonly ExportField[] = [
  'user_id', 'email', 'email_verified', 'username', 'phone_number', 'phone_verified', 'name', 'given_name', 'family_name',
  'nickname', 'picture', 'blocked', 'created_at', 'updated_at', 'last_login', 'logins_count', 'identities', 'user_metadata', 'app_metadata',
].map((name) => ({ name }));

/** Never exported, whatever is asked: the profile has no hashes, and a field naming one is refused. */
const FORBIDDEN = /(^|\.)(password_hash|custom_password_hash|password)$/u;

/** Checks export fields (400 `invalid_body` for a bad one). */
export function checkExportFields(fields: unknown): ExportField[] {
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > 100) {
    throw new GatehouseError('invalid_body', { field: 'fields', message: 'fields must be an array of 1 to 100 {name, export_as?} objects.' });
  }
  return fields.map((f: unknown) => {
    const field = f as Record<string, unknown>;
    const ok = field !== null && typeof field === 'object' && typeof field.name === 'string' && /^[A-Za-z0-9_.-]{1,255}$/u.test(field.name) &&
      (field.export_as === undefined || (typeof field.export_as === 'string' && field.export_as.length >= 1 && field.export_as.length <= 255)) &&
      Object.keys(field).every((k) => k === 'name' || k === 'export_as');
    if (!ok) throw new GatehouseError('invalid_body', { field: 'fields', message: 'Each field is {name, export_as?} with a dotted field name.' });
    if (FORBIDDEN.test(field.name as string)) {
      throw new GatehouseError('invalid_body', { field: 'fields', message: 'Password hashes are never exported.' });
    }
    return field.export_as === undefined ? { name: field.name as string } : { name: field.name as string, export_as: field.export_as as string };
  });
}

function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * A CSV cell that a spreadsheet will not run as a formula (OWASP's CSV injection advice): a text
 * starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /^[=+\-@\t\r]/u.test(text) ? `'${text}` : text;
}

/**
 * Streams the users of a connection as NDJSON or CSV text, a keyset page at a time (bounded
 * memory, no 1,000-user cap), ordered by user_id. Only the named fields; never a password hash.
 *
 * @example
 * for await (const chunk of exportUsers({ storage, connection: null, format: 'csv', fields: [{ name: 'email' }] })) out.write(chunk);
 */
export async function* exportUsers(options: UsersExportOptions): AsyncGenerator<string> {
  const fields = options.fields ? checkExportFields(options.fields) : [...DEFAULT_EXPORT_FIELDS];
  const pageSize = options.pageSize ?? 1000;
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  const query = options.connection === null ? null : parseQuery(`identities.connection:${JSON.stringify(options.connection)}`);
  const columns = fields.map((f) => f.export_as ?? f.name);
  if (options.format === 'csv') yield stringify([columns.map(csvCell)]);
  let after: string | null = null;
  while (left > 0) {
    const perPage = Math.min(pageSize, left);
    const page = await options.storage.searchUsers({ query, page: 0, perPage, includeTotals: false, sort: { field: 'user_id', direction: 1 }, after });
    if (page.users.length === 0) return;
    const rows = page.users.map((user) => {
      const json = userToJson(user);
      return fields.map((f) => pick(json, f.name));
    });
    if (options.format === 'csv') {
      yield stringify(rows.map((row) => row.map(csvCell)));
    } else {
      yield rows
        .map((row) => {
          const object: Record<string, unknown> = {};
          row.forEach((value, k) => {
            if (value !== undefined) object[columns[k]!] = value;
          });
          return `${JSON.stringify(object)}\n`;
        })
        .join('');
    }
    left -= page.users.length;
    options.onPage?.(page.users.length);
    after = page.next ?? null;
    if (after === null) return;
  }
}
