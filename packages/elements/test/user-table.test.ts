/// <reference lib="dom" />
import '../src/user-table.js';
import type { GatehouseUserTable } from '../src/user-table.js';
import { $, $$, admin, createUser, deepActiveElement, deepEqual, equal, expectNoAxeViolations, getFixtures, mount, nextEvent, ok, press, signIn, uniqueTag, until, type CreatedUser } from './support/browser.js';

/** The emails of the rows shown, in order. */
function emails(table: GatehouseUserTable): string[] {
  return $$(table, 'tbody tr').map((tr) => tr.children[1]!.textContent!.trim());
}

async function loaded(table: GatehouseUserTable): Promise<void> {
  await table.updateComplete; // the update that starts a load (after a click or a property change)
  await until(() => !table.loading && $(table, 'table')?.getAttribute('aria-busy') === 'false', 'the table to load');
  await table.updateComplete;
}

/** A table (Bearer token) searching for `query`. */
async function tableFor(query: string, attrs = ''): Promise<GatehouseUserTable> {
  const { token } = await getFixtures();
  const table = mount<GatehouseUserTable>(`<gatehouse-user-table ${attrs}></gatehouse-user-table>`);
  table.query = query;
  table.token = token;
  await loaded(table);
  return table;
}

describe('<gatehouse-user-table>', () => {
  let tag: string;
  let users: CreatedUser[];

  before(async () => {
    tag = uniqueTag('ut');
    users = [];
    // Created one after another, so created_at order is creation order.
    for (const n of [1, 2, 3, 4, 5]) users.push(await createUser({ email: `${tag}-${n}@example.com`, name: `Person ${n} ${tag}` }));
  });

  it('renders the users matching a plain-text search, newest first', async () => {
    const table = await tableFor(tag);
    deepEqual(emails(table), users.map((u) => u.email).reverse());
    equal($(table, 'table')!.getAttribute('aria-label'), 'Users');
    equal($(table, 'th[aria-sort="descending"] button')?.dataset.sort, 'created_at');
  });

  it('pages through the users with the keyset cursor, both ways', async () => {
    const table = await tableFor(tag, 'page-size="2" sort="created_at:1"');
    deepEqual(emails(table), [users[0]!.email, users[1]!.email]);
    const [prev, next] = $$<HTMLButtonElement>(table, 'nav button');
    ok(prev!.disabled, 'no previous page on page 1');
    next!.click();
    await loaded(table);
    deepEqual(emails(table), [users[2]!.email, users[3]!.email]);
    next!.click();
    await loaded(table);
    deepEqual(emails(table), [users[4]!.email]);
    ok(next!.disabled, 'no next page after the last');
    prev!.click();
    await loaded(table);
    deepEqual(emails(table), [users[2]!.email, users[3]!.email]);
    equal(table.page, 2);
  });

  it('sorts by a column header and says so with aria-sort', async () => {
    const table = await tableFor(tag);
    $<HTMLButtonElement>(table, 'button[data-sort="created_at"]')!.click();
    await loaded(table);
    equal(table.sort, 'created_at:1');
    deepEqual(emails(table), users.map((u) => u.email));
    equal($(table, 'button[data-sort="created_at"]')!.closest('th')!.getAttribute('aria-sort'), 'ascending');
  });

  it('searches with the v3 query syntax in query mode', async () => {
    const table = await tableFor(`email:"${users[2]!.email}" OR email:"${users[4]!.email}"`, 'mode="query"');
    deepEqual(emails(table).sort(), [users[2]!.email, users[4]!.email].sort());
  });

  it('shows the API error for a malformed query beside the search box', async () => {
    const table = await tableFor('email:(unclosed', 'mode="query"');
    const message = $(table, '#q-error')!.textContent!.trim();
    ok(message.length > 0, 'an error message is shown');
    equal($(table, 'input[type=search]')!.getAttribute('aria-invalid'), 'true');
    equal($(table, 'input[type=search]')!.getAttribute('aria-describedby'), 'q-error');
    equal($$(table, 'tbody tr').length, 0);
  });

  it('shows an error state with Retry when the API refuses the caller', async () => {
    const table = mount<GatehouseUserTable>('<gatehouse-user-table token="gh_not_a_real_token"></gatehouse-user-table>');
    await loaded(table);
    const error = $(table, '[part="error"]');
    ok(error, 'an error region is shown');
    equal(error.getAttribute('role'), 'alert');
    ok(error.querySelector('button'), 'with a Retry button');
  });

  it('shows the empty state when nothing matches', async () => {
    const table = await tableFor(uniqueTag('nobody'));
    ok($(table, '[part="empty"]'), 'the empty state is shown');
    equal($$(table, 'tbody tr').length, 0);
  });

  it('fires user-select on row click, Open and Enter', async () => {
    const table = await tableFor(tag);
    const first = $$(table, 'tbody tr')[0]!;
    let event = nextEvent<{ userId: string }>(table, 'user-select');
    (first.children[2] as HTMLElement).click();
    equal((await event).detail.userId, users[4]!.user_id);

    event = nextEvent(table, 'user-select');
    $<HTMLButtonElement>(table, 'tbody tr:nth-child(2) button[data-action="open"]')!.click();
    equal((await event).detail.userId, users[3]!.user_id);
  });

  it('moves between rows with the arrow keys, opens with Enter, selects with Space', async () => {
    const table = await tableFor(tag);
    const rows = $$(table, 'tbody tr');
    equal(rows[0]!.tabIndex, 0, 'one row is in the tab order');
    equal(rows[1]!.tabIndex, -1);
    rows[0]!.focus();
    await press('ArrowDown');
    await until(() => deepActiveElement() === $$(table, 'tbody tr')[1], 'focus on row 2');
    await press('ArrowDown');
    await until(() => deepActiveElement() === $$(table, 'tbody tr')[2], 'focus on row 3');
    await press('ArrowUp');
    await until(() => deepActiveElement() === $$(table, 'tbody tr')[1], 'focus back on row 2');
    await press('End');
    await until(() => deepActiveElement() === $$(table, 'tbody tr')[4], 'focus on the last row');
    await press('Home');
    await until(() => deepActiveElement() === $$(table, 'tbody tr')[0], 'focus on the first row');
    equal($$(table, 'tbody tr')[0]!.tabIndex, 0);

    await press('Space');
    await table.updateComplete;
    equal($$(table, 'tbody tr')[0]!.getAttribute('aria-selected'), 'true');

    const event = nextEvent<{ userId: string }>(table, 'user-select');
    await press('Enter');
    equal((await event).detail.userId, users[4]!.user_id);
  });

  it('blocks and unblocks the selected users in bulk, and fires users-changed', async () => {
    const table = await tableFor(tag);
    const boxes = $$<HTMLInputElement>(table, 'tbody input[type=checkbox]');
    boxes[0]!.click();
    boxes[1]!.click();
    await table.updateComplete;
    equal($(table, '[part="bulk-bar"] span')!.textContent, '2 selected');

    let changed = nextEvent<{ action: string; userIds: string[] }>(table, 'users-changed');
    $$<HTMLButtonElement>(table, '[part="bulk-bar"] button')[0]!.click(); // Block
    const detail = (await changed).detail;
    equal(detail.action, 'block');
    deepEqual(detail.userIds.sort(), [users[4]!.user_id, users[3]!.user_id].sort());
    await loaded(table);
    for (const u of [users[4]!, users[3]!]) equal((await admin<{ blocked: boolean }>('GET', `/users/${encodeURIComponent(u.user_id)}`)).body.blocked, true);
    equal((await admin<{ blocked: boolean }>('GET', `/users/${encodeURIComponent(users[2]!.user_id)}`)).body.blocked, false);
    equal($$(table, 'tbody tr')[0]!.children[3]!.textContent!.trim(), 'Blocked');

    changed = nextEvent(table, 'users-changed');
    $<HTMLButtonElement>(table, 'tbody tr:first-child button[data-action="unblock"]')!.click();
    equal((await changed).detail.action, 'unblock');
    equal((await admin<{ blocked: boolean }>('GET', `/users/${encodeURIComponent(users[4]!.user_id)}`)).body.blocked, false);
    await admin('PATCH', `/users/${encodeURIComponent(users[3]!.user_id)}`, { blocked: false });
  });

  it('deletes only after the inline confirmation', async () => {
    const victim = await createUser({ email: `${tag}-victim@example.com` });
    const table = await tableFor(`${tag}-victim`);
    $<HTMLButtonElement>(table, 'tbody tr:first-child button[data-action="delete"]')!.click();
    await table.updateComplete;
    ok($(table, '[part="bulk-bar"] [role="alert"]'), 'a confirmation is asked');
    equal((await admin('GET', `/users/${encodeURIComponent(victim.user_id)}`)).status, 200, 'nothing deleted yet');
    const changed = nextEvent<{ action: string; userIds: string[] }>(table, 'users-changed');
    $<HTMLButtonElement>(table, 'button[data-confirm]')!.click();
    deepEqual((await changed).detail, { action: 'delete', userIds: [victim.user_id] });
    equal((await admin('GET', `/users/${encodeURIComponent(victim.user_id)}`)).status, 404);
    await loaded(table);
    ok($(table, '[part="empty"]'), 'the deleted user is gone from the table');
  });

  it('works same-origin with the session cookie and CSRF token (no token attribute)', async () => {
    const { admin: seeded } = await getFixtures();
    await signIn(seeded.email, seeded.password);
    const target = await createUser({ email: `${tag}-session@example.com` });
    const table = mount<GatehouseUserTable>(`<gatehouse-user-table query="${tag}-session"></gatehouse-user-table>`);
    await loaded(table);
    deepEqual(emails(table), [target.email]);
    const changed = nextEvent(table, 'users-changed');
    $<HTMLButtonElement>(table, 'tbody tr:first-child button[data-action="block"]')!.click();
    await changed;
    equal((await admin<{ blocked: boolean }>('GET', `/users/${encodeURIComponent(target.user_id)}`)).body.blocked, true);
  });

  it('uses translated strings', async () => {
    const { token } = await getFixtures();
    const table = mount<GatehouseUserTable>(`<gatehouse-user-table query="${tag}"></gatehouse-user-table>`);
    table.strings = { tableLabel: 'Utilisateurs', searchButton: 'Rechercher' };
    table.token = token;
    await loaded(table);
    equal($(table, 'table')!.getAttribute('aria-label'), 'Utilisateurs');
    equal($(table, 'button[type=submit]')!.textContent!.trim(), 'Rechercher');
  });

  it('has no axe violations, loaded and with a row selected', async () => {
    const table = await tableFor(tag);
    await expectNoAxeViolations();
    $$<HTMLInputElement>(table, 'tbody input[type=checkbox]')[0]!.click();
    await table.updateComplete;
    await expectNoAxeViolations();
  });
});
