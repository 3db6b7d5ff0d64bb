import type { ImportFailure, JobRecord, JobStatus, JobStore, JobSummary, JobType } from '@gatehouse/core';
import { literal, Op, type Transaction } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import type { JobRow } from '../models/job-models.js';
import { rowOf } from '../models/row-model.js';
import { toDate } from '../user-mapper.js';

export function toJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    type: row.type as JobType,
    status: row.status as JobStatus,
    connection: row.connection,
    external_id: row.external_id,
    params: JSON.parse(row.params) as Record<string, unknown>,
    summary: { inserted: Number(row.inserted), updated: Number(row.updated), failed: Number(row.failed), total: Number(row.total) },
    checkpoint: { records: Number(row.checkpoint_records), bytes: Number(row.checkpoint_bytes) },
    location: row.location,
    error: row.error,
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

/** `column + n` in the database: counters never go through a read-modify-write. */
function increments(add: Partial<JobSummary> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['inserted', 'updated', 'failed', 'total'] as const) {
    const n = add?.[key] ?? 0;
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`Job counter ${key} must be a non-negative integer.`);
    if (n > 0) out[key] = literal(`${key} + ${n}`);
  }
  return out;
}

/** Adds error rows in the caller's transaction; a record number already listed stays as it is. */
export async function insertJobErrors(ctx: AdapterContext, jobId: string, failures: ImportFailure[], transaction?: Transaction): Promise<void> {
  if (failures.length === 0) return;
  const rows = failures.map((f) => ({ job_id: jobId, record_index: f.index, user: JSON.stringify(f.user), errors: JSON.stringify(f.errors) }));
  for (let i = 0; i < rows.length; i += 500) {
    await ctx.models.jobError.bulkCreate(rows.slice(i, i + 500), { transaction, ignoreDuplicates: true });
  }
}

export function createJobStore(ctx: AdapterContext): JobStore {
  const { models } = ctx;
  const finished = { [Op.notIn]: ['completed', 'failed'] };

  /**
   * After an import, PostgreSQL's planner still has the statistics of the tables before it (until
   * autovacuum gets to them), and may plan searches and export pages as sorts of the whole table
   * instead of index walks. ANALYZE samples a fixed number of rows: fractions of a second at a
   * million users.
   */
  async function refreshStatistics(id: string): Promise<void> {
    const job = await models.job.findByPk(id, { attributes: ['type'] });
    if (job?.get('type') !== 'users_import') return;
    const qi = ctx.sequelize.getQueryInterface();
    const tables = [models.user.tableName, models.identity.tableName, models.metadataValue.tableName].map((name) => qi.quoteIdentifier(name));
    await ctx.sequelize.query(`ANALYZE ${tables.join(', ')}`);
  }

  return {
    async createJob(job) {
      const row: JobRow = {
        id: job.id,
        type: job.type,
        status: 'pending',
        connection: job.connection,
        external_id: job.external_id,
        params: JSON.stringify(job.params),
        inserted: 0,
        updated: 0,
        failed: 0,
        total: 0,
        checkpoint_records: 0,
        checkpoint_bytes: 0,
        location: null,
        error: null,
        created_at: job.created_at,
        updated_at: job.created_at,
      };
      await ctx.writeOne(() => models.job.create(row));
      return toJob(row);
    },

    async getJob(id) {
      const row = await models.job.findByPk(id);
      return row ? toJob(rowOf(row)) : null;
    },

    async updateJobProgress(id, progress) {
      const values: Record<string, unknown> = { ...increments(progress.add), updated_at: progress.at };
      if (progress.checkpoint) {
        values.checkpoint_records = progress.checkpoint.records;
        values.checkpoint_bytes = progress.checkpoint.bytes;
      }
      // Reopening (a resumed import) clears the reason of an earlier failure.
      if (progress.status) Object.assign(values, { status: progress.status, error: null });
      const [count] = await ctx.writeOne(() => models.job.update(values as Partial<JobRow>, { where: { id } }));
      return count > 0;
    },

    async appendJobErrors(id, failures) {
      await ctx.transaction((transaction) => insertJobErrors(ctx, id, failures, transaction));
    },

    async listJobErrors(id, { offset, limit }) {
      const rows = await models.jobError.findAll({ where: { job_id: id }, order: [['record_index', 'ASC']], offset, limit });
      return rows.map((r) => {
        const row = rowOf(r);
        const failure: ImportFailure = { index: Number(row.record_index), user: JSON.parse(row.user) as ImportFailure['user'], errors: JSON.parse(row.errors) as ImportFailure['errors'] };
        return failure;
      });
    },

    async completeJob(id, at, location) {
      const [count] = await ctx.writeOne(() =>
        models.job.update({ status: 'completed', updated_at: at, location: location ?? null }, { where: { id, status: finished } }),
      );
      if (count > 0 && ctx.dialect === 'postgres') await refreshStatistics(id);
      return count > 0;
    },

    async failJob(id, at, error) {
      const [count] = await ctx.writeOne(() => models.job.update({ status: 'failed', updated_at: at, error }, { where: { id, status: finished } }));
      return count > 0;
    },

    async claimJob(id, owner, until, now) {
      // One conditional UPDATE: the database lets one of concurrent claimers change the row.
      const [count] = await ctx.writeOne(() =>
        models.job.update(
          { lease_owner: owner, lease_until: until },
          { where: { id, status: finished, [Op.or]: [{ lease_until: null }, { lease_until: { [Op.lte]: now } }, { lease_owner: owner }] } },
        ),
      );
      return count > 0;
    },

    async listUnclaimedJobs(type, now) {
      const rows = await models.job.findAll({
        where: { type, status: finished, [Op.or]: [{ lease_until: null }, { lease_until: { [Op.lte]: now } }] },
        order: [['created_at', 'ASC'], ['id', 'ASC']],
      });
      return rows.map((row) => toJob(rowOf(row)));
    },
  };
}
