import './types.js';

export { identity, type IdentityRouter } from './identity.js';
export type { IdentityOptions, ManagementApiOptions } from './options.js';
export { requireAuth, requirePermission, userPermissions } from './guards.js';
export { safeReturnTo } from './return-to.js';
export { GatehouseSessionStore } from './session-store.js';
export type { GatehouseContext } from './context.js';
