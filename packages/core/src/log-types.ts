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
} as const;

export type LogType = (typeof LOG_TYPES)[keyof typeof LOG_TYPES];
