/** Auth0's log event type codes for the events Gatehouse records. */
export const LOG_TYPES = {
  successLogin: 's',
  failedLogin: 'f',
  failedLoginWrongPassword: 'fp',
  failedLoginUnknownUser: 'fu',
  successLogout: 'slo',
  successSignup: 'ss',
  failedSignup: 'fs',
  successChangePassword: 'scp',
  failedChangePassword: 'fcp',
  successChangePasswordRequest: 'scpr',
  successVerificationEmail: 'sv',
  successUserUpdate: 'sapi',
  successUserDeletion: 'sdu',
  blockedAccount: 'limit_wc',
  /** A breached password was used at login: the login was refused and a reset link sent. */
  breachedPasswordLogin: 'pwd_leak',
  breachedPasswordSignup: 'signup_pwd_leak',
  /** At a reset or a password change. */
  breachedPasswordReset: 'reset_pwd_leak',
  /** An IP throttled after too many failed logins across accounts (suspicious IP throttling). */
  blockedIpAddress: 'limit_mu',
  /** A brute-force block lifted (unblock link, reset, admin). */
  unblockedAccount: 'ublkdu',
  /** An admin began impersonating a user (user_id: the target; details.actor: the impersonator). */
  impersonationStarted: 'impersonation_start',
  /** An impersonation ended: stopped, logged out, timed out, or ended by a change (details.reason). */
  impersonationEnded: 'impersonation_stop',
  /** An impersonation refused at its start, or an action refused inside an impersonated session. */
  impersonationRefused: 'impersonation_refused',
} as const;

export type LogType = (typeof LOG_TYPES)[keyof typeof LOG_TYPES];
