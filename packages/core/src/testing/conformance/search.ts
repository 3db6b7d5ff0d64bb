import assert from 'node:assert/strict';
import type { NewUserRecord, UserSearch } from '../../ports.js';
import { matchesQuery } from '../../search/match-user.js';
import { parseQuery } from '../../search/parse-query.js';
import { newUserRecord, socialUserRecord, unique, type StorageRef } from './fixtures.js';

/**
 * Search: every operator on every store, checked two ways — against hand-written expectations,
 * and against matchesQuery (the reference semantics) over the seeded users. Each run tags its
 * users in app_metadata and ANDs the tag into every query, so a shared database's other rows
 * never show up.
 */
export function describeSearch(storage: StorageRef): void {
  describe('searchUsers', () => {
    const run = `run${unique()}`;
    const seeded = new Map<string, NewUserRecord>();
    const id = (key: string) => seeded.get(key)!.user_id;

    before(async () => {
      const tag = { suite: run };
      const records: Record<string, NewUserRecord> = {
        ada: newUserRecord({
          email: `ada.${run}@example.com`, name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', nickname: 'ada',
          username: `ada_${run}`.slice(0, 15), created_at: new Date('2017-03-01T10:00:00.000Z'),
          user_metadata: { plan: 'gold', age: 36, tags: ['math', 'poet'], address: { city: 'London' }, bio: 'x'.repeat(300) },
          app_metadata: { ...tag, tier: 3, beta: true },
        }),
        grace: newUserRecord({
          email: `grace.${run}@navy.mil`, name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper', nickname: 'amazing grace',
          created_at: new Date('2018-12-31T23:59:59.999Z'), blocked: true,
          user_metadata: { plan: 'silver', age: 85, addresses: [{ city: 'Arlington' }, { city: 'New York' }] },
          app_metadata: { ...tag, tier: 10 },
        }),
        alan: newUserRecord({
          email: `alan.${run}@example.org`, name: 'Alan Turing', nickname: 'prof', created_at: new Date('2017-12-31T12:00:00.000Z'),
          user_metadata: { plan: 'Gold', age: '41', note: null },
          app_metadata: { ...tag, tier: 2, beta: false },
        }),
        joan: socialUserRecord('google-oauth2', {
          email: `joan.smith.${run}@example.com`, name: 'Joan Clarke-Smith', nickname: 'joan', created_at: new Date('2019-06-15T08:00:00.000Z'),
          user_metadata: { plan: 'bronze%_' }, app_metadata: { ...tag },
        }),
        anon: newUserRecord({
          email: null, name: null, nickname: null, username: null, created_at: new Date('2020-01-01T00:00:00.000Z'),
          app_metadata: { ...tag, tier: 'vip' },
        }),
      };
      for (const [key, record] of Object.entries(records)) {
        seeded.set(key, record);
        await storage().createUser(record);
      }
      await storage().recordLogin(records.grace!.user_id, new Date('2021-05-05T05:05:05.005Z'), '10.0.0.7');
      await storage().recordLogin(records.grace!.user_id, new Date('2021-05-06T05:05:05.005Z'), '10.0.0.7');
    });

    async function find(q: string, extra: Partial<UserSearch> = {}): Promise<string[]> {
      const query = parseQuery(`(${q}) AND app_metadata.suite:"${run}"`);
      const result = await storage().searchUsers({ query, page: 0, perPage: 50, includeTotals: true, sort: { field: 'user_id', direction: 1 }, ...extra });
      assert.equal(result.total, result.users.length, 'the total counts the matches');
      return result.users.map((u) => u.user_id);
    }

    async function expect(q: string, keys: string[]): Promise<void> {
      const got = await find(q);
      const want = keys.map(id).sort();
      assert.deepEqual([...got].sort(), want, `${q}: expected ${keys.join(', ') || 'nobody'}`);
      // The reference semantics agree with the expectation (and so with the store).
      const all = await Promise.all([...seeded.values()].map((r) => storage().getUser(r.user_id)));
      const reference = all.filter((u) => u && matchesQuery(u, parseQuery(q))).map((u) => u!.user_id).sort();
      assert.deepEqual(reference, want, `${q}: matchesQuery disagrees`);
    }

    const cases: Array<[string, string[]]> = [
      // Exact terms, case-insensitive where Auth0 is.
      [`email:"ADA.${'$RUN'}@EXAMPLE.COM"`, ['ada']],
      ['name:"ada lovelace"', ['ada']],
      ['given_name:GRACE', ['grace']],
      ['nickname:"amazing grace"', ['grace']],
      ['blocked:true', ['grace']],
      ['blocked:false', ['ada', 'alan', 'joan', 'anon']],
      ['logins_count:2', ['grace']],
      ['last_ip:"10.0.0.7"', ['grace']],
      ['email.domain:"navy.mil"', ['grace']],
      ['identities.connection:"google-oauth2"', ['joan']],
      // Metadata: case-sensitive, nested paths, arrays skip the index, numbers as text too.
      ['user_metadata.plan:"gold"', ['ada']],
      ['user_metadata.plan:Gold', ['alan']],
      ['user_metadata.address.city:"London"', ['ada']],
      ['user_metadata.addresses.city:"New York"', ['grace']],
      ['user_metadata.tags:poet', ['ada']],
      ['user_metadata.age:36', ['ada']],
      ['user_metadata.age:41', ['alan']],
      ['app_metadata.beta:true', ['ada']],
      ['user_metadata.plan:"bronze%_"', ['joan']],
      // Wildcards: prefix, suffix (>= 3 chars), infix, inner; % and _ are literal.
      ['name:ada*', ['ada']],
      ['name:*hopper', ['grace']],
      ['name:*ur*', ['alan']],
      ['name:joan*smith', ['joan']],
      ['email:*@example.com', ['ada', 'joan']],
      ['user_metadata.plan:go*', ['ada']],
      ['user_metadata.plan:bronze%*', ['joan']],
      ['user_metadata.plan:silv_r*', []],
      // Ranges: numbers, dates (partial and full), text, open ends, exclusive ends.
      ['logins_count:[1 TO *]', ['grace']],
      ['logins_count:{0 TO 2}', []],
      ['created_at:[2017 TO 2017]', ['ada', 'alan']],
      ['created_at:[* TO 2017-12-31]', ['ada', 'alan']],
      ['created_at:{2017-12-31 TO *]', ['grace', 'joan', 'anon']],
      ['created_at:[2018-12-31T23:59:59.999Z TO 2018-12-31T23:59:59.999Z]', ['grace']],
      ['last_login:[2021-05-06 TO 2021-05-06]', ['grace']],
      ['user_metadata.age:[30 TO 40]', ['ada']],
      ['user_metadata.age:{36 TO 100]', ['grace']],
      ['app_metadata.tier:[2 TO 3]', ['ada', 'alan']],
      ['name:[a TO b}', ['ada', 'alan']],
      ['user_metadata.plan:[gold TO silver]', ['ada', 'grace']],
      // _exists_, including a JSON null (not a value) and a text too long to match.
      ['_exists_:user_metadata.address', ['ada']],
      ['_exists_:user_metadata.note', []],
      ['_exists_:user_metadata.bio', ['ada']],
      ['user_metadata.bio:*x*', []],
      ['_exists_:name', ['ada', 'grace', 'alan', 'joan']],
      ['_exists_:last_login', ['grace']],
      // Boolean logic; NOT keeps users without the field.
      ['name:ada* OR name:grace*', ['ada', 'grace']],
      ['user_metadata.plan:gold OR user_metadata.plan:silver OR app_metadata.tier:2', ['ada', 'grace', 'alan']],
      ['user_metadata.plan:gold OR user_metadata.age:85', ['ada', 'grace']],
      ['user_metadata.plan:gold AND blocked:false', ['ada']],
      ['NOT user_metadata.plan:gold', ['grace', 'alan', 'joan', 'anon']],
      ['NOT name:ada*', ['grace', 'alan', 'joan', 'anon']],
      ['(name:ada* OR name:alan*) AND NOT app_metadata.beta:false', ['ada']],
      ['email.domain:"example.com" NOT nickname:joan', ['ada']],
      // A bare term searches the default fields.
      ['prof', ['alan']],
      ['gr*', ['grace']],
    ];

    for (const [q, keys] of cases) {
      it(`finds ${keys.length ? keys.join(', ') : 'nobody'} for ${q}`, async () => {
        await expect(q.replace('$RUN', run), keys);
      });
    }

    it('pages and sorts (NULLs last, ties by user_id) and counts the total', async () => {
      const byName = await find('_exists_:app_metadata.tier OR NOT _exists_:app_metadata.tier', { sort: { field: 'name', direction: 1 } });
      assert.deepEqual(byName, ['ada', 'alan', 'grace', 'joan', 'anon'].map(id));
      const desc = await find('_exists_:user_id', { sort: { field: 'created_at', direction: -1 } });
      assert.deepEqual(desc, ['anon', 'joan', 'grace', 'alan', 'ada'].map(id));
      const query = parseQuery(`app_metadata.suite:"${run}"`);
      const page1 = await storage().searchUsers({ query, page: 1, perPage: 2, includeTotals: true, sort: { field: 'created_at', direction: 1 } });
      assert.equal(page1.total, 5);
      assert.deepEqual(page1.users.map((u) => u.user_id), ['grace', 'joan'].map(id));
      const past = await storage().searchUsers({ query, page: 9, perPage: 2, includeTotals: false });
      assert.deepEqual(past.users, []);
      assert.equal(past.total, undefined);
    });

    it('walks every match once with keyset cursors, with no 1,000-result cap', async () => {
      const query = parseQuery(`app_metadata.suite:"${run}"`);
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 10; i++) {
        const result = await storage().searchUsers({ query, page: 0, perPage: 2, includeTotals: false, sort: { field: 'created_at', direction: 1 }, after });
        seen.push(...result.users.map((u) => u.user_id));
        if (!result.next) break;
        after = result.next;
      }
      assert.deepEqual(seen, ['ada', 'alan', 'grace', 'joan', 'anon'].map(id));
    });

    it('tells apart times a millisecond apart, in ranges and in cursors', async () => {
      const tag = `ms${unique()}`;
      const base = Date.UTC(2022, 1, 3, 4, 5, 6, 7);
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        const record = newUserRecord({ created_at: new Date(base + i), app_metadata: { suite: run, ms: tag } });
        await storage().createUser(record);
        made.push(record.user_id);
      }
      const query = parseQuery(`app_metadata.ms:"${tag}"`);
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 5; i++) {
        const page = await storage().searchUsers({ query, page: 0, perPage: 1, includeTotals: false, sort: { field: 'created_at', direction: -1 }, after });
        seen.push(...page.users.map((u) => u.user_id));
        if (!page.next) break;
        after = page.next;
      }
      assert.deepEqual(seen, [...made].reverse());
      const middle = new Date(base + 1).toISOString();
      assert.deepEqual(await find(`app_metadata.ms:"${tag}" AND created_at:[${middle} TO ${middle}]`), [made[1]]);
      for (const userId of made) await storage().deleteUser(userId);
    });

    it('sees a write at once (no eventually consistent index)', async () => {
      await storage().modifyUser(id('alan'), (u) => ({ user_metadata: { ...u.user_metadata, plan: 'platinum' }, updated_at: new Date() }));
      assert.deepEqual(await find('user_metadata.plan:platinum'), [id('alan')]);
      assert.deepEqual(await find('user_metadata.plan:Gold'), []);
      await storage().modifyUser(id('alan'), () => ({ name: 'Alan M. Turing', updated_at: new Date() }));
      assert.deepEqual(await find('name:"alan m. turing"'), [id('alan')]);
      await storage().deleteUser(id('anon'));
      assert.deepEqual(await find('app_metadata.tier:vip'), []);
    });
  });
}
