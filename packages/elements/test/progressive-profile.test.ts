/// <reference lib="dom" />
import '../src/progressive-profile.js';
import type { GatehouseProgressiveProfile, ProfileField } from '../src/progressive-profile.js';
import { $, $$, admin, createUser, deepActiveElement, deepEqual, equal, expectNoAxeViolations, mount, nextEvent, ok, press, signIn, signOut, type, typeKeys, uniqueTag, until, type CreatedUser } from './support/browser.js';

interface UserBody {
  given_name: string | null;
  phone_number: string | null;
  user_metadata: Record<string, unknown>;
}

const FIELDS: ProfileField[] = [
  { name: 'given_name', label: 'First name', type: 'text', required: true, target: 'root' },
  { name: 'company', label: 'Company', type: 'text', target: 'user_metadata' },
  { name: 'birthday', label: 'Birthday', type: 'date' },
  { name: 'plan', label: 'Plan', type: 'select', options: ['free', { value: 'pro', label: 'Professional' }], target: 'user_metadata' },
  { name: 'newsletter', label: 'Send me the newsletter', type: 'checkbox', target: 'user_metadata' },
  { name: 'team_code', label: 'Team code', type: 'text', pattern: '[A-Z]{3}-[0-9]{3}', target: 'user_metadata' },
];

const get = async (id: string) => (await admin<UserBody>('GET', `/users/${encodeURIComponent(id)}`)).body;
const field = (form: GatehouseProgressiveProfile, name: string) => $<HTMLInputElement>(form, `[name="${name}"]`)!;
const submit = (form: GatehouseProgressiveProfile) => $<HTMLButtonElement>(form, 'button[type=submit]')!.click();

async function formWith(fields: ProfileField[], attrs = ''): Promise<GatehouseProgressiveProfile> {
  const form = mount<GatehouseProgressiveProfile>(`<gatehouse-progressive-profile ${attrs}></gatehouse-progressive-profile>`);
  form.fields = fields;
  await form.updateComplete;
  return form;
}

describe('<gatehouse-progressive-profile>', () => {
  let user: CreatedUser;

  beforeEach(async () => {
    const tag = uniqueTag('pp');
    user = await createUser({ email: `${tag}@example.com`, user_metadata: { company: 'Acme' } });
    await signIn(user.email);
  });

  afterEach(() => signOut());

  it('renders the fields with labels, pre-filled from /auth/me', async () => {
    const form = await formWith(FIELDS);
    await until(() => field(form, 'company').value === 'Acme', 'the stored company');
    deepEqual($$(form, 'label').map((l) => l.textContent!.trim()), ['First name *', 'Company', 'Birthday', 'Plan', 'Send me the newsletter', 'Team code']);
    equal(field(form, 'birthday').type, 'date');
    deepEqual($$<HTMLOptionElement>(form, 'select option').map((o) => o.value), ['', 'free', 'pro']);
    equal(field(form, 'given_name').autocomplete, 'given-name');
    equal($(form, 'h2')!.textContent, 'Tell us a bit more about you');
    equal($$(form, 'button').length, 1, 'no Skip button unless skippable');
  });

  it('checks required and pattern fields in the browser, beside the field, before sending', async () => {
    const form = await formWith(FIELDS);
    type(field(form, 'team_code'), 'nope');
    submit(form);
    await form.updateComplete;
    equal($(form, '#f-given_name-error')!.textContent, 'This field is required.');
    equal($(form, '#f-team_code-error')!.textContent, 'This value is not valid.');
    equal(field(form, 'given_name').getAttribute('aria-invalid'), 'true');
    equal(deepActiveElement(), field(form, 'given_name'), 'focus on the first invalid field');
    equal((await get(user.user_id)).given_name, null, 'nothing was sent');
  });

  it('saves root fields and user_metadata through PATCH /auth/me and fires profile-complete', async () => {
    const form = await formWith(FIELDS);
    await until(() => field(form, 'company').value === 'Acme', 'the stored company');
    type(field(form, 'given_name'), 'Grace');
    type(field(form, 'birthday'), '1990-12-09');
    const select = $<HTMLSelectElement>(form, 'select')!;
    select.value = 'pro';
    field(form, 'newsletter').click();
    type(field(form, 'team_code'), 'ABC-123');
    const complete = nextEvent<Record<string, unknown>>(form, 'profile-complete');
    submit(form);
    deepEqual((await complete).detail, { given_name: 'Grace', company: 'Acme', birthday: '1990-12-09', plan: 'pro', newsletter: true, team_code: 'ABC-123' });
    const stored = await get(user.user_id);
    equal(stored.given_name, 'Grace');
    deepEqual(stored.user_metadata, { company: 'Acme', birthday: '1990-12-09', plan: 'pro', newsletter: true, team_code: 'ABC-123' });
  });

  it('shows the API error for a root field beside that field', async () => {
    const form = await formWith([{ name: 'phone_number', label: 'Phone', type: 'tel', required: true, target: 'root' }]);
    type(field(form, 'phone_number'), '12');
    submit(form);
    const error = await until(() => $(form, '#f-phone_number-error'), 'the phone error');
    ok(error.textContent!.length > 0);
    equal(deepActiveElement(), field(form, 'phone_number'));
    equal((await get(user.user_id)).phone_number, null);
  });

  it('shows the error when the user is not signed in', async () => {
    await signOut();
    const form = await formWith(FIELDS);
    const error = await until(() => $(form, '[part=error]'), 'the error');
    equal(error.getAttribute('role'), 'alert');
  });

  it('offers Skip when skippable, firing profile-skip', async () => {
    const form = await formWith(FIELDS, 'skippable');
    const skip = $$<HTMLButtonElement>(form, 'button').find((b) => b.textContent === 'Skip for now');
    ok(skip, 'a Skip button');
    const skipped = nextEvent(form, 'profile-skip');
    skip.click();
    await skipped;
  });

  it('is usable with the keyboard: type, Tab, Enter submits', async () => {
    const form = await formWith([
      { name: 'given_name', label: 'First name', type: 'text', required: true, target: 'root' },
      { name: 'company', label: 'Company', type: 'text' },
    ]);
    await until(() => field(form, 'company').value === 'Acme', 'the stored company');
    field(form, 'given_name').focus();
    await typeKeys('Ada');
    await press('Tab');
    equal(deepActiveElement(), field(form, 'company'));
    // Tab into a filled field selects its text, so typing replaces it.
    await typeKeys('Analytical Engines');
    const complete = nextEvent<Record<string, unknown>>(form, 'profile-complete');
    await press('Enter');
    deepEqual((await complete).detail, { given_name: 'Ada', company: 'Analytical Engines' });
  });

  it('uses translated strings', async () => {
    const form = mount<GatehouseProgressiveProfile>('<gatehouse-progressive-profile skippable></gatehouse-progressive-profile>');
    form.strings = { progressiveTitle: 'Encore un peu', skip: 'Plus tard', continue: 'Continuer' };
    form.fields = FIELDS.slice(0, 1);
    await form.updateComplete;
    equal($(form, 'h2')!.textContent, 'Encore un peu');
    deepEqual($$(form, 'button').map((b) => b.textContent!.trim()), ['Plus tard', 'Continuer']);
  });

  it('has no axe violations, filled in and with errors shown', async () => {
    const form = await formWith(FIELDS, 'skippable');
    await until(() => field(form, 'company').value === 'Acme', 'the stored company');
    await expectNoAxeViolations();
    submit(form);
    await form.updateComplete;
    ok($(form, '#f-given_name-error'));
    await expectNoAxeViolations();
  });
});
