/**
 * Every error Gatehouse puts on the wire, by stable code. Codes are an API: they are listed in
 * docs/errors.md (a test keeps the two in step) and are never renamed.
 */
export const ERROR_CATALOG = {
  invalid_body: { status: 400, message: 'The request body is not valid.' },
  invalid_query_string: { status: 400, message: 'The query string is not valid.' },
  invalid_metadata: { status: 400, message: 'The metadata is not valid.' },
  invalid_query: { status: 400, message: 'The search query is not valid.' },
  field_not_allowed: { status: 400, message: 'This field cannot be changed here.' },
  password_too_short: { status: 400, message: 'The password is too short.' },
  password_too_long: { status: 400, message: 'The password is too long.' },
  invalid_token: { status: 400, message: 'This link is invalid or has expired.' },
  invalid_credentials: { status: 401, message: 'Wrong email or password.' },
  login_required: { status: 401, message: 'You need to sign in first.' },
  invalid_api_token: { status: 401, message: 'The access token is missing, invalid, expired or revoked.' },
  user_blocked: { status: 401, message: 'This account is blocked.' },
  email_not_verified: { status: 401, message: 'Please verify your email address before signing in.' },
  invalid_current_password: { status: 403, message: 'The current password is wrong.' },
  reauthentication_required: { status: 403, message: 'Please sign in again to make this change.' },
  insufficient_scope: { status: 403, message: 'Insufficient scope or permissions for this operation.' },
  invalid_csrf_token: { status: 403, message: 'The form expired or came from another site. Reload the page and try again.' },
  invalid_origin: { status: 403, message: 'Cross-site requests are not allowed.' },
  inexistent_user: { status: 404, message: 'The user does not exist.' },
  not_found: { status: 404, message: 'Not found.' },
  inexistent_role: { status: 404, message: 'The role does not exist.' },
  inexistent_identity: { status: 404, message: 'The user does not have this identity.' },
  user_exists: { status: 409, message: 'The user already exists.' },
  role_exists: { status: 409, message: 'A role with this name already exists.' },
  last_admin: { status: 409, message: 'The last administrator cannot be removed.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  too_many_requests: { status: 429, message: 'Too many requests. Try again later.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  storage_unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
  session_store_unavailable: { status: 503, message: 'Sessions are temporarily unavailable.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable error code of the catalog. */
export type ErrorCode = keyof typeof ERROR_CATALOG;
