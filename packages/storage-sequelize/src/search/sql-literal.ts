import type { Sequelize } from 'sequelize';

/**
 * A value as an SQL literal, escaped by the driver. Dates are the exception on MySQL/MariaDB,
 * whose escaping drops the milliseconds that DATETIME(3) keeps: there they are written out in UTC
 * (the connection's time zone) with milliseconds.
 */
export function sqlLiteral(sequelize: Sequelize, value: unknown): string {
  const dialect = sequelize.getDialect();
  if (value instanceof Date && (dialect === 'mysql' || dialect === 'mariadb')) {
    return `'${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  }
  return sequelize.escape(value as string);
}
