import {
  GatehouseError,
  type ImportBatchItem,
  type ImportBatchOptions,
  type ImportFailure,
  type ImportOutcome,
  type ImportStore,
} from '@gatehouse/core';
import { literal, Op, UniqueConstraintError, type Transaction } from 'sequelize';
import type { AdapterContext } from '../adapter-context.js';
import { replaceMetadataValues } from '../search/metadata-value-model.js';
import { metadataValueRows } from '../search/metadata-values.js';
import { toIdentityRow, toUserChangesRow, toUserRow } from '../user-mapper.js';
import { insertJobErrors } from './job-store.js';

/** Rows per multi-row INSERT: well under every driver's statement and parameter limits. */
const CHUNK = 500;

const lower = (v: string | null | undefined): string | null => (v === null || v === undefined ? null : v.toLowerCase());

interface Existing {
  user_id: string;
  email_lower: string | null;
  username_lower: string | null;
}

/**
 * The import port over SQL. A batch is one transaction: one lookup of the users it may collide
 * with (locked on PostgreSQL/MySQL when upserting), the decisions made in memory in file order,
 * then multi-row INSERTs of the new users with their identities, credentials and metadata search
 * rows (the same row mappers createUser uses), UPDATEs of the upserted ones, and the job's
 * counters, error rows and checkpoint. A user created concurrently through the API makes the
 * INSERT fail on a unique index; the batch is then retried, and the lookup sees that user.
 */
export function createImportStore(ctx: AdapterContext): ImportStore {
  const { models } = ctx;
  const qi = ctx.sequelize.getQueryInterface();
  const table = (model: { getTableName(): string | { tableName: string } }) => {
    const name = model.getTableName();
    return typeof name === 'string' ? name : name.tableName;
  };

  /**
   * PostgreSQL plans the batch lookups from its statistics, which autovacuum refreshes only now
   * and then (and not at all where it is off): a users table that grew from nothing by an import
   * still looks empty, and the lookups turn into scans that get slower with every batch. So the
   * import refreshes them itself each time the rows it added double (from 10,000): about ten
   * ANALYZEs for a million users, each sampling a fixed number of rows.
   */
  let inserted = 0;
  let analyzeAt = 10_000;
  async function keepStatisticsFresh(added: number): Promise<void> {
    if (ctx.dialect !== 'postgres') return;
    inserted += added;
    if (inserted < analyzeAt) return;
    analyzeAt = inserted * 2;
    const tables = [models.user, models.identity, models.metadataValue].map((m) => qi.quoteIdentifier(table(m)));
    await ctx.sequelize.query(`ANALYZE ${tables.join(', ')}`);
  }

  async function insertChunks(model: Parameters<typeof table>[0], rows: object[], transaction: Transaction): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) await qi.bulkInsert(table(model), rows.slice(i, i + CHUNK), { transaction });
  }

  /** The users and database identities the batch may collide with, in one pass. */
  async function lookup(batch: ImportBatchItem[], options: ImportBatchOptions, transaction: Transaction) {
    if (batch.length === 0) return { users: [] as Existing[], identities: new Set<string>() };
    const emails = [...new Set(batch.map((b) => lower(b.insert.email)).filter((e): e is string => e !== null))];
    const usernames = [...new Set(batch.flatMap((b) => [lower(b.insert.username), lower(b.update.username)]).filter((u): u is string => typeof u === 'string'))];
    const attributes = ['user_id', 'email_lower', 'username_lower'];
    // Two lookups, not one with OR: each is a walk of its (connection, column) index, where an OR
    // of the two leads SQLite to scan every user of the connection, a cost that grows with the table.
    const byKey = async (column: 'email_lower' | 'username_lower', values: string[]) =>
      values.length === 0
        ? []
        : models.user.findAll({
            attributes,
            where: { connection: options.connection, [column]: { [Op.in]: values } },
            transaction,
            lock: options.upsert && ctx.rowLock,
            raw: true,
          });
    const byConnection = [...(await byKey('email_lower', emails)), ...(await byKey('username_lower', usernames))];
    const byId = await models.user.findAll({ attributes, where: { user_id: { [Op.in]: batch.map((b) => b.insert.user_id) } }, transaction, raw: true });
    const identities = await models.identity.findAll({
      attributes: ['provider_user_id'],
      where: { provider: 'auth0', provider_user_id: { [Op.in]: batch.map((b) => b.insert.identity.user_id) } },
      transaction,
      raw: true,
    });
    return {
      users: [...(byConnection as unknown as Existing[]), ...(byId as unknown as Existing[])],
      // A database identity already linked to some user (perhaps under another user_id).
      identities: new Set((identities as unknown as { provider_user_id: string }[]).map((i) => i.provider_user_id)),
    };
  }

  async function writeBatch(batch: ImportBatchItem[], options: ImportBatchOptions, transaction: Transaction): Promise<ImportOutcome[]> {
    const existing = await lookup(batch, options, transaction);
    const byEmail = new Map<string, string>();
    const byUsername = new Map<string, string>();
    const ids = new Set<string>();
    for (const e of existing.users) {
      ids.add(e.user_id);
      if (e.email_lower !== null) byEmail.set(e.email_lower, e.user_id);
      if (e.username_lower !== null) byUsername.set(e.username_lower, e.user_id);
    }

    const seen = new Set<string>();
    const inserts: ImportBatchItem[] = [];
    const updates: { item: ImportBatchItem; userId: string }[] = [];
    const outcomes: ImportOutcome[] = [];
    for (const item of batch) {
      const { insert, index } = item;
      const email = lower(insert.email);
      const username = lower(insert.username);
      const keys = [email === null ? null : `e:${email}`, username === null ? null : `u:${username}`, `i:${insert.user_id}`].filter((k): k is string => k !== null);
      const duplicate = keys.some((k) => seen.has(k));
      for (const k of keys) seen.add(k);
      if (duplicate) {
        outcomes.push({ index, status: 'error', code: 'DUPLICATED_USER', message: 'A user with this email, username or user_id was already provided in this file.' });
        continue;
      }
      const match = email === null ? undefined : byEmail.get(email);
      if (match !== undefined) {
        if (!options.upsert) {
          outcomes.push({ index, status: 'error', code: 'CONFLICT_EMAIL', message: 'A user with this email already exists.' });
          continue;
        }
        const newUsername = item.update.username === undefined ? undefined : lower(item.update.username);
        const holder = typeof newUsername === 'string' ? byUsername.get(newUsername) : undefined;
        if (holder !== undefined && holder !== match) {
          outcomes.push({ index, status: 'error', code: 'CONFLICT_USERNAME', message: 'A user with this username already exists.' });
          continue;
        }
        if (typeof newUsername === 'string') byUsername.set(newUsername, match);
        updates.push({ item, userId: match });
        outcomes.push({ index, status: 'updated', user_id: match });
        continue;
      }
      if (username !== null && byUsername.has(username)) {
        outcomes.push({ index, status: 'error', code: 'CONFLICT_USERNAME', message: 'A user with this username already exists.' });
        continue;
      }
      if (ids.has(insert.user_id) || existing.identities.has(insert.identity.user_id)) {
        outcomes.push({ index, status: 'error', code: 'CONFLICT', message: 'A user with this user_id already exists.' });
        continue;
      }
      if (email !== null) byEmail.set(email, insert.user_id);
      if (username !== null) byUsername.set(username, insert.user_id);
      ids.add(insert.user_id);
      inserts.push(item);
      outcomes.push({ index, status: 'inserted', user_id: insert.user_id });
    }

    // Users first (the other rows reference them), all in this transaction: never a partial user.
    await insertChunks(models.user, inserts.map((i) => toUserRow(i.insert)), transaction);
    await insertChunks(models.identity, inserts.map((i) => toIdentityRow(i.insert.user_id, i.insert.identity)), transaction);
    await insertChunks(
      models.credential,
      inserts
        .filter((i) => i.insert.password_hash !== null)
        .map((i) => ({ user_id: i.insert.user_id, password_hash: i.insert.password_hash, updated_at: options.at })),
      transaction,
    );
    await insertChunks(
      models.metadataValue,
      inserts.flatMap((i) => [
        ...metadataValueRows(i.insert.user_id, 'user', i.insert.user_metadata),
        ...metadataValueRows(i.insert.user_id, 'app', i.insert.app_metadata),
      ]),
      transaction,
    );

    for (const { item, userId } of updates) {
      const { password_hash: hash, ...changes } = item.update;
      await models.user.update(toUserChangesRow(changes), { where: { user_id: userId }, transaction });
      // Auth0 replaces metadata whole on upsert; the search rows follow in the same transaction.
      if (changes.user_metadata !== undefined) await replaceMetadataValues(models.metadataValue, userId, 'user', changes.user_metadata, transaction);
      if (changes.app_metadata !== undefined) await replaceMetadataValues(models.metadataValue, userId, 'app', changes.app_metadata, transaction);
      if (hash !== undefined) {
        await models.credential.destroy({ where: { user_id: userId }, transaction });
        await models.credential.create({ user_id: userId, password_hash: hash, updated_at: options.at }, { transaction });
      }
    }

    const failures: ImportFailure[] = [...options.rejected];
    outcomes.forEach((o, k) => {
      if (o.status === 'error') failures.push({ index: o.index, user: batch[k]!.source, errors: [{ code: o.code, message: o.message, path: '#/' }] });
    });
    await insertJobErrors(ctx, options.jobId, failures, transaction);
    const count = (status: ImportOutcome['status']) => outcomes.filter((o) => o.status === status).length;
    const [touched] = await models.job.update(
      {
        inserted: literal(`inserted + ${count('inserted')}`) as unknown as number,
        updated: literal(`updated + ${count('updated')}`) as unknown as number,
        failed: literal(`failed + ${failures.length}`) as unknown as number,
        total: literal(`total + ${batch.length + options.rejected.length}`) as unknown as number,
        checkpoint_records: options.checkpoint.records,
        checkpoint_bytes: options.checkpoint.bytes,
        status: 'processing',
        updated_at: options.at,
      },
      { where: { id: options.jobId }, transaction },
    );
    if (touched !== 1) throw new GatehouseError('not_found', { message: `No job ${options.jobId}.` });
    return outcomes;
  }

  return {
    async importUsers(batch, options) {
      if (!Number.isSafeInteger(options.checkpoint.records) || !Number.isSafeInteger(options.checkpoint.bytes)) {
        throw new TypeError('importUsers: the checkpoint must be integers.');
      }
      for (let attempt = 1; ; attempt++) {
        try {
          const outcomes = await ctx.transaction((transaction) => writeBatch(batch, options, transaction));
          await keepStatisticsFresh(outcomes.filter((o) => o.status === 'inserted').length);
          return { outcomes };
        } catch (err) {
          // A user created meanwhile (outside the import) took an email, username or id: the
          // retry's lookup sees it and reports a conflict for that record only.
          if (!(err instanceof UniqueConstraintError) || attempt >= 3) throw err;
        }
      }
    },
  };
}
