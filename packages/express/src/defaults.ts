/** Every default of identity(), in one place (see IdentityOptions for what each means). */
export const DEFAULTS = {
  prefix: '/auth',
  database: 'sqlite:./data/gatehouse.sqlite',
  devSecretFile: './data/.gatehouse-dev-secret',
  sessionMaxAgeMs: 7 * 24 * 60 * 60 * 1000,
  sessionSweepIntervalMs: 15 * 60 * 1000,
  mailFrom: 'Gatehouse <no-reply@localhost>',
  requireVerifiedEmail: true,
  signup: true,
  defaultReturnTo: '/',
  trustProxy: false,
  appName: 'Gatehouse',
  verifyEmailTtlMs: 24 * 60 * 60 * 1000,
  resetPasswordTtlMs: 60 * 60 * 1000,
  metadataMergeMode: 'shallow',
  allowDevelopmentDefaults: false,
  managementApi: true,
} as const;
