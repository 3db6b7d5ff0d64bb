import { IMPORT_ERROR_CODES } from '@gatehouse/core';
import { file, json, operation, param } from './operation.js';
import type { JsonSchema, PathItem } from './openapi-types.js';
import { ref } from './schemas.js';

const count = { type: 'integer', minimum: 0 } as const;

/** The jobs' schemas, added to components/schemas. */
export const JOB_SCHEMAS: Record<string, JsonSchema> = {
  Job: {
    type: 'object',
    description: 'An import or export job as Auth0\'s `GET /jobs/{id}` shows it (a new job answers the first five fields).',
    properties: {
      status: { enum: ['pending', 'processing', 'completed', 'failed'] },
      type: { enum: ['users_import', 'users_export'] },
      id: { type: 'string' },
      connection_id: { type: ['string', 'null'] },
      created_at: { type: 'string', format: 'date-time' },
      external_id: { type: 'string' },
      format: { enum: ['json', 'csv', 'ndjson'] },
      percentage_done: { type: 'integer', minimum: 0, maximum: 100 },
      time_left_seconds: count,
      summary: {
        type: 'object',
        properties: { inserted: count, updated: count, failed: count, total: count },
        required: ['inserted', 'updated', 'failed', 'total'],
        additionalProperties: false,
      },
      location: { type: 'string', format: 'uri', description: 'A completed export\'s file (`GET /jobs/{id}/file`).' },
      status_details: { type: 'string', description: 'Why a failed job failed (Auth0\'s field).' },
    },
    required: ['status', 'type', 'id', 'created_at'],
    additionalProperties: false,
  },
  JobError: {
    type: 'object',
    description: 'A record an import refused, with Auth0\'s per-record error codes.',
    properties: {
      user: { type: 'object' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          properties: { code: { enum: Object.keys(IMPORT_ERROR_CODES) }, message: { type: 'string' }, path: { type: 'string' } },
          required: ['code', 'message', 'path'],
          additionalProperties: false,
        },
      },
    },
    required: ['user', 'errors'],
    additionalProperties: false,
  },
};

const jobId = param('id', 'path', { type: 'string' }, 'The job id (`job_…`).');

/** `/jobs/users-imports`, `/jobs/users-exports`, `/jobs/{id}`, `/jobs/{id}/errors`, `/jobs/{id}/file`. */
export const JOBS_PATHS: Record<string, PathItem> = {
  '/jobs/users-imports': {
    post: operation({
      operationId: 'importUsers',
      summary: 'Import users from a file',
      description: 'Auth0\'s bulk-import JSON array or NDJSON, streamed to disk (no size cap), imported in the background; resumable after a crash.',
      tag: 'Jobs',
      scopes: [['create:users']],
      change: true,
      bodyType: 'multipart/form-data',
      body: {
        type: 'object',
        properties: {
          users: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The file.' },
          connection_id: { type: 'string', description: 'The connection\'s name (`Username-Password-Authentication`).' },
          upsert: { enum: ['true', 'false'] },
          external_id: { type: 'string', minLength: 1, maxLength: 255 },
          send_completion_email: { enum: ['true', 'false'] },
        },
        required: ['users', 'connection_id'],
      },
      responses: { 201: json('The pending job.', ref('Job')) },
    }),
  },
  '/jobs/users-exports': {
    post: operation({
      operationId: 'exportUsers',
      summary: 'Export users to NDJSON or CSV',
      tag: 'Jobs',
      scopes: [['read:users']],
      change: true,
      body: {
        type: 'object',
        properties: {
          connection_id: { type: 'string' },
          format: { enum: ['json', 'csv'], default: 'json' },
          limit: { type: 'integer', minimum: 1 },
          fields: {
            type: 'array',
            minItems: 1,
            maxItems: 100,
            items: {
              type: 'object',
              properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,255}$' }, export_as: { type: 'string', minLength: 1, maxLength: 255 } },
              required: ['name'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
      responses: { 201: json('The pending job.', ref('Job')) },
    }),
  },
  '/jobs/{id}': {
    get: operation({
      operationId: 'getJob',
      summary: 'Get a job\'s progress',
      tag: 'Jobs',
      scopes: [['read:users'], ['create:users']],
      change: false,
      parameters: [jobId],
      responses: { 200: json('The job.', ref('Job')) },
      errors: [404],
    }),
  },
  '/jobs/{id}/errors': {
    get: operation({
      operationId: 'getJobErrors',
      summary: 'The records an import refused',
      tag: 'Jobs',
      scopes: [['read:users'], ['create:users']],
      change: false,
      parameters: [jobId],
      responses: { 200: json('Each refused record with its errors.', { type: 'array', items: ref('JobError') }) },
      errors: [404],
    }),
  },
  '/jobs/{id}/file': {
    get: operation({
      operationId: 'getJobFile',
      summary: 'A completed export\'s file',
      description: 'Where Auth0 answers a signed S3 URL, Gatehouse serves the file here, behind the same authentication.',
      tag: 'Jobs',
      scopes: [['read:users']],
      change: false,
      parameters: [jobId],
      responses: { 200: file('The exported users.', ['application/x-ndjson', 'text/csv']) },
      errors: [404],
    }),
  },
};
