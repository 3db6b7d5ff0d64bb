/** The API identifier that management permissions are granted on (Auth0's `resource_server_identifier`). */
export const MANAGEMENT_API = 'urn:gatehouse:management-api';

/** Auth0's Management API scopes that Gatehouse knows, plus self-service ones. */
export const MANAGEMENT_SCOPES = [
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'update:users_app_metadata',
  'read:user_idp_tokens',
  'read:logs',
  'read:roles',
  'create:roles',
  'update:roles',
  'delete:roles',
  'read:role_members',
  'create:role_members',
  'delete:role_members',
  'impersonate:users',
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:grants',
  'delete:grants',
  'read:signing_keys',
  'create:signing_keys',
  'update:signing_keys',
] as const;

/** One of MANAGEMENT_SCOPES. */
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

/** True for a scope Gatehouse knows. */
export function isManagementScope(value: unknown): value is ManagementScope {
  return typeof value === 'string' && (MANAGEMENT_SCOPES as readonly string[]).includes(value);
}

/** The role that every first administrator gets. */
export const ADMIN_ROLE = {
  id: 'rol_gatehouse_admin',
  name: 'admin',
  description: 'Administrators: every management permission.',
  permissions: MANAGEMENT_SCOPES.map((permission_name) => ({ resource_server_identifier: MANAGEMENT_API, permission_name })),
};
