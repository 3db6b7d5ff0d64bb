/// <reference lib="dom" />
import { $$, createUser, equal, expectNoAxeViolations, getFixtures, mount, ok, uniqueTag, until } from './support/browser.js';

describe('the bundle identity() serves at /auth/elements.js', () => {
  it('defines the three elements, and they work from it', async () => {
    // A page loads the bundle from the app itself (built by `npm run build -w @gatehouse/elements`).
    const res = await fetch('/auth/elements.js');
    equal(res.status, 200, 'the bundle is built and served');
    ok(res.headers.get('content-type')!.startsWith('text/javascript'));
    await import(/* @vite-ignore */ '/auth/elements.js' as string);
    for (const tag of ['gatehouse-user-table', 'gatehouse-profile-editor', 'gatehouse-progressive-profile']) {
      ok(customElements.get(tag), `${tag} is defined`);
    }
    const tag = uniqueTag('bundle');
    const user = await createUser({ email: `${tag}@example.com` });
    const table = mount<HTMLElement & { token: string; query: string }>('<gatehouse-user-table></gatehouse-user-table>');
    table.query = tag;
    table.token = (await getFixtures()).token;
    const row = await until(() => ($$(table, 'tbody tr').length === 1 ? $$(table, 'tbody tr')[0] : null), 'the row');
    equal(row.dataset.id, user.user_id);
    await expectNoAxeViolations();
  });
});
