import { GatehouseError, isGatehouseError } from '@gatehouse/core';

/**
 * Protocol error codes (openid-client / oauth4webapi) that mean "what arrived at the callback, or
 * what the token endpoint answered, fails the checks": state, iss, ID token signature, alg, aud,
 * nonce, expiry, sub. The user's browser (or an attacker) brought it, so it is a 400, not an outage.
 */
const REJECTED_RESPONSE_CODES: ReadonlySet<string> = new Set([
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_PARSE_ERROR',
  'OAUTH_UNSUPPORTED_OPERATION',
]);

/** Token endpoint errors (RFC 6749 5.2) about the grant itself: a replayed or expired code, a wrong PKCE verifier. */
const REJECTED_GRANT_ERRORS: ReadonlySet<string> = new Set(['invalid_grant', 'invalid_request']);

/** "outer: inner: innermost", for the audit log: openid-client's own messages are generic, their causes precise. */
function reasonOf(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth += 1) parts.push(e.message);
  return parts.join(': ') || String(err);
}

/** A callback the connection refuses (400); `cause` keeps the library's reason for the audit log. */
export function rejectedResponse(cause: unknown): GatehouseError {
  return new GatehouseError('invalid_oauth_response', { cause: new Error(reasonOf(cause), { cause }) });
}

/**
 * Maps what a Passport OAuth strategy reports through `error()` to Gatehouse's errors, by the
 * errors' structure (class name, code, error field), never their message:
 * - a rejected answer (see above) is `invalid_oauth_response` (400);
 * - a provider that cannot be reached, answers 5xx, or refuses the client's own credentials
 *   (`invalid_client`: a configuration problem, not the user's) is `connection_unavailable` (503);
 * - a GatehouseError (the profile mapping's `invalid_profile`) stays as it is.
 */
export function classifyOAuthError(err: unknown): GatehouseError {
  if (isGatehouseError(err)) return err;
  const e = err as { name?: unknown; code?: unknown; error?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  // passport-oauth2's TokenError carries the token endpoint's `error` as `code`; openid-client's
  // ResponseBodyError carries it as `error`.
  if (name === 'TokenError' && typeof e?.code === 'string' && REJECTED_GRANT_ERRORS.has(e.code)) return rejectedResponse(err);
  if (name === 'ResponseBodyError' && typeof e?.error === 'string' && REJECTED_GRANT_ERRORS.has(e.error)) return rejectedResponse(err);
  if (name === 'ClientError' && typeof e?.code === 'string' && REJECTED_RESPONSE_CODES.has(e.code)) return rejectedResponse(err);
  return new GatehouseError('connection_unavailable', { cause: err });
}
