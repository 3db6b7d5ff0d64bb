import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { customDatabase, identity, WrongUsernameOrPasswordError } from '@gatehouse/express';
import type { CreateUserInput, ProfilingRuleInput, User } from '@gatehouse/core';
import { createVerifiedUser } from '../support/accounts.js';
import { browser, STRONG_PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../support/test-app.js';

const RULES: ProfilingRuleInput[] = [
  {
    afterLogins: 2,
    fields: [
      { name: 'given_name', label: 'First name', required: true },
      { name: 'family_name', label: 'Last name', required: true },
      { name: 'nickname', label: 'Nickname' },
      { name: 'team', label: 'Team', type: 'select', options: ['red', 'blue'] },
    ],
  },
  {
    afterLogins: 3,
    id: 'work',
    skippable: true,
    fields: [
      { name: 'company', label: 'Company', required: true },
      { name: 'newsletter', label: 'Send me the newsletter', type: 'checkbox' },
    ],
  },
];

const STEP = '/auth/profile/complete';

describe('progressive profiling: the hosted step', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ progressiveProfiling: RULES });
  });
  after(async () => t.close());

  type Agent = ReturnType<typeof browser>;

  /** Signs in through the hosted form; resolves to where the login sent the browser. */
  async function logIn(agent: Agent, user: User, returnTo = '/private'): Promise<string> {
    const res = await agent.post('/auth/login').type('form').send({ _csrf: await agent.csrf(), username: user.email, password: STRONG_PASSWORD, returnTo });
    assert.equal(res.status, 303);
    return res.headers.location as string;
  }

  /** A user who has signed in `times` times, and the browser of the last sign-in. */
  async function userWithLogins(times: number, changes: CreateUserInput = {}) {
    const user = await t.auth.gatehouse.users.createUser({ email: uniqueEmail('profiling'), password: STRONG_PASSWORD, email_verified: true, ...changes });
    const agent = browser(t.app);
    let location = '';
    for (let i = 0; i < times; i += 1) location = await logIn(agent, user);
    return { user, agent, location };
  }

  async function post(agent: Agent, body: Record<string, string>) {
    return agent.post(STEP).type('form').send({ _csrf: await agent.csrf(), returnTo: '/private', ...body });
  }

  it('refuses bad rules at construction with a TypeError naming the option', () => {
    assert.throws(
      () => identity({ database: t.storage, logger: { info() {}, warn() {}, error() {} }, progressiveProfiling: [{ afterLogins: 2, fields: [{ name: 'phone_number', label: 'Phone', type: 'checkbox' }] }] }),
      (err: Error) => err instanceof TypeError && /option progressiveProfiling\[0\]\.fields\[0\]\.type/u.test(err.message),
    );
  });

  it('goes straight to returnTo at the first login, and to the step at the second', async () => {
    const user = await createVerifiedUser(t);
    const agent = browser(t.app);
    assert.equal(await logIn(agent, user), '/private');
    assert.equal(await logIn(agent, user), `${STEP}?returnTo=%2Fprivate`);
  });

  it('tells a JSON login to go to the step', async () => {
    const { user, agent } = await userWithLogins(1);
    const res = await agent.post('/auth/login').set('x-csrf-token', await agent.csrf()).send({ username: user.email, password: STRONG_PASSWORD, returnTo: '/private' });
    assert.equal(res.status, 200);
    assert.equal(res.body.returnTo, `${STEP}?returnTo=%2Fprivate`);
  });

  it('renders the missing fields as a plain form with the element and its script, under a CSP allowing them', async () => {
    const { agent } = await userWithLogins(2, { nickname: 'ada' });
    const res = await agent.get(`${STEP}?returnTo=%2Fprivate`).expect(200);
    const page = res.text;
    assert.match(page, /<form method="post" action="\/auth\/profile\/complete"/u);
    assert.match(page, /name="_csrf" value="[^"]+"/u);
    assert.match(page, /<input id="f-given_name" name="given_name" type="text" value="" autocomplete="given-name" required/u);
    assert.match(page, /<select id="f-team" name="team"/u);
    assert.doesNotMatch(page, /name="nickname"/u, 'an answered field is not asked again');
    assert.doesNotMatch(page, /value="skip"/u, 'the rule is not skippable');
    assert.match(page, /<script type="module" src="\/auth\/elements\.js"><\/script>/u);
    assert.match(page, /<script type="module" src="\/auth\/profile\/complete\.js"><\/script>/u);
    const settings = /<script type="application\/json" id="gatehouse-profile-step">(.*?)<\/script>/su.exec(page);
    assert.ok(settings);
    const parsed = JSON.parse(settings[1]!) as { fields: { name: string; target: string }[]; returnTo: string; skippable: boolean };
    assert.deepEqual(parsed.fields.map((f) => [f.name, f.target]), [['given_name', 'root'], ['family_name', 'root'], ['team', 'user_metadata']]);
    assert.equal(parsed.returnTo, '/private');
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'(;|$)/u, 'module scripts from this origin are allowed, inline ones are not');

    const script = await agent.get(`${STEP}.js`).expect(200);
    assert.match(script.headers['content-type'] as string, /^text\/javascript/u);
    assert.match(script.text, /customElements\.whenDefined\('gatehouse-progressive-profile'\)/u);
  });

  it('sends a signed-out browser to the login page, and one with nothing due straight on', async () => {
    const anonymous = browser(t.app);
    const res = await anonymous.get(`${STEP}?returnTo=%2Fprivate`).set('Accept', 'text/html').expect(303);
    assert.match(res.headers.location as string, /^\/auth\/login\?returnTo=/u);
    const { agent } = await userWithLogins(1);
    await agent.get(`${STEP}?returnTo=%2Fprivate`).expect(303).expect('Location', '/private');
  });

  it('saves valid answers (root fields and user_metadata) and goes on to returnTo', async () => {
    const { agent, user } = await userWithLogins(2);
    const res = await post(agent, { given_name: ' Ada ', family_name: 'Lovelace', team: 'blue', nickname: '' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/private');
    const saved = await t.storage.getUser(user.user_id);
    assert.equal(saved?.given_name, 'Ada');
    assert.equal(saved?.family_name, 'Lovelace');
    assert.equal(saved?.nickname, user.nickname, 'an empty optional field keeps what is stored');
    assert.deepEqual(saved?.user_metadata, { team: 'blue' });
    await agent.get(`${STEP}?returnTo=%2Fprivate`).expect(303).expect('Location', '/private');
  });

  it('shows each invalid answer beside its field and changes nothing', async () => {
    const { agent, user } = await userWithLogins(2);
    const before = await t.storage.getUser(user.user_id);
    const res = await post(agent, { given_name: 'Ada', family_name: '', team: 'green' });
    assert.equal(res.status, 400);
    assert.match(res.text, /aria-describedby="f-family_name-error"/u);
    assert.match(res.text, /<p class="error" id="f-family_name-error">This field is required\.<\/p>/u);
    assert.match(res.text, /<p class="error" id="f-team-error">Choose one of the options\.<\/p>/u);
    assert.match(res.text, /name="given_name" type="text" value="Ada"/u, 'what was typed is kept');
    assert.deepEqual(await t.storage.getUser(user.user_id), before);
  });

  it('puts answers through the same rules as PATCH /me (a first name over 150 characters)', async () => {
    const { agent, user } = await userWithLogins(2);
    const before = await t.storage.getUser(user.user_id);
    const res = await post(agent, { given_name: 'n'.repeat(151), family_name: 'Lovelace' });
    assert.equal(res.status, 400);
    assert.match(res.text, /id="f-given_name-error">given_name must be 1 to 150 characters long\./u);
    assert.deepEqual(await t.storage.getUser(user.user_id), before);
  });

  it('answers JSON callers with invalid_body naming the field', async () => {
    const { agent } = await userWithLogins(2);
    const res = await agent.post(STEP).set('x-csrf-token', await agent.csrf()).send({ given_name: 'Ada' });
    assert.equal(res.status, 400);
    assert.equal(res.body.errorCode, 'invalid_body');
    assert.equal(res.body.field, 'family_name');
  });

  it('refuses a post without the CSRF token, changing nothing', async () => {
    const { agent, user } = await userWithLogins(2);
    const before = await t.storage.getUser(user.user_id);
    const res = await agent.post(STEP).type('form').send({ given_name: 'Eve', family_name: 'Mallory' });
    assert.equal(res.status, 403);
    assert.deepEqual(await t.storage.getUser(user.user_id), before);
  });

  it('follows only a safe returnTo afterwards', async () => {
    const { agent } = await userWithLogins(2);
    const res = await post(agent, { given_name: 'Ada', family_name: 'Lovelace', returnTo: '//evil.example/' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
  });

  it('refuses to skip a rule that is not skippable', async () => {
    const { agent, user } = await userWithLogins(2);
    const res = await post(agent, { action: 'skip', rule: 'given_name+family_name+nickname+team' });
    assert.equal(res.status, 400);
    assert.match(res.text, /This step cannot be skipped\./u);
    assert.equal(await t.storage.getUser(user.user_id).then((u) => u?.given_name), null);
  });

  it('remembers a skip: not asked at the next login, asked again at the one after', async () => {
    const { agent, user, location } = await userWithLogins(3, { given_name: 'Ada', family_name: 'Lovelace' });
    assert.equal(location, `${STEP}?returnTo=%2Fprivate`);
    const page = await agent.get(`${STEP}?returnTo=%2Fprivate`).expect(200);
    assert.match(page.text, /<button type="submit" name="action" value="skip" class="secondary" formnovalidate>Skip for now<\/button>/u);
    assert.match(page.text, /<input id="f-newsletter" name="newsletter" type="checkbox" value="on"/u);

    const skip = await post(agent, { action: 'skip', rule: 'work' });
    assert.equal(skip.status, 303);
    assert.equal(skip.headers.location, '/private');
    assert.deepEqual((await t.storage.getUser(user.user_id))?.user_metadata, {}, 'a skip saves nothing');
    await agent.get(`${STEP}?returnTo=%2Fprivate`).expect(303).expect('Location', '/private');

    assert.equal(await logIn(agent, user), '/private', 'the 4th login is not asked');
    assert.equal(await logIn(agent, user), `${STEP}?returnTo=%2Fprivate`, 'the 5th is');
    const saved = await post(agent, { company: 'Analytical Engines', newsletter: 'on' });
    assert.equal(saved.status, 303);
    assert.deepEqual((await t.storage.getUser(user.user_id))?.user_metadata, { company: 'Analytical Engines', newsletter: true });
    assert.equal(await logIn(agent, user), '/private');
  });

  it('shows the step due now when a skip names a rule that is no longer shown', async () => {
    const { agent } = await userWithLogins(3);
    const res = await post(agent, { action: 'skip', rule: 'work' });
    assert.equal(res.status, 409);
    assert.match(res.text, /name="given_name"/u, 'the first rule is due again');
  });
});

describe('progressive profiling: after a connection login', function () {
  let t: TestApp;
  const run = randomBytes(4).toString('hex');
  before(async () => {
    // A host's own user store (pass-through): the login goes through the connections' finishLogin.
    const legacy = customDatabase({
      name: 'legacy',
      import: false,
      login: async (identifier: string, password: string) => {
        if (password !== 'legacy-pw') throw new WrongUsernameOrPasswordError(identifier);
        return { user_id: `${run}-${identifier.split('@')[0]}`, email: identifier, email_verified: true };
      },
    });
    t = await startTestApp({ connections: [legacy], progressiveProfiling: [{ afterLogins: 2, fields: [{ name: 'given_name', label: 'First name', required: true }] }] });
  });
  after(async () => t.close());

  it('sends the user to the step at the second login, then on to returnTo once answered', async () => {
    const email = uniqueEmail('legacy');
    const agent = browser(t.app);
    const logIn = async () => {
      const res = await agent.post('/auth/login').type('form').send({ _csrf: await agent.csrf(), connection: 'legacy', username: email, password: 'legacy-pw', returnTo: '/private' });
      assert.equal(res.status, 303);
      return res.headers.location as string;
    };
    assert.equal(await logIn(), '/private');
    assert.equal(await logIn(), `${STEP}?returnTo=%2Fprivate`);
    const res = await agent.post(STEP).type('form').send({ _csrf: await agent.csrf(), returnTo: '/private', given_name: 'Grace' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/private');
    const [user] = await t.storage.listUsersByEmail(email);
    assert.equal(user?.given_name, 'Grace');
    assert.equal(await logIn(), '/private');
  });
});
