import { GatehouseError } from './gatehouse-error.js';

/** A consent to record: what, which version of its text, and whether given (false: withdrawn). */
export interface ConsentInput {
  purpose: string;
  version: string;
  granted: boolean;
}

const PURPOSE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/u;
const VERSION = /^[\x21-\x7e]{1,64}$/u;

/**
 * Validates a consent: `purpose` an identifier (`terms_of_service`, `marketing:email`, at most 64
 * characters), `version` printable ASCII without spaces (at most 64), `granted` a boolean
 * (default true). Anything else is 400 `invalid_body` naming the field.
 */
export function parseConsentInput(body: unknown): ConsentInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatehouseError('invalid_body', { message: 'A consent must be an object: {purpose, version, granted?}.' });
  }
  const { purpose, version, granted = true, ...extra } = body as Record<string, unknown>;
  const unknown = Object.keys(extra)[0];
  if (unknown !== undefined) throw new GatehouseError('invalid_body', { field: unknown, message: `Unknown field: ${unknown}.` });
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    throw new GatehouseError('invalid_body', { field: 'purpose', message: 'purpose must be an identifier of at most 64 characters (letters, digits, _ . : -).' });
  }
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new GatehouseError('invalid_body', { field: 'version', message: 'version must be 1 to 64 printable characters without spaces.' });
  }
  if (typeof granted !== 'boolean') throw new GatehouseError('invalid_body', { field: 'granted', message: 'granted must be true or false.' });
  return { purpose, version, granted };
}
