import { initial } from './0001-initial.js';
import { apiTokens } from './0002-api-tokens.js';
import { search } from './0003-search.js';
import { jobs } from './0004-jobs.js';
import { searchStatistics } from './0005-search-statistics.js';
import type { Migration } from './migration.js';

/**
 * Every migration, in order. Listed, not globbed from the directory, so they load the same from
 * src (tsx) and from dist, and a bundler sees them.
 */
export const MIGRATIONS: readonly Migration[] = [initial, apiTokens, search, jobs, searchStatistics];

export type { Migration, MigrationContext } from './migration.js';
