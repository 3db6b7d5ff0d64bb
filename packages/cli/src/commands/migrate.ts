import { parseArgs } from 'node:util';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import type { Output } from '../main.js';
import { DATABASE_HELP, databaseUrl } from './database-option.js';

const HELP = `Usage: gatehouse migrate [--database URL]

Brings the Gatehouse schema up to date. Safe to run again: applied migrations are skipped.

Options:
${DATABASE_HELP}
  -h, --help       Show this help`;

export async function migrateCommand(argv: string[], io: Output): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { database: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const url = databaseUrl(values.database);
  const storage = createSequelizeStorage({ url });
  try {
    await storage.migrate();
    io.out(`Database is up to date (${storage.dialect}).`);
    return 0;
  } finally {
    await storage.close();
  }
}
