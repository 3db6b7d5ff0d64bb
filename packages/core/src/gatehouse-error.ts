import { STATUS_CODES } from 'node:http';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.js';

/** The wire shape of an error, as Auth0's Management API sends it (plus `field` where one is at fault). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode: ErrorCode;
  field?: string;
}

export interface GatehouseErrorOptions {
  /** A message for people; the catalog's generic message when left out. */
  message?: string;
  /** The request field at fault, so forms can show the message beside it. */
  field?: string;
  cause?: unknown;
}

/**
 * The one error type of Gatehouse. `code` is stable; `status` is the HTTP status; `expose` says
 * whether the message may be shown to the caller (5xx messages never are).
 *
 * @example
 * throw new GatehouseError('inexistent_user');
 */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly field: string | undefined;

  constructor(code: ErrorCode, options: GatehouseErrorOptions = {}) {
    super(options.message ?? ERROR_CATALOG[code].message, { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.expose = this.status < 500;
    this.field = options.field;
  }

  /** The Auth0-shaped body for this error. */
  toBody(): ErrorBody {
    const body: ErrorBody = {
      statusCode: this.status,
      error: STATUS_CODES[this.status] ?? 'Error',
      message: this.expose ? this.message : ERROR_CATALOG[this.code].message,
      errorCode: this.code,
    };
    if (this.field !== undefined) body.field = this.field;
    return body;
  }
}

/** True for a GatehouseError, also across package copies (where instanceof fails). */
export function isGatehouseError(err: unknown): err is GatehouseError {
  return err instanceof GatehouseError || (err instanceof Error && err.name === 'GatehouseError' && 'code' in err);
}

/** Any thrown value as a GatehouseError: unknown errors become `internal_error`, with the original as cause. */
export function toGatehouseError(err: unknown): GatehouseError {
  return isGatehouseError(err) ? err : new GatehouseError('internal_error', { cause: err });
}
