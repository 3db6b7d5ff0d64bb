import './types.js';

export { identity, type IdentityRouter } from './identity.js';
export type { IdentityOptions, ManagementApiOptions } from './options.js';
export type { RateLimitsOptions } from './options.js';
export type { RequestLoginGuard } from './login-guard.js';
export type { RedisClientLike } from './rate-limiter-counters.js';
export { requireAuth, requirePermission, userPermissions } from './guards.js';
export { safeReturnTo } from './return-to.js';
export { GatehouseSessionStore } from './session-store.js';
export { customDatabase } from './custom-database-connection.js';
export { WrongUsernameOrPasswordError, type CustomDatabaseOptions, type CustomDatabaseProfile } from '@gatehouse/core';
export type { ProfilingFieldInput, ProfilingRuleInput } from '@gatehouse/core';
export type { GatehouseContext } from './context.js';
export { requireRecentLogin } from './recent-login.js';
export { forbidImpersonation, type Impersonator } from './impersonation-session.js';
