import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { google } from '@gatehouse/connection-oauth';
import { LOG_TYPES } from '@gatehouse/core';
import { startOAuthTestBed, TwoSidedBrowser, type OAuthTestBed } from '../support/oidc-idp.js';
import { browser, STRONG_PASSWORD, uniqueEmail } from '../support/test-app.js';

/*
 * Automatic account linking at a first social login, through HTTP against a real OpenID provider
 * (the google() connection pointed at oidc-provider): every combination of a verified or
 * unverified email at the provider and on the local account, and the pre-account-hijacking
 * scenario with the database checked afterwards.
 *
 * requireVerifiedEmail is off here: it lets an unverified account sign in, the setting under
 * which a pre-registration is most dangerous.
 */

const SECRET = 'client-secret-0123456789abcdef';

describe('account linking at a first social login', function () {
  let bed: OAuthTestBed;

  before(async () => {
    bed = await startOAuthTestBed(
      (app) =>
        ['google', 'nolink'].map((name) => ({
          client_id: `${name}-client`,
          client_secret: SECRET,
          redirect_uris: [`${app}/auth/callback/${name}`],
          token_endpoint_auth_method: 'client_secret_post' as const,
        })),
      (issuer) => {
        const urls = { authorizationURL: `${issuer}/auth`, tokenURL: `${issuer}/token`, userProfileURL: `${issuer}/userinfo` };
        return [
          google({ clientID: 'google-client', clientSecret: SECRET, ...urls }),
          google({ name: 'nolink', displayName: 'No link', clientID: 'nolink-client', clientSecret: SECRET, linkVerifiedEmail: false, ...urls }),
        ];
      },
      { requireVerifiedEmail: false },
    );
  });
  after(async () => bed?.close());

  /** An IdP user with this email, signed in at the IdP's next login. */
  function idpUser(email: string, emailVerified: boolean, name = 'Owner Example') {
    const sub = `g-${randomBytes(5).toString('hex')}`;
    bed.idp.users.set(sub, { sub, email, email_verified: emailVerified, name });
    bed.idp.signInAs(sub);
    return sub;
  }

  /** A social login all the way through; resolves to the callback's response (JSON). */
  async function socialLogin(b: TwoSidedBrowser, connection = 'google') {
    const start = await b.get(`${bed.appUrl}/auth/${connection}?returnTo=%2Fprivate`);
    const callback = await b.followUntil(start.headers.location!, (u) => u.href.startsWith(`${bed.appUrl}/auth/callback/`));
    return b.get(callback);
  }

  /** A local database account, verified or not, made through the user service. */
  async function localAccount(email: string, verified: boolean) {
    return bed.t.auth.gatehouse.users.createUser({ email, password: STRONG_PASSWORD, email_verified: verified, name: 'Local Name' });
  }

  async function passwordLogin(email: string) {
    const agent = browser(bed.t.app);
    const res = await agent.post('/auth/login').send({ _csrf: await agent.csrf(), username: email, password: STRONG_PASSWORD });
    return { agent, res };
  }

  it('links to the verified local account when the provider verified the email too', async () => {
    const email = uniqueEmail('both-verified');
    const local = await localAccount(email, true);
    const sub = idpUser(email, true);
    const b = new TwoSidedBrowser();
    const res = await socialLogin(b);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user_id, local.user_id);
    assert.deepEqual((await b.get(`${bed.appUrl}/private`)).body, { user_id: local.user_id });

    const user = (await bed.t.storage.getUser(local.user_id))!;
    assert.deepEqual(user.identities.map((i) => `${i.connection}/${i.provider}|${i.user_id}`), [`${local.identities[0]!.connection}/${local.user_id}`, `google/google-oauth2|${sub}`]);
    assert.equal(user.identities[1]!.isSocial, true);
    // The account keeps its own profile and password; no second user was made.
    assert.equal(user.name, 'Local Name');
    assert.equal(await bed.t.storage.getUser(`google-oauth2|${sub}`), null);
    assert.equal((await passwordLogin(email)).res.status, 200);
    // The next social login finds the linked identity directly.
    bed.idp.signInAs(sub);
    assert.equal((await socialLogin(new TwoSidedBrowser())).body.user_id, local.user_id);
  });

  it('makes a new user when neither side has the email verified, leaving the local account alone', async () => {
    const email = uniqueEmail('none-verified');
    const local = await localAccount(email, false);
    const sub = idpUser(email, false);
    const res = await socialLogin(new TwoSidedBrowser());
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user_id, `google-oauth2|${sub}`);
    const after = (await bed.t.storage.getUser(local.user_id))!;
    assert.equal(after.identities.length, 1);
    assert.notEqual(await bed.t.storage.getPasswordHash(local.user_id), null);
    assert.equal((await bed.t.storage.getUser(`google-oauth2|${sub}`))!.email_verified, false);
  });

  it('asks to sign in to the existing account when only the local side is verified (409, nothing linked or created)', async () => {
    const email = uniqueEmail('local-verified');
    const local = await localAccount(email, true);
    const sub = idpUser(email, false);
    const b = new TwoSidedBrowser();
    const res = await socialLogin(b);
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.errorCode, 'account_link_required');
    assert.equal((await b.get(`${bed.appUrl}/private`)).status, 401);
    assert.equal((await bed.t.storage.getUser(local.user_id))!.identities.length, 1);
    assert.equal(await bed.t.storage.findUserByIdentity('google-oauth2', sub), null);
  });

  it('explains it on the login page for a browser', async () => {
    const email = uniqueEmail('local-verified-html');
    await localAccount(email, true);
    idpUser(email, false);
    const b = new TwoSidedBrowser();
    const start = await b.get(`${bed.appUrl}/auth/google`);
    const callback = await b.followUntil(start.headers.location!, (u) => u.href.startsWith(`${bed.appUrl}/auth/callback/`));
    const page = await b.get(callback, { accept: 'text/html' });
    assert.equal(page.status, 409);
    assert.match(page.text, /An account with this email address already exists/u);
  });

  it('makes a new user when the provider verified the email and no account has it', async () => {
    const email = uniqueEmail('fresh');
    const sub = idpUser(email, true);
    const res = await socialLogin(new TwoSidedBrowser());
    assert.equal(res.body.user_id, `google-oauth2|${sub}`);
    assert.equal((await bed.t.storage.getUser(`google-oauth2|${sub}`))!.email_verified, true);
  });

  it('does not link on a connection with linkVerifiedEmail off', async () => {
    const email = uniqueEmail('nolink');
    const local = await localAccount(email, true);
    const sub = idpUser(email, true);
    const res = await socialLogin(new TwoSidedBrowser(), 'nolink');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user_id, `google-oauth2|${sub}`);
    assert.equal((await bed.t.storage.getUser(local.user_id))!.identities.length, 1);
  });

  it('defeats a pre-registration: the attacker\'s password and sessions stop working when the verified owner arrives', async () => {
    const email = uniqueEmail('victim');
    // The attacker registers the victim's address with a password of their own and stays signed in.
    const attacker = browser(bed.t.app);
    const signup = await attacker.post('/auth/signup').send({ _csrf: await attacker.csrf(), email, password: STRONG_PASSWORD });
    assert.equal(signup.status, 201, signup.text);
    assert.equal(signup.body.signedIn, true);
    const squatted = (await bed.t.storage.findUserByEmail(bed.t.auth.gatehouse.users.databaseConnection, email))!;
    assert.equal(squatted.email_verified, false);
    await bed.t.storage.modifyUser(squatted.user_id, () => ({ name: 'Planted By Attacker', updated_at: new Date() }));
    const attackerHome = await attacker.get('/private');
    assert.deepEqual(attackerHome.body, { user_id: squatted.user_id });
    const second = await passwordLogin(email);
    assert.equal(second.res.status, 200);

    // The owner signs in with a provider that verified the address.
    const sub = idpUser(email, true, 'Real Owner');
    const owner = new TwoSidedBrowser();
    const res = await socialLogin(owner);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user_id, squatted.user_id);
    assert.deepEqual((await owner.get(`${bed.appUrl}/private`)).body, { user_id: squatted.user_id });

    // Every session the attacker held is dead, and the password is gone.
    assert.equal((await attacker.get('/private')).status, 401);
    assert.equal((await second.agent.get('/private')).status, 401);
    const retry = await passwordLogin(email);
    assert.equal(retry.res.status, 401);
    assert.equal(retry.res.body.errorCode, 'invalid_credentials');

    // The database: the account is the owner's, verified, with the provider's profile and identity, no password.
    const user = (await bed.t.storage.getUser(squatted.user_id))!;
    assert.equal(user.email_verified, true);
    assert.equal(user.name, 'Real Owner');
    assert.deepEqual(user.identities.map((i) => `${i.provider}|${i.user_id}`), [squatted.user_id, `google-oauth2|${sub}`]);
    assert.equal(await bed.t.storage.getPasswordHash(squatted.user_id), null);
    assert.equal(await bed.t.storage.destroyUserSessions(squatted.user_id, 'none'), 1, 'only the owner\'s new session remains');
    assert.equal(await bed.t.storage.getUser(`google-oauth2|${sub}`), null);
    const { logs } = await bed.t.storage.listUserLogs(squatted.user_id, 0, 20);
    assert.ok(logs.some((l) => l.type === LOG_TYPES.successUserUpdate && /password and sessions were revoked/u.test(l.description)));
  });

  it('lets exactly one of two concurrent first logins of one identity link it', async () => {
    const email = uniqueEmail('race');
    const local = await localAccount(email, true);
    const sub = idpUser(email, true);
    const [a, b] = [new TwoSidedBrowser(), new TwoSidedBrowser()];
    const callbacks = [];
    for (const br of [a, b]) {
      bed.idp.signInAs(sub);
      const start = await br.get(`${bed.appUrl}/auth/google`);
      callbacks.push(await br.followUntil(start.headers.location!, (u) => u.href.startsWith(`${bed.appUrl}/auth/callback/`)));
    }
    const results = await Promise.all([a.get(callbacks[0]!), b.get(callbacks[1]!)]);
    assert.deepEqual(results.map((r) => r.body.user_id), [local.user_id, local.user_id]);
    assert.equal((await bed.t.storage.getUser(local.user_id))!.identities.length, 2);
  });
});
