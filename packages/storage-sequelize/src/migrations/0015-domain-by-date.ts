import type { Migration, MigrationContext } from './migration.js';

/*
 * `email.domain:"acme.com"` (all of a customer's users) is among the commonest admin searches, and
 * pages come sorted by created_at. With the domain index alone the database reads every matching
 * user to sort them (4,000 rows for one of 50 domains at 200,000 users: 9 ms on SQLite, the slowest
 * search class). The index now carries created_at after the domain, so a page of a domain is read
 * in order and the read stops after it (2.5 ms), and it still serves equality and prefix matches
 * on the domain alone; replaced rather than added, so writes pay for no extra index.
 */
async function rebuild({ queryInterface: qi, prefix, dialect }: MigrationContext, withDate: boolean): Promise<void> {
  const users = `${prefix}users`;
  const name = `${prefix}users_s_email_domain`;
  const domain = dialect === 'postgres' ? { name: 'email_domain', operator: 'varchar_pattern_ops' } : 'email_domain';
  await qi.removeIndex(users, name);
  await qi.addIndex(users, { fields: withDate ? [domain, 'created_at'] : [domain], name });
}

export const domainByDate: Migration = {
  name: '0015-domain-by-date',
  up: (context) => rebuild(context, true),
  down: (context) => rebuild(context, false),
};
