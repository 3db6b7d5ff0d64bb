import { initial } from './0001-initial.js';
import { apiTokens } from './0002-api-tokens.js';
import { search } from './0003-search.js';
import { jobs } from './0004-jobs.js';
import { searchStatistics } from './0005-search-statistics.js';
import { cache } from './0006-cache.js';
import { loginBlocks } from './0007-login-blocks.js';
import { passwordHistoryConsents } from './0008-password-history-consents.js';
import { idpTokens } from './0010-idp-tokens.js';
import { applications } from './0011-applications.js';
import { passwordlessCodes } from './0012-passwordless-codes.js';
import { jobLeases } from './0013-job-leases.js';
import { trigramExpressions } from './0014-trigram-expressions.js';
import { domainByDate } from './0015-domain-by-date.js';
import type { Migration } from './migration.js';

/**
 * Every migration, in order. Listed, not globbed from the directory, so they load the same from
 * src (tsx) and from dist, and a bundler sees them.
 */
export const MIGRATIONS: readonly Migration[] = [initial, apiTokens, search, jobs, searchStatistics, cache, loginBlocks, passwordHistoryConsents, idpTokens, applications, passwordlessCodes, jobLeases, trigramExpressions, domainByDate];

export type { Migration, MigrationContext } from './migration.js';
