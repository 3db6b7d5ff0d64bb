/**
 * A writer process for the crash test (test/security/reliability.test.ts): it writes users (user,
 * identity and credential rows in one transaction) and merges metadata as fast as it can, on
 * several connections at once, printing `created <user_id>` once each user's write has returned,
 * until it is killed. Usage: node --conditions=source --import=tsx crash-writer.ts <database-url> <tag>
 */
import { randomBytes } from 'node:crypto';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';

const [url, tag] = process.argv.slice(2);
if (!url || !tag) throw new TypeError('usage: crash-writer.ts <database-url> <tag>');
const storage = createSequelizeStorage({ url });

function record() {
  const id = randomBytes(12).toString('hex');
  return {
    user_id: `auth0|${id}`,
    connection: 'Username-Password-Authentication',
    email: `${tag}-${id}@crash.example.com`,
    email_verified: false,
    username: null,
    phone_number: null,
    phone_verified: false,
    name: null,
    given_name: null,
    family_name: null,
    nickname: null,
    picture: null,
    blocked: false,
    user_metadata: { seq: 0 },
    app_metadata: {},
    identity: { connection: 'Username-Password-Authentication', provider: 'auth0', user_id: id, isSocial: false },
    password_hash: `$argon2id$v=19$m=19456,t=2,p=1$${'a'.repeat(22)}$${'b'.repeat(43)}`,
    created_at: new Date(),
  };
}

async function writer(): Promise<never> {
  for (let i = 0; ; i++) {
    const user = await storage.createUser(record());
    process.stdout.write(`created ${user.user_id}\n`);
    await storage.modifyUser(user.user_id, (u) => ({ user_metadata: { ...u.user_metadata, seq: i, [`k${i}`]: 'v' }, updated_at: new Date() }));
  }
}

await storage.migrate();
process.stdout.write('ready\n');
await Promise.all([writer(), writer(), writer(), writer()]);
