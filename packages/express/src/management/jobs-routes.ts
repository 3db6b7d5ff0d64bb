import { checkExportFields, GatehouseError, newJobId, type JobRecord } from '@gatehouse/core';
import busboy from 'busboy';
import express, { Router, type Request, type Response } from 'express';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { GatehouseContext } from '../context.js';
import { objectBody, onlyFields } from './body.js';
import { hasScopes, requireScopes } from './management-auth.js';
import { jobRunner, uploadFileName } from './job-runner.js';

/** Error rows read per query while streaming `GET /jobs/{id}/errors`. */
const ERRORS_PAGE = 500;
const MAX_EXPORT_LIMIT = 100_000_000;

/** Reading a job: Auth0 accepts read:users or create:users (the importer polls with the latter). */
function requireJobReader(_req: Request, res: Response, next: (err?: unknown) => void): void {
  next(hasScopes(res, 'read:users') || hasScopes(res, 'create:users') ? undefined : new GatehouseError('insufficient_scope'));
}

/**
 * Gatehouse has one database connection and no connection ids: its name is its id, so
 * `connection_id` takes the name ('Username-Password-Authentication').
 */
function connectionOf(gh: GatehouseContext, value: unknown, field: string): string {
  if (value !== gh.users.databaseConnection) {
    throw new GatehouseError('invalid_body', { field, message: `CONNECTION_NOT_FOUND: the connection ${JSON.stringify(value)} does not exist (use "${gh.users.databaseConnection}").` });
  }
  return value;
}

/** A job in Auth0's `GET /jobs/{id}` shape. */
function jobToJson(job: JobRecord, req: Request) {
  const done = job.status === 'completed' || job.status === 'failed';
  const size = typeof job.params.size === 'number' && job.params.size > 0 ? job.params.size : null;
  const fraction = done ? 1 : job.type === 'users_import' && size !== null ? Math.min(1, job.checkpoint.bytes / size) : 0;
  const elapsed = (job.updated_at.getTime() - job.created_at.getTime()) / 1000;
  const body: Record<string, unknown> = {
    status: job.status,
    type: job.type,
    id: job.id,
    connection_id: job.connection,
    created_at: job.created_at.toISOString(),
    percentage_done: Math.floor(fraction * 100),
    time_left_seconds: done || fraction === 0 ? 0 : Math.ceil((elapsed * (1 - fraction)) / fraction),
    summary: { ...job.summary },
  };
  if (job.external_id !== null) body.external_id = job.external_id;
  if (job.type === 'users_export') body.format = job.params.format;
  if (job.location !== null && job.status === 'completed') {
    body.location = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}/jobs/${encodeURIComponent(job.id)}/file`;
  }
  // Auth0's field for why a job failed.
  if (job.status === 'failed' && job.error !== null) body.status_details = job.error;
  return body;
}

/**
 * The upload of `POST /jobs/users-imports`, streamed by busboy straight into the jobs directory
 * (never held in memory; capped at `jobs.maxUploadBytes`): the `users` file and the text fields.
 */
async function receiveUpload(req: Request, path: string, maxBytes: number): Promise<{ fields: Record<string, string>; file: boolean }> {
  const fields: Record<string, string> = {};
  let writing: Promise<void> | null = null;
  let file: WriteStream | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 4096, fileSize: maxBytes } });
      } catch {
        reject(new GatehouseError('invalid_body', { message: 'The request must be multipart/form-data with a "users" file.' }));
        return;
      }
      parser.on('file', (name, stream) => {
        if (name !== 'users' || writing !== null) {
          stream.resume();
          return;
        }
        stream.on('limit', () => {
          req.unpipe(parser);
          req.resume();
          stream.destroy(new GatehouseError('payload_too_large', { message: `The file is larger than the ${maxBytes}-byte limit.` }));
        });
        file = createWriteStream(path, { mode: 0o600 });
        writing = pipeline(stream, file);
        writing.catch(reject);
      });
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('close', () => resolve());
      parser.on('error', () => reject(new GatehouseError('invalid_body', { message: 'The multipart body is malformed.' })));
      req.pipe(parser);
    });
    if (writing !== null) await writing;
  } catch (err) {
    // The caller deletes the partial file: the write stream must be closed first, or its pending
    // open could create the file again after the delete (a 413 that left a file behind).
    const open = file as WriteStream | null;
    if (open !== null && !open.closed) await new Promise<void>((resolve) => open.destroy().once('close', () => resolve()));
    throw err;
  }
  return { fields, file: writing !== null };
}

/**
 * `POST /jobs/users-imports`, `POST /jobs/users-exports`, `GET /jobs/{id}`, `GET /jobs/{id}/errors`
 * and `GET /jobs/{id}/file` (an export's file; Auth0 answers a signed S3 URL, Gatehouse serves it
 * here behind the same authentication). Jobs run in the background of this process.
 */
export function jobsRoutes(gh: GatehouseContext): Router {
  const router = Router();
  const runner = jobRunner(gh);
  const dir = gh.options.jobsDirectory;

  router.post('/jobs/users-imports', requireScopes('create:users'), async (req, res) => {
    if (!req.is('multipart/form-data')) {
      throw new GatehouseError('invalid_body', { message: 'The request must be multipart/form-data with a "users" file.' });
    }
    await runner.assertCapacity();
    const id = newJobId();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, uploadFileName(id));
    let job: JobRecord;
    try {
      const { fields, file } = await receiveUpload(req, path, gh.options.jobs.maxUploadBytes);
      if (!file) throw new GatehouseError('invalid_body', { field: 'users', message: 'Payload validation error: Missing required property: users.' });
      const extra = Object.keys(fields).find((k) => !['connection_id', 'upsert', 'external_id', 'send_completion_email'].includes(k));
      if (extra !== undefined) throw new GatehouseError('invalid_body', { field: extra, message: `Unknown field: ${extra}.` });
      for (const flag of ['upsert', 'send_completion_email']) {
        if (fields[flag] !== undefined && fields[flag] !== 'true' && fields[flag] !== 'false') {
          throw new GatehouseError('invalid_body', { field: flag, message: `${flag} must be true or false.` });
        }
      }
      if (fields.connection_id === undefined) {
        throw new GatehouseError('invalid_body', { field: 'connection_id', message: 'Payload validation error: Missing required property: connection_id.' });
      }
      const connection = connectionOf(gh, fields.connection_id, 'connection_id');
      const externalId = fields.external_id;
      if (externalId !== undefined && (externalId.length < 1 || externalId.length > 255)) {
        throw new GatehouseError('invalid_body', { field: 'external_id', message: 'external_id must be 1 to 255 characters.' });
      }
      const { size } = await stat(path);
      job = await gh.storage.createJob({
        id,
        type: 'users_import',
        connection,
        external_id: externalId ?? null,
        // send_completion_email is accepted for Auth0 compatibility; Gatehouse sends no such mail.
        params: { upsert: fields.upsert === 'true', size, send_completion_email: fields.send_completion_email === 'true' },
        created_at: gh.users.clock(),
      });
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    runner.startImport(job);
    const body: Record<string, unknown> = { status: 'pending', type: 'users_import', id: job.id, connection_id: job.connection, created_at: job.created_at.toISOString() };
    if (job.external_id !== null) body.external_id = job.external_id;
    res.status(201).json(body);
  });

  router.post('/jobs/users-exports', requireScopes('read:users'), express.json({ limit: '64kb', strict: true }), async (req, res) => {
    if (req.is('application/json') === false) throw new GatehouseError('invalid_body', { message: 'The request body must be JSON (Content-Type: application/json).' });
    const body = objectBody(req.body ?? {});
    onlyFields(body, ['connection_id', 'format', 'limit', 'fields']);
    const connection = body.connection_id === undefined ? null : connectionOf(gh, body.connection_id, 'connection_id');
    const format = body.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new GatehouseError('invalid_body', { field: 'format', message: 'format must be "json" or "csv".' });
    const limit = body.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_EXPORT_LIMIT)) {
      throw new GatehouseError('invalid_body', { field: 'limit', message: 'limit must be a positive integer.' });
    }
    const fields = body.fields === undefined ? undefined : checkExportFields(body.fields);
    await runner.assertCapacity();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const params: Record<string, unknown> = { format: format === 'csv' ? 'csv' : 'ndjson' };
    if (limit !== undefined) params.limit = limit;
    if (fields !== undefined) params.fields = fields;
    const job = await gh.storage.createJob({ id: newJobId(), type: 'users_export', connection, external_id: null, params, created_at: gh.users.clock() });
    runner.startExport(job);
    res.status(201).json({ ...jobToJson(job, req), status: 'pending', format });
  });

  router.get('/jobs/:id', requireJobReader, async (req, res) => {
    res.json(jobToJson(await jobOf(gh, req), req));
  });

  router.get('/jobs/:id/errors', requireJobReader, async (req, res) => {
    const job = await jobOf(gh, req);
    // Streamed a page at a time: a file with a million bad records stays a bounded read.
    res.type('json');
    res.write('[');
    let first = true;
    for (let offset = 0; ; offset += ERRORS_PAGE) {
      const page = await gh.storage.listJobErrors(job.id, { offset, limit: ERRORS_PAGE });
      for (const failure of page) {
        res.write(`${first ? '' : ','}${JSON.stringify({ user: failure.user, errors: failure.errors })}`);
        first = false;
      }
      if (page.length < ERRORS_PAGE) break;
    }
    res.end(']');
  });

  router.get('/jobs/:id/file', requireScopes('read:users'), async (req, res) => {
    const job = await jobOf(gh, req);
    if (job.type !== 'users_export' || job.status !== 'completed' || job.location === null) {
      throw new GatehouseError('not_found', { message: 'The job has no file (yet).' });
    }
    const file = await runner.openExport(job);
    const csv = job.params.format === 'csv';
    res.type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.attachment(job.location);
    await pipeline(file, res);
  });

  return router;
}

async function jobOf(gh: GatehouseContext, req: Request): Promise<JobRecord> {
  const job = await gh.storage.getJob(req.params.id as string);
  if (!job) throw new GatehouseError('not_found', { message: 'The job does not exist.' });
  return job;
}
