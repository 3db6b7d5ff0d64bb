import { GatehouseError, isManagementScope, MANAGEMENT_API, type Permission } from '@gatehouse/core';

/** The JSON object body of a request (400 `invalid_body` for anything else). */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatehouseError('invalid_body', { message: 'The request body must be a JSON object.' });
  }
  return body as Record<string, unknown>;
}

/** Refuses fields other than `allowed` (Auth0's payload validation is strict too). */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new GatehouseError('invalid_body', { field: extra, message: `Unknown field: ${extra}.` });
}

function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max && !/[\u0000-\u001f]/u.test(value);
}

/** `{<field>: ["id", ...]}`: a non-empty array of at most 100 ids, without duplicates. */
export function idList(body: unknown, field: string): string[] {
  const object = objectBody(body);
  onlyFields(object, [field]);
  const list = object[field];
  if (!Array.isArray(list) || list.length === 0 || list.length > 100 || !list.every((id) => isText(id, 255))) {
    throw new GatehouseError('invalid_body', { field, message: `${field} must be an array of 1 to 100 ids.` });
  }
  return [...new Set(list as string[])];
}

/** `{permissions: [{resource_server_identifier, permission_name}, ...]}`. */
export function permissionList(body: unknown): Permission[] {
  const object = objectBody(body);
  onlyFields(object, ['permissions']);
  const list = object.permissions;
  const message = 'permissions must be an array of 1 to 100 {resource_server_identifier, permission_name} objects.';
  if (!Array.isArray(list) || list.length === 0 || list.length > 100) {
    throw new GatehouseError('invalid_body', { field: 'permissions', message });
  }
  return list.map((item: unknown) => {
    const p = objectBody(item);
    if (Object.keys(p).some((k) => k !== 'resource_server_identifier' && k !== 'permission_name') ||
      !isText(p.resource_server_identifier, 255) || !isText(p.permission_name, 191)) {
      throw new GatehouseError('invalid_body', { field: 'permissions', message });
    }
    // The management API's permissions are its scopes: an unknown one could never be used.
    if (p.resource_server_identifier === MANAGEMENT_API && !isManagementScope(p.permission_name)) {
      throw new GatehouseError('invalid_body', { field: 'permissions', message: `Unknown management API permission: ${p.permission_name}.` });
    }
    return { resource_server_identifier: p.resource_server_identifier, permission_name: p.permission_name };
  });
}

/** An optional boolean field. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new GatehouseError('invalid_body', { field, message: `${field} must be true or false.` });
  return value;
}

/** An optional string field of 1..max printable characters. */
export function optionalText(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!isText(value, max)) throw new GatehouseError('invalid_body', { field, message: `${field} must be 1 to ${max} characters.` });
  return value;
}
