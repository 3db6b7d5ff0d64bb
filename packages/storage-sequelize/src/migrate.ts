import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Connection } from './connect.js';
import { MIGRATIONS, type MigrationContext } from './migrations/index.js';

/** How long a second process waits for the first to finish migrating before giving up. */
const LOCK_WAIT_SECONDS = 120;

/**
 * Brings the schema up to date. Safe on every start, and when several processes start at once:
 * the run is serialized by a database lock, and the last to get it finds nothing left to do.
 */
export async function migrate(connection: Connection, prefix: string): Promise<void> {
  const { sequelize, dialect } = connection;
  const context: MigrationContext = { sequelize, queryInterface: sequelize.getQueryInterface(), dialect, prefix };
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: () => m.up(context), down: () => m.down(context) })),
    context,
    storage: new SequelizeStorage({ sequelize, tableName: `${prefix}migrations`, modelName: `${prefix}migrations` }),
    logger: undefined,
  });
  await withMigrationLock(connection, prefix, async () => {
    await umzug.up();
  });
}

async function withMigrationLock(connection: Connection, prefix: string, section: () => Promise<void>): Promise<void> {
  const { sequelize, dialect, writeLock } = connection;
  if (writeLock) {
    // SQLite: the in-process write lock keeps this process's writers out while tables are made.
    // Two *processes* migrating one new SQLite file at once are not serialized (run
    // `gatehouse migrate` first); SQLite is the single-process embedded choice.
    await writeLock.run(section);
    return;
  }
  const name = lockName(sequelize, prefix);
  // The lock lives on one connection: a transaction pins one from the pool while the migrations
  // run on others. PostgreSQL releases a transaction-level advisory lock at COMMIT; MySQL's
  // GET_LOCK is per session and released explicitly (or when the connection dies).
  await sequelize.transaction(async (transaction) => {
    if (dialect === 'postgres') {
      await sequelize.query('SELECT pg_advisory_xact_lock(hashtext(:name))', { replacements: { name }, transaction, type: QueryTypes.SELECT });
      await section();
      return;
    }
    const [row] = await sequelize.query<{ locked: number | null }>('SELECT GET_LOCK(:name, :wait) AS locked', {
      replacements: { name, wait: LOCK_WAIT_SECONDS },
      transaction,
      type: QueryTypes.SELECT,
    });
    if (Number(row?.locked) !== 1) {
      throw new Error(`Timed out after ${LOCK_WAIT_SECONDS}s waiting for another process to finish migrating (lock ${name}).`);
    }
    try {
      await section();
    } finally {
      await sequelize.query('SELECT RELEASE_LOCK(:name)', { replacements: { name }, transaction, type: QueryTypes.SELECT });
    }
  });
}

/** One lock per database and table prefix; MySQL lock names are server-wide and at most 64 characters. */
function lockName(sequelize: Sequelize, prefix: string): string {
  const database = sequelize.getDatabaseName();
  return `gatehouse_migrate_${createHash('sha256').update(`${database}\u0000${prefix}`).digest('hex').slice(0, 32)}`;
}
