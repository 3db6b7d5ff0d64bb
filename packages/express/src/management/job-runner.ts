import { exportUsers, GatehouseError, runUsersImport, type ExportField, type JobRecord } from '@gatehouse/core';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
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

/** How long a job's lease lasts without renewal; the runner renews it three times as often. */
const LEASE_MS = 60_000;

const runners = new WeakMap<GatehouseContext, ReturnType<typeof createJobRunner>>();

/**
 * Runs jobs in the background of this process, one promise each, after the HTTP answer has gone.
 * One runner per identity(), shared by the routes and the start-up resume.
 *
 * A running job holds a lease in the database that the runner renews; a job that throws is marked
 * failed with the reason. A job whose lease ran out was interrupted (a crash, a restart): at start
 * the runner takes over interrupted imports whose uploaded file is in its jobs directory and
 * resumes them from their checkpoint (nothing imported twice); interrupted exports are failed.
 * `gatehouse users import FILE --resume JOB_ID` finishes an import by hand.
 */
export function jobRunner(gh: GatehouseContext): ReturnType<typeof createJobRunner> {
  let runner = runners.get(gh);
  if (!runner) {
    runner = createJobRunner(gh);
    runners.set(gh, runner);
  }
  return runner;
}

function createJobRunner(gh: GatehouseContext) {
  const dir = gh.options.jobsDirectory;
  const owner = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  /** The jobs this process runs, until their promise settles. */
  const running = new Set<string>();
  const track = (jobId: string, work: Promise<unknown>) => {
    running.add(jobId);
    void work.finally(() => running.delete(jobId));
  };
  /** Runs `work` while holding the job's lease; does nothing when another process holds it. */
  const leased = async (jobId: string, work: () => Promise<unknown>): Promise<void> => {
    const claim = () => {
      const now = gh.users.clock();
      return gh.storage.claimJob(jobId, owner, new Date(now.getTime() + LEASE_MS), now);
    };
    if (!(await claim())) return;
    const renew = setInterval(() => {
      claim().catch((err: unknown) => gh.options.logger.warn(`[gatehouse] could not renew the lease of job ${jobId}:`, err));
    }, LEASE_MS / 3);
    renew.unref();
    try {
      await work();
    } finally {
      clearInterval(renew);
    }
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
      const run = () =>
        runUsersImport(createReadStream(file), {
          storage: gh.storage,
          jobId: job.id,
          connection: job.connection ?? gh.users.databaseConnection,
          upsert: job.params.upsert === true,
          usernameMaxLength: gh.users.usernameMaxLength,
          clock: gh.users.clock,
        }).then(() => rm(file, { force: true }));
      track(job.id, leased(job.id, run).catch(fail(job)));
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
      track(job.id, leased(job.id, run).catch(fail(job)));
    },

    /**
     * At start: takes over the jobs a crash or restart interrupted (lease run out, no progress for
     * a lease's length). Imports resume from their checkpoint when their upload is in this jobs
     * directory (another instance's upload stays for that instance); exports are failed.
     */
    async resumeInterrupted(): Promise<void> {
      const now = gh.users.clock();
      const stale = (job: JobRecord) => now.getTime() - job.updated_at.getTime() >= LEASE_MS && !running.has(job.id);
      for (const job of (await gh.storage.listUnclaimedJobs('users_import', now)).filter(stale)) {
        if (!(await stat(join(dir, uploadFileName(job.id))).catch(() => null))) continue;
        gh.options.logger.info(`[gatehouse] resuming import job ${job.id} after record ${job.checkpoint.records}`);
        this.startImport(job);
      }
      // An export is cheap to ask again and its half-written file is useless: it fails with a
      // reason the caller polling GET /jobs/{id} can act on, instead of running unasked.
      for (const job of (await gh.storage.listUnclaimedJobs('users_export', now)).filter(stale)) {
        if (await gh.storage.claimJob(job.id, owner, new Date(now.getTime() + LEASE_MS), now)) {
          await gh.storage.failJob(job.id, now, 'Interrupted by a restart; start a new export.');
        }
      }
    },

    /** The export file of a completed job, as a stream; `not_found` once the sweep has deleted it. */
    async openExport(job: JobRecord) {
      // Opened before answering, not checked then opened: the expiry sweep may delete the file in
      // between, and a stream that fails to open after the headers leaves the client a cut
      // connection instead of a 404. An open file stays readable after it is deleted.
      const handle = await open(join(dir, exportFileName(job)), 'r').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new GatehouseError('not_found', { message: 'The export file has expired; start a new export.' });
        throw err;
      });
      return handle.createReadStream();
    },
  };
}
