import type { Dialect } from '../options.js';
import { sqliteDate } from '../sqlite-statements.js';

/** A value a search compares a column with. */
export type SearchValue = string | number | boolean | Date;

/** A search value in the form its driver is given (see bindValue). */
export type BoundValue = string | number | boolean;

/**
 * A search value in the form that compares like the column's stored value. Dates become text:
 * on SQLite as Sequelize writes a DATE column (`sqliteDate`), which sorts as time; on
 * MySQL/MariaDB in UTC (the connection's time zone) with milliseconds, which Sequelize's own
 * escaping drops though DATETIME(3) keeps them; on PostgreSQL the same text with its explicit
 * offset. SQLite stores booleans as 1/0. On PostgreSQL and MySQL/MariaDB these are Sequelize
 * replacements, escaped by the driver's rules; on SQLite they are bound to a prepared statement.
 */
export function bindValue(dialect: Dialect, value: SearchValue): BoundValue {
  if (value instanceof Date) {
    return dialect === 'mysql' || dialect === 'mariadb' ? value.toISOString().replace('T', ' ').replace('Z', '') : sqliteDate(value);
  }
  if (typeof value === 'boolean' && dialect === 'sqlite') return value ? 1 : 0;
  return value;
}
