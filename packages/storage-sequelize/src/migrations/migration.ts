import type { QueryInterface, Sequelize } from 'sequelize';
import type { Dialect } from '../options.js';

/** What a migration gets to work with. */
export interface MigrationContext {
  sequelize: Sequelize;
  queryInterface: QueryInterface;
  dialect: Dialect;
  /** Prepended to every table and index name. */
  prefix: string;
}

export interface Migration {
  /** Never renamed: it is the key in the migrations table. */
  name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}
