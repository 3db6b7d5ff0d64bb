import { GatehouseError, isGatehouseError } from '@gatehouse/core';
import { ConnectionError, DatabaseError, ForeignKeyConstraintError, TimeoutError, UniqueConstraintError } from 'sequelize';

/**
 * Driver error codes that mean "the database is not there right now" when they arrive wrapped in
 * a plain DatabaseError instead of a ConnectionError (a connection lost mid-query, a server
 * shutting down, a SQLite file that cannot be opened).
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
]);

function driverCode(err: unknown): string | undefined {
  const parent = (err as { parent?: { code?: unknown }; original?: { code?: unknown } }).parent;
  const code = parent?.code ?? (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A query that failed because its connection died, told apart by structure, not by message. */
function isTransportFailure(err: unknown): boolean {
  const parent = err instanceof DatabaseError ? (err as { parent?: unknown }).parent : undefined;
  if (!(parent instanceof Error)) return false;
  // mysql2 flags errors after which the connection is unusable.
  if ((parent as { fatal?: unknown }).fatal === true) return true;
  // node-postgres reports a connection that ended mid-query ("Connection terminated
  // unexpectedly") as a plain Error without a code; every error the server sends has a SQLSTATE.
  return Object.getPrototypeOf(parent) === Error.prototype && (parent as { code?: unknown }).code === undefined;
}

/**
 * The one place database errors become domain errors: a uniqueness violation is `user_exists`,
 * a missing referenced user `inexistent_user`, and an unreachable, locked or vanished database
 * `storage_unavailable` (the cause kept for logs). Anything else is rethrown as it is, so a bug
 * surfaces as an internal error instead of an empty result.
 */
export function toStorageError(err: unknown): unknown {
  if (isGatehouseError(err)) return err;
  if (err instanceof UniqueConstraintError) return new GatehouseError('user_exists', { cause: err });
  if (err instanceof ForeignKeyConstraintError) return new GatehouseError('inexistent_user', { cause: err });
  if (
    err instanceof ConnectionError ||
    err instanceof TimeoutError ||
    UNAVAILABLE_CODES.has(driverCode(err) ?? '') ||
    isTransportFailure(err)
  ) {
    return new GatehouseError('storage_unavailable', { cause: err });
  }
  return err;
}

/** True for errors that mean the database cannot be reached (for ping). */
export function isUnavailable(err: unknown): boolean {
  const mapped = toStorageError(err);
  return isGatehouseError(mapped) && mapped.code === 'storage_unavailable';
}
