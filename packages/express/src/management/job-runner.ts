import { exportUsers, runUsersImport, type ExportField, type JobRecord } from '@gatehouse/core';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GatehouseContext } from '../context.js';

/** The file of an export job in the jobs directory. */
export function exportFileName(job: Pick<JobRecord, 'id' | 'params'>): string {
  return `${job.id}.${job.params.format === 'csv' ? 'csv' : 'ndjson'}`;
}

/** The uploaded file of an import job, kept until the import completes (so it can be resumed). */
export function uploadFileName(jobId: string): string {
  return `${jobId}.upload`;
}

/**
 * Runs jobs in the background of this process, one promise each, after the HTTP answer has gone.
 * A job that throws is marked failed with the reason; an import's checkpoint stays where its last
 * batch left it, so `gatehouse users import FILE --resume JOB_ID` can finish it.
 */
export function jobRunner(gh: GatehouseContext) {
  const dir = gh.options.jobsDirectory;
  const fail = (job: JobRecord) => async (err: unknown) => {
    gh.options.logger.error(`gatehouse: job ${job.id} failed:`, err);
    await gh.storage.failJob(job.id, gh.users.clock(), err instanceof Error ? err.message : String(err)).catch(() => undefined);
  };

  return {
    startImport(job: JobRecord): void {
      const file = join(dir, uploadFileName(job.id));
      void runUsersImport(createReadStream(file), {
        storage: gh.storage,
        jobId: job.id,
        connection: job.connection ?? gh.users.databaseConnection,
        upsert: job.params.upsert === true,
        usernameMaxLength: gh.users.usernameMaxLength,
        clock: gh.users.clock,
      })
        .then(() => rm(file, { force: true }))
        .catch(fail(job));
    },

    startExport(job: JobRecord): void {
      const name = exportFileName(job);
      const run = async () => {
        await gh.storage.updateJobProgress(job.id, { status: 'processing', at: gh.users.clock() });
        let written = 0;
        const chunks = exportUsers({
          storage: gh.storage,
          connection: job.connection,
          format: job.params.format === 'csv' ? 'csv' : 'ndjson',
          fields: job.params.fields as ExportField[] | undefined,
          limit: typeof job.params.limit === 'number' ? job.params.limit : undefined,
          onPage: (users) => {
            written += users;
          },
        });
        await pipeline(Readable.from(chunks), createWriteStream(join(dir, name), { mode: 0o600 }));
        await gh.storage.updateJobProgress(job.id, { add: { total: written }, at: gh.users.clock() });
        await gh.storage.completeJob(job.id, gh.users.clock(), name);
      };
      void run().catch(fail(job));
    },

    /** The export file of a completed job, as a stream. */
    openExport(job: JobRecord) {
      return createReadStream(join(dir, exportFileName(job)));
    },
  };
}
