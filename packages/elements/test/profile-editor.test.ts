/// <reference lib="dom" />
import '../src/profile-editor.js';
import type { GatehouseProfileEditor } from '../src/profile-editor.js';
import { $, $$, admin, createUser, deepActiveElement, deepEqual, equal, expectNoAxeViolations, getFixtures, mount, nextEvent, ok, press, signIn, signOut, type, typeKeys, uniqueTag, until, type CreatedUser } from './support/browser.js';

interface UserBody {
  user_id: string;
  name: string | null;
  nickname: string | null;
  phone_number: string | null;
  blocked: boolean;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
  identities: { provider: string; user_id: string }[];
}

const get = async (id: string) => (await admin<UserBody>('GET', `/users/${encodeURIComponent(id)}`)).body;

/** An editor (Bearer token) on `user`, once it has rendered the user. */
async function editorFor(user: CreatedUser, withToken = true): Promise<GatehouseProfileEditor> {
  const editor = mount<GatehouseProfileEditor>('<gatehouse-profile-editor></gatehouse-profile-editor>');
  if (withToken) editor.token = (await getFixtures()).token;
  editor.userId = user.user_id;
  await until(() => $(editor, 'form'), 'the editor to load the user');
  await until(() => editor.logs !== null || editor.logsError, 'the logs to load');
  return editor;
}

const input = (editor: GatehouseProfileEditor, name: string) => $<HTMLInputElement>(editor, `[name="${name}"]`)!;
const submit = (editor: GatehouseProfileEditor, section: string) => $<HTMLButtonElement>(editor, `[part~="${section}"] button[type=submit]`)!.click();

describe('<gatehouse-profile-editor>', () => {
  let tag: string;
  let user: CreatedUser;

  beforeEach(async () => {
    tag = uniqueTag('pe');
    user = await createUser({ email: `${tag}@example.com`, name: `Pat ${tag}`, user_metadata: { theme: 'dark', keep: 1 } });
  });

  it('renders the profile, metadata, identities and recent logs', async () => {
    await signIn(user.email); // leaves a success-login event in the user's logs
    await signOut();
    const editor = await editorFor(user);
    equal($(editor, 'h2')!.textContent, `Pat ${tag}`);
    equal(input(editor, 'email').value, user.email);
    equal(input(editor, 'name').value, `Pat ${tag}`);
    deepEqual(JSON.parse($<HTMLTextAreaElement>(editor, 'textarea[name=user_metadata]')!.value), { theme: 'dark', keep: 1 });
    equal($$(editor, '[part~="identities"] li').length, 1);
    equal($(editor, '[part~="identities"] button'), null, 'the primary identity cannot be unlinked');
    ok($$(editor, '[part~="logs"] tbody code').some((c) => c.textContent === 's'), 'the login is listed');
    equal($(editor, 'label[for=phone_number]')!.textContent, 'Phone number');
  });

  it('saves only the changed fields and fires profile-saved', async () => {
    const editor = await editorFor(user);
    type(input(editor, 'nickname'), 'patty');
    type(input(editor, 'name'), 'Pat Newname');
    const saved = nextEvent<{ user: UserBody; fields: string[] }>(editor, 'profile-saved');
    submit(editor, 'profile');
    const { detail } = await saved;
    deepEqual(detail.fields.sort(), ['name', 'nickname']);
    equal(detail.user.nickname, 'patty');
    const stored = await get(user.user_id);
    equal(stored.name, 'Pat Newname');
    equal(stored.nickname, 'patty');
    await editor.updateComplete;
    equal($(editor, '[part~="profile"] [role=status]')!.textContent, 'Saved.');
  });

  it('shows an API field error beside its field and moves focus there', async () => {
    const editor = await editorFor(user);
    type(input(editor, 'phone_number'), 'not a phone');
    submit(editor, 'profile');
    const error = await until(() => $(editor, '#phone_number-error'), 'the phone error');
    ok(error.textContent!.length > 0);
    equal(input(editor, 'phone_number').getAttribute('aria-invalid'), 'true');
    equal(input(editor, 'phone_number').getAttribute('aria-describedby'), 'phone_number-error');
    equal(deepActiveElement(), input(editor, 'phone_number'));
    equal((await get(user.user_id)).phone_number, null, 'nothing was saved');
  });

  it('refuses invalid metadata JSON in the browser, and saves valid edits (removed keys deleted)', async () => {
    const editor = await editorFor(user);
    const userMeta = $<HTMLTextAreaElement>(editor, 'textarea[name=user_metadata]')!;
    type(userMeta, '{"theme": ');
    submit(editor, 'metadata');
    await editor.updateComplete;
    ok($(editor, '#user_metadata-error')!.textContent!.startsWith('Not valid JSON'));
    await until(() => deepActiveElement() === userMeta, 'focus on the invalid textarea');
    type(userMeta, '["not", "an object"]');
    submit(editor, 'metadata');
    await editor.updateComplete;
    equal($(editor, '#user_metadata-error')!.textContent, 'Must be a JSON object, like {"key": "value"}.');

    type(userMeta, '{"theme": "light", "lang": "fr"}');
    type($<HTMLTextAreaElement>(editor, 'textarea[name=app_metadata]')!, '{"plan": "gold"}');
    const saved = nextEvent<{ fields: string[] }>(editor, 'profile-saved');
    submit(editor, 'metadata');
    deepEqual((await saved).detail.fields.sort(), ['app_metadata', 'user_metadata']);
    const stored = await get(user.user_id);
    deepEqual(stored.user_metadata, { theme: 'light', lang: 'fr' }, 'keep was deleted, lang added');
    deepEqual(stored.app_metadata, { plan: 'gold' });
  });

  it('shows an API metadata error beside the textarea', async () => {
    const editor = await editorFor(user);
    type($<HTMLTextAreaElement>(editor, 'textarea[name=app_metadata]')!, '{"bad.key": 1}');
    submit(editor, 'metadata');
    const error = await until(() => $(editor, '#app_metadata-error'), 'the app_metadata error');
    ok(error.textContent!.length > 0);
    deepEqual((await get(user.user_id)).app_metadata, {});
  });

  it('changes the password, and shows the policy error for a weak one', async () => {
    const editor = await editorFor(user);
    type(input(editor, 'password'), 'short');
    submit(editor, 'password');
    await until(() => editor.busy === null && ($(editor, '#password-error') ?? $(editor, '[part~="password"] [part=error]')), 'the password error');
    const strong = 'a much longer passphrase 2024';
    type(input(editor, 'password'), strong);
    submit(editor, 'password');
    await until(() => $(editor, '[part~="password"] [role=status]')?.textContent === 'Password changed.', 'the password change');
    equal(input(editor, 'password').value, '', 'the form was cleared');
    await signIn(user.email, strong);
    await signOut();
  });

  it('blocks and unblocks the user', async () => {
    const editor = await editorFor(user);
    $<HTMLButtonElement>(editor, '[data-action="toggle-block"]')!.click();
    await until(() => editor.user?.blocked === true, 'the block');
    equal((await get(user.user_id)).blocked, true);
    equal($(editor, '[data-action="toggle-block"]')!.textContent, 'Unblock');
    $<HTMLButtonElement>(editor, '[data-action="toggle-block"]')!.click();
    await until(() => editor.user?.blocked === false, 'the unblock');
    equal((await get(user.user_id)).blocked, false);
  });

  it('unlinks a linked identity', async () => {
    const secondary = await createUser({ email: `${tag}-2@example.com` });
    const [provider, id] = secondary.user_id.split('|') as [string, string];
    equal((await admin('POST', `/users/${encodeURIComponent(user.user_id)}/identities`, { provider, user_id: id })).status, 201);
    const editor = await editorFor(user);
    const unlink = $<HTMLButtonElement>(editor, `[data-unlink="${secondary.user_id}"]`);
    ok(unlink, 'the linked identity has an Unlink button');
    unlink.click();
    await until(() => $(editor, `[data-unlink="${secondary.user_id}"]`) === null, 'the identity to go');
    deepEqual((await get(user.user_id)).identities.map((i) => `${i.provider}|${i.user_id}`), [user.user_id]);
  });

  it('shows the brute-force section only when the server answers /api/v2/user-blocks', async () => {
    const editor = await editorFor(user);
    const status = (await admin('GET', `/user-blocks/${encodeURIComponent(user.user_id)}`)).status;
    await until(() => (status === 200) === ($(editor, '[part~="brute-force"]') !== null), 'the section to match the route');
  });

  it('shows a load error with Retry for an unknown user', async () => {
    const editor = mount<GatehouseProfileEditor>('<gatehouse-profile-editor></gatehouse-profile-editor>');
    editor.token = (await getFixtures()).token;
    editor.userId = 'auth0|doesnotexist';
    const error = await until(() => $(editor, '[part=error]'), 'the load error');
    equal(error.getAttribute('role'), 'alert');
    ok(error.querySelector('button'), 'with Retry');
  });

  it('submits with the keyboard (Enter in a field)', async () => {
    const editor = await editorFor(user);
    input(editor, 'given_name').focus();
    await typeKeys('Patricia');
    const saved = nextEvent<{ fields: string[] }>(editor, 'profile-saved');
    await press('Enter');
    deepEqual((await saved).detail.fields, ['given_name']);
  });

  it('works same-origin with the session cookie and CSRF token', async () => {
    const { admin: seeded } = await getFixtures();
    await signIn(seeded.email, seeded.password);
    const editor = await editorFor(user, false);
    type(input(editor, 'nickname'), 'via-session');
    const saved = nextEvent(editor, 'profile-saved');
    submit(editor, 'profile');
    await saved;
    equal((await get(user.user_id)).nickname, 'via-session');
    await signOut();
  });

  it('has no axe violations, loaded and showing a field error', async () => {
    const editor = await editorFor(user);
    await expectNoAxeViolations();
    type(input(editor, 'phone_number'), 'not a phone');
    submit(editor, 'profile');
    await until(() => $(editor, '#phone_number-error'), 'the phone error');
    await expectNoAxeViolations();
  });
});
