import { STATUS_CODES } from 'node:http';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.js';

/** The wire shape of an error, as Auth0's Management API sends it (plus `field` where one is at fault). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode: ErrorCode;
  field?: string;
  /** For a refused password: every rule it broke, so forms can list them all at once. */
  rules?: PasswordRuleFailure[];
}

/** One broken password rule, as error bodies list them (`code` is stable, e.g. `min_length`, `breached`). */
export interface PasswordRuleFailure {
  code: string;
  message: string;
}

export interface GatehouseErrorOptions {
  /** A message for people; the catalog's generic message when left out. */
  message?: string;
  /** The request field at fault, so forms can show the message beside it. */
  field?: string;
  /** The password rules broken (password_too_short/_long/_weak). */
  rules?: PasswordRuleFailure[];
  /** For 429 and 503: seconds until a retry may succeed, sent as `Retry-After`. */
  retryAfterSec?: number;
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
  readonly rules: PasswordRuleFailure[] | undefined;
  /** Seconds until a retry may succeed (the `Retry-After` header), when the error knows. */
  readonly retryAfterSec: number | undefined;

  constructor(code: ErrorCode, options: GatehouseErrorOptions = {}) {
    super(options.message ?? ERROR_CATALOG[code].message, { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.expose = this.status < 500;
    this.field = options.field;
    this.rules = options.rules;
    this.retryAfterSec = options.retryAfterSec;
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
    if (this.rules !== undefined) body.rules = this.rules.map((r) => ({ code: r.code, message: r.message }));
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
