import { exportUsers, GatehouseError, runUsersImport, type ExportField, type JobRecord } from '@gatehouse/core';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
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
 * Deletes export files older than `ttlMs` (by modification time). Uploads are left alone: an
 * unfinished import keeps its file so it can be resumed.
 */
export async function sweepExportFiles(dir: string, ttlMs: number, now: Date): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0; // No jobs directory yet: nothing was exported.
  }
  let removed = 0;
  for (const name of names.filter((n) => /^job_[\w-]+\.(ndjson|csv)$/u.test(n))) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && now.getTime() - info.mtimeMs > ttlMs) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}

/**
 * Runs jobs in the background of this process, one promise each, after the HTTP answer has gone.
 * A job that throws is marked failed with the reason; an import's checkpoint stays where its last
 * batch left it, so `gatehouse users import FILE --resume JOB_ID` can finish it.
 */
export function jobRunner(gh: GatehouseContext) {
  const dir = gh.options.jobsDirectory;
  /** The jobs this process runs, until their promise settles. */
  const running = new Set<string>();
  const track = (jobId: string, work: Promise<unknown>) => {
    running.add(jobId);
    void work.finally(() => running.delete(jobId));
  };
  const fail = (job: JobRecord) => async (err: unknown) => {
    gh.options.logger.error(`gatehouse: job ${job.id} failed:`, err);
    await gh.storage.failJob(job.id, gh.users.clock(), err instanceof Error ? err.message : String(err)).catch(() => undefined);
  };

  return {
    /**
     * Refuses a new job when this process already runs the configured maximum. A job whose status
     * is already completed or failed but whose promise is still tidying up (deleting its upload,
     * refreshing statistics) does not count: callers polling the status may start the next one.
     */
    async assertCapacity(): Promise<void> {
      const { maxRunning } = gh.options.jobs;
      if (running.size < maxRunning) return;
      const jobs = await Promise.all([...running].map((id) => gh.storage.getJob(id)));
      const active = jobs.filter((job) => job !== null && job.status !== 'completed' && job.status !== 'failed').length;
      if (active >= maxRunning) {
        throw new GatehouseError('too_many_requests', {
          message: `There are already ${active} jobs running. Wait for one to finish and try again.`,
        });
      }
    },

    startImport(job: JobRecord): void {
      const file = join(dir, uploadFileName(job.id));
      track(job.id, runUsersImport(createReadStream(file), {
        storage: gh.storage,
        jobId: job.id,
        connection: job.connection ?? gh.users.databaseConnection,
        upsert: job.params.upsert === true,
        usernameMaxLength: gh.users.usernameMaxLength,
        clock: gh.users.clock,
      })
        .then(() => rm(file, { force: true }))
        .catch(fail(job)));
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
      track(job.id, run().catch(fail(job)));
    },

    /** The export file of a completed job, as a stream; `not_found` once the sweep has deleted it. */
    async openExport(job: JobRecord) {
      const path = join(dir, exportFileName(job));
      if (!(await stat(path).catch(() => null))) throw new GatehouseError('not_found', { message: 'The export file has expired; start a new export.' });
      return createReadStream(path);
    },
  };
}
