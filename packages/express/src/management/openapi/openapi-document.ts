import { APPLICATION_SCHEMAS, APPLICATIONS_PATHS } from './applications-paths.js';
import { IDENTITIES_PATHS } from './identities-paths.js';
import { IMPERSONATION_PATHS } from './impersonation-paths.js';
import { JOB_SCHEMAS, JOBS_PATHS } from './jobs-paths.js';
import { LOG_SCHEMAS, LOGS_PATHS } from './logs-paths.js';
import { ERROR_RESPONSES, HEADERS, json, PARAMETERS, SECURITY_SCHEMES } from './operation.js';
import type { OpenApiDocument, PathItem } from './openapi-types.js';
import { ROLES_PATHS } from './roles-paths.js';
import { SCHEMAS } from './schemas.js';
import { TICKETS_PATHS } from './tickets-paths.js';
import { USER_BLOCKS_PATHS } from './user-blocks-paths.js';
import { USER_RELATIONS_PATHS } from './user-relations-paths.js';
import { USERS_PATHS } from './users-paths.js';

const DOCUMENT_PATH: Record<string, PathItem> = {
  '/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      tags: ['Meta'],
      security: [],
      responses: {
        200: json('The OpenAPI 3.1 document of the Management API.', {
          type: 'object',
          properties: { openapi: { const: '3.1.0' }, paths: { type: 'object' } },
          required: ['openapi', 'paths'],
        }),
        429: { $ref: '#/components/responses/Error429' },
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the Management API as mounted at `/api/v2`: every route, its
 * parameters, bodies, scopes and Auth0-shaped errors. The error codes come from ERROR_CATALOG and
 * the tests check real responses against it, so it cannot drift from the code.
 */
export function managementOpenApi(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Gatehouse Management API v2',
      version: '2',
      description:
        'Auth0-compatible Management API: Auth0\'s paths, parameters, status codes and bodies, so scripts and the official `auth0` SDK keep working. ' +
        'Every answer carries `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (per API token, signed-in user, or IP).',
    },
    servers: [{ url: '/api/v2' }],
    tags: [
      { name: 'Users' },
      { name: 'User Blocks' },
      { name: 'Roles' },
      { name: 'Logs' },
      { name: 'Tickets' },
      { name: 'Jobs' },
      { name: 'Clients' },
      { name: 'Grants' },
      { name: 'Keys' },
      { name: 'Meta' },
    ],
    paths: { ...USERS_PATHS, ...IDENTITIES_PATHS, ...USER_RELATIONS_PATHS, ...USER_BLOCKS_PATHS, ...IMPERSONATION_PATHS, ...ROLES_PATHS, ...TICKETS_PATHS, ...JOBS_PATHS, ...LOGS_PATHS, ...APPLICATIONS_PATHS, ...DOCUMENT_PATH },
    components: {
      schemas: { ...SCHEMAS, ...JOB_SCHEMAS, ...LOG_SCHEMAS, ...APPLICATION_SCHEMAS },
      parameters: PARAMETERS,
      headers: HEADERS,
      responses: ERROR_RESPONSES,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
