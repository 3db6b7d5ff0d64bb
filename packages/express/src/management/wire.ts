import type { LogEvent, Permission, Role } from '@gatehouse/core';
import { MANAGEMENT_API } from '@gatehouse/core';

/** A role as Auth0's role endpoints answer: without its permissions. */
export function roleToJson(role: Role): { id: string; name: string; description: string } {
  return { id: role.id, name: role.name, description: role.description };
}

/** The display name of an API (Auth0's `resource_server_name`). */
function resourceServerName(identifier: string): string {
  return identifier === MANAGEMENT_API ? 'Gatehouse Management API' : identifier;
}

/** A permission as Auth0's permission lists show it. */
export function permissionToJson(p: Permission) {
  return {
    permission_name: p.permission_name,
    description: '',
    resource_server_name: resourceServerName(p.resource_server_identifier),
    resource_server_identifier: p.resource_server_identifier,
  };
}

/** A log event in Auth0's shape. */
export function logToJson(log: LogEvent) {
  return {
    log_id: log.log_id,
    date: log.date.toISOString(),
    type: log.type,
    description: log.description,
    user_id: log.user_id,
    ip: log.ip,
    details: log.details,
  };
}
