import { randomBytes } from 'node:crypto';

/** A new job id: `job_` and 16 random hex characters, as Auth0's `job_…` ids. */
export function newJobId(): string {
  return `job_${randomBytes(8).toString('hex')}`;
}

/** The record as it may be shown back (job errors): never its password hashes. */
export function withoutHashes(record: unknown): Record<string, unknown> {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return {};
  const { password_hash: _hash, custom_password_hash: _custom, ...rest } = record as Record<string, unknown>;
  return rest;
}
