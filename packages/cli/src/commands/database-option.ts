/** The database URL: --database, else $DATABASE_URL, else the SQLite file under ./data. */
export function databaseUrl(flag: string | undefined): string {
  return flag ?? process.env.DATABASE_URL ?? 'sqlite:./data/gatehouse.sqlite';
}

export const DATABASE_HELP = `  --database URL   sqlite:./data/gatehouse.sqlite (default; or $DATABASE_URL), postgres://…, mysql://…`;
