import { GatehouseError, type ApplicationGrant, type ApplicationRecord, type ApplicationStore } from '@gatehouse/core';
import type { AdapterContext } from '../adapter-context.js';
import type { ApplicationGrantRow, ApplicationRow } from '../models/application-models.js';
import { rowOf } from '../models/row-model.js';
import { toDate } from '../user-mapper.js';

/** The fields kept as JSON in `settings`. */
type Settings = Omit<ApplicationRecord, 'client_id' | 'name' | 'client_secret_hash' | 'created_at' | 'updated_at'>;

function toApplication(row: ApplicationRow): ApplicationRecord {
  const settings = JSON.parse(row.settings) as Settings;
  return {
    client_id: row.client_id,
    name: row.name,
    ...settings,
    client_secret_hash: row.client_secret_hash,
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

function toRow(app: ApplicationRecord): ApplicationRow {
  const { client_id, name, client_secret_hash, created_at, updated_at, ...settings } = app;
  return { client_id, name, client_secret_hash, settings: JSON.stringify(settings), created_at, updated_at };
}

function toGrant(row: ApplicationGrantRow): ApplicationGrant {
  return {
    id: row.id,
    user_id: row.user_id,
    client_id: row.client_id,
    scope: JSON.parse(row.scope) as string[],
    claims: JSON.parse(row.claims) as string[],
    resource_scopes: JSON.parse(row.resource_scopes) as Record<string, string[]>,
    oidc_grant_id: row.oidc_grant_id,
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}

/**
 * Applications, their allow-lists and remembered consents. An update reads and rewrites the row
 * under a lock (the settings are one JSON column); the allow-list and the consent per (user,
 * application) rest on primary and unique keys.
 */
export function createApplicationStore(ctx: AdapterContext): ApplicationStore {
  const { models } = ctx;
  return {
    async createApplication(app) {
      await ctx.writeOne(() => models.application.create(toRow(app)));
      return structuredClone(app);
    },

    async getApplication(clientId) {
      const row = await models.application.findByPk(clientId);
      return row ? toApplication(rowOf(row)) : null;
    },

    async listApplications(page, perPage) {
      const { rows, count } = await models.application.findAndCountAll({
        order: [
          ['name', 'ASC'],
          ['client_id', 'ASC'],
        ],
        offset: page * perPage,
        limit: perPage,
      });
      return { applications: rows.map((r) => toApplication(rowOf(r))), total: count };
    },

    async updateApplication(clientId, changes) {
      return ctx.transaction(async (transaction) => {
        const row = await models.application.findByPk(clientId, { transaction, lock: ctx.rowLock });
        if (!row) return null;
        const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
        const next = { ...toApplication(rowOf(row)), ...defined } as ApplicationRecord;
        const { client_id: _id, ...values } = toRow(next);
        await models.application.update(values, { where: { client_id: clientId }, transaction });
        return next;
      });
    },

    async deleteApplication(clientId) {
      return ctx.writeOne(async () => (await models.application.destroy({ where: { client_id: clientId } })) > 0);
    },

    async addUserApplications(userId, clientIds) {
      await ctx.transaction(async (transaction) => {
        if (!(await models.user.findByPk(userId, { transaction, attributes: ['user_id'] }))) throw new GatehouseError('inexistent_user');
        const found = await models.application.findAll({ where: { client_id: clientIds }, attributes: ['client_id'], transaction });
        const known = new Set(found.map((r) => rowOf(r).client_id));
        const missing = clientIds.find((id) => !known.has(id));
        if (missing !== undefined) throw new GatehouseError('inexistent_client', { message: `The client ${missing} does not exist.` });
        const rows = [...new Set(clientIds)].map((client_id) => ({ client_id, user_id: userId }));
        await models.applicationUser.bulkCreate(rows, { ignoreDuplicates: true, transaction });
      });
    },

    async removeUserApplications(userId, clientIds) {
      await ctx.writeOne(() => models.applicationUser.destroy({ where: { user_id: userId, client_id: clientIds } }));
    },

    async listUserApplications(userId) {
      const rows = await models.applicationUser.findAll({ where: { user_id: userId }, order: [['client_id', 'ASC']] });
      return rows.map((r) => rowOf(r).client_id);
    },

    async saveApplicationGrant(grant) {
      return ctx.transaction(async (transaction) => {
        if (!(await models.user.findByPk(grant.user_id, { transaction, attributes: ['user_id'] }))) throw new GatehouseError('inexistent_user');
        if (!(await models.application.findByPk(grant.client_id, { transaction, attributes: ['client_id'] }))) throw new GatehouseError('inexistent_client');
        const existing = await models.applicationGrant.findOne({
          where: { user_id: grant.user_id, client_id: grant.client_id },
          transaction,
          lock: ctx.rowLock,
        });
        const values = {
          scope: JSON.stringify(grant.scope),
          claims: JSON.stringify(grant.claims),
          resource_scopes: JSON.stringify(grant.resource_scopes),
          oidc_grant_id: grant.oidc_grant_id,
          updated_at: grant.updated_at,
        };
        if (existing) {
          const { id, created_at } = rowOf(existing);
          await models.applicationGrant.update(values, { where: { id }, transaction });
          return { ...structuredClone(grant), id, created_at: toDate(created_at) };
        }
        await models.applicationGrant.create(
          { id: grant.id, user_id: grant.user_id, client_id: grant.client_id, created_at: grant.created_at, ...values },
          { transaction },
        );
        return structuredClone(grant);
      });
    },

    async getApplicationGrant(userId, clientId) {
      const row = await models.applicationGrant.findOne({ where: { user_id: userId, client_id: clientId } });
      return row ? toGrant(rowOf(row)) : null;
    },

    async listApplicationGrants(filter) {
      const where: Record<string, string> = {};
      if (filter.userId !== undefined) where.user_id = filter.userId;
      if (filter.clientId !== undefined) where.client_id = filter.clientId;
      const rows = await models.applicationGrant.findAll({
        where,
        order: [
          ['created_at', 'ASC'],
          ['id', 'ASC'],
        ],
      });
      return rows.map((r) => toGrant(rowOf(r)));
    },

    async deleteApplicationGrant(id) {
      return ctx.transaction(async (transaction) => {
        const row = await models.applicationGrant.findByPk(id, { transaction, lock: ctx.rowLock });
        if (!row) return null;
        const deleted = await models.applicationGrant.destroy({ where: { id }, transaction });
        return deleted > 0 ? toGrant(rowOf(row)) : null;
      });
    },
  };
}
