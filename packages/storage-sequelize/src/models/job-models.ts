import { DataTypes, type Sequelize } from 'sequelize';
import { modelOptions, type RowModel } from './row-model.js';

/** A row of `jobs`: a bulk job with its counters and resume checkpoint. */
export interface JobRow {
  id: string;
  type: string;
  status: string;
  connection: string | null;
  external_id: string | null;
  /** JSON text. */
  params: string;
  inserted: number | string;
  updated: number | string;
  failed: number | string;
  total: number | string;
  checkpoint_records: number | string;
  checkpoint_bytes: number | string;
  location: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  /** Who runs the job, until when (see 0013-job-leases). */
  lease_owner?: string | null;
  lease_until?: Date | null;
}

/** A row of `job_errors`: one refused record of an import. */
export interface JobErrorRow {
  job_id: string;
  record_index: number;
  /** JSON text, never with password hashes. */
  user: string;
  /** JSON text: [{code, message, path}]. */
  errors: string;
}

/** `jobs` and `job_errors`. */
export function defineJobModels(sequelize: Sequelize, prefix: string) {
  const job: RowModel<JobRow> = sequelize.define(
    `${prefix}jobs`,
    {
      id: { type: DataTypes.STRING, primaryKey: true },
      type: DataTypes.STRING,
      status: DataTypes.STRING,
      connection: DataTypes.STRING,
      external_id: DataTypes.STRING,
      params: DataTypes.TEXT,
      inserted: DataTypes.BIGINT,
      updated: DataTypes.BIGINT,
      failed: DataTypes.BIGINT,
      total: DataTypes.BIGINT,
      checkpoint_records: DataTypes.BIGINT,
      checkpoint_bytes: DataTypes.BIGINT,
      location: DataTypes.STRING,
      error: DataTypes.TEXT,
      created_at: DataTypes.DATE(3),
      updated_at: DataTypes.DATE(3),
      lease_owner: DataTypes.STRING(128),
      lease_until: DataTypes.DATE(3),
    },
    modelOptions(`${prefix}jobs`),
  );
  const jobError: RowModel<JobErrorRow> = sequelize.define(
    `${prefix}job_errors`,
    {
      job_id: { type: DataTypes.STRING, primaryKey: true },
      record_index: { type: DataTypes.BIGINT, primaryKey: true },
      user: DataTypes.TEXT,
      errors: DataTypes.TEXT,
    },
    modelOptions(`${prefix}job_errors`),
  );
  return { job, jobError };
}
