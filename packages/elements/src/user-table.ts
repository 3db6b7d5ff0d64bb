import type { UserJson } from '@gatehouse/core';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ApiError, userPath } from './api-client.js';
import { GatehouseElement } from './gatehouse-element.js';
import type { MessageKey } from './messages.js';
import { simpleQuery } from './search-query.js';
import { themeStyles } from './theme.js';

/** The fields a row shows (asked for with `fields=`, so pages stay small). */
const FIELDS = 'user_id,email,name,nickname,blocked,last_login,logins_count,created_at';

/**
 * Columns, and the sort field of the sortable ones. Keyset paging walks an index, so only
 * columns that are never NULL sort (the API's cursor sorts: created_at, updated_at, logins_count,
 * user_id).
 */
const COLUMNS: { key: MessageKey; sort?: string }[] = [
  { key: 'columnEmail' },
  { key: 'columnName' },
  { key: 'columnStatus' },
  { key: 'columnLogins', sort: 'logins_count' },
  { key: 'columnLastLogin' },
  { key: 'columnCreated', sort: 'created_at' },
];

type Row = Pick<UserJson, 'user_id' | 'email' | 'name' | 'nickname' | 'blocked' | 'last_login' | 'logins_count' | 'created_at'>;
type BulkAction = 'block' | 'unblock' | 'delete';

/** `detail` of `users-changed`. */
export interface UsersChangedDetail {
  action: BulkAction;
  /** The users the change succeeded for. */
  userIds: string[];
}

/**
 * A searchable, sortable, paged list of users with bulk and per-row block, unblock and delete,
 * over the management API's `GET /api/v2/users` keyset paging (`from`/`take`).
 *
 * Keyboard: Arrow Up/Down (Home/End) move between rows, Enter opens the focused user, Space
 * selects it.
 *
 * @fires user-select - A user was opened (row click, Enter, or Open). `detail: {userId}`.
 * @fires users-changed - Users were blocked, unblocked or deleted. `detail: {action, userIds}`.
 * @csspart toolbar - The search form.
 * @csspart search - The search input.
 * @csspart bulk-bar - The bar of bulk actions.
 * @csspart table - The table.
 * @csspart row - Each body row (`row selected` when selected).
 * @csspart pager - The paging buttons.
 * @csspart error - The error message.
 * @cssprop --gatehouse-color-primary - Buttons and accents.
 * @cssprop --gatehouse-color-background - The background.
 * @cssprop --gatehouse-color-text - The text.
 * @cssprop --gatehouse-color-selected - Selected rows.
 * @cssprop --gatehouse-font-family - The font.
 */
@customElement('gatehouse-user-table')
export class GatehouseUserTable extends GatehouseElement {
  static override styles = [
    themeStyles,
    css`
      .toolbar form { display: flex; gap: var(--_space); flex-wrap: wrap; align-items: center; }
      .toolbar input[type='search'] { flex: 1 1 16rem; min-width: 0; }
      .bar { display: flex; gap: var(--_space); align-items: center; margin-block: var(--_space); flex-wrap: wrap; }
      table { width: 100%; border-collapse: collapse; }
      th, td { text-align: start; padding: calc(var(--_space) * 0.75); border-bottom: 1px solid var(--_border); }
      th button { border: none; background: none; padding: 0; font-weight: 600; }
      tbody tr { cursor: pointer; }
      tbody tr:hover { background: var(--_surface); }
      tbody tr.selected { background: var(--_selected); }
      tbody tr:focus-visible { outline: 2px solid var(--_focus); outline-offset: -2px; }
      .actions { display: flex; gap: calc(var(--_space) * 0.5); }
      .state { padding: calc(var(--_space) * 2); text-align: center; }
    `,
  ];

  /** The search: plain text (`mode="simple"`) or a v3 query (`mode="query"`). */
  @property({ reflect: true }) accessor query = '';

  /** `simple`: the text is an email or name prefix; `query`: Auth0's v3 query syntax. */
  @property({ reflect: true }) accessor mode: 'simple' | 'query' = 'simple';

  /** The sort, as the API takes it: `created_at:1`, `logins_count:-1`, ... */
  @property({ reflect: true }) accessor sort = 'created_at:-1';

  /** Users per page (1–100). */
  @property({ type: Number, attribute: 'page-size' }) accessor pageSize = 25;

  /** @internal */
  @state() accessor users: Row[] = [];
  /** @internal */
  @state() accessor loading = false;
  /** @internal */
  @state() accessor error: ApiError | Error | null = null;
  /** @internal */
  @state() accessor selected: ReadonlySet<string> = new Set();
  /** @internal */
  @state() accessor confirming = false;
  /** @internal */
  @state() accessor notice = '';
  /** @internal */
  @state() accessor active = 0;

  /** The `from` cursor of each page visited: index 0 is the first page (none). */
  #cursors: (string | null)[] = [null];
  #next: string | null = null;
  #abort: AbortController | null = null;

  /** @internal */
  @query('input[type=search]') accessor searchInput!: HTMLInputElement;

  /** The page shown, from 1. */
  get page(): number {
    return this.#cursors.length;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    // The first update carries every initial value too, so this also makes the first load, once
    // the attributes and properties the page set synchronously are in.
    const inputs = ['apiBase', 'token', 'authPrefix', 'query', 'sort', 'pageSize'] as const;
    if (inputs.some((name) => changed.has(name)) || (changed.has('mode') && this.query.trim() !== '')) void this.refresh();
  }

  /** Loads the first page again (after the search or sort changed). */
  refresh(): Promise<void> {
    this.#cursors = [null];
    this.selected = new Set();
    return this.reload();
  }

  /** Loads the current page again. */
  async reload(): Promise<void> {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const params = new URLSearchParams({ take: String(this.pageSize), sort: this.sort, fields: FIELDS, search_engine: 'v3' });
    const q = this.mode === 'simple' ? simpleQuery(this.query) : this.query.trim() || null;
    if (q !== null) params.set('q', q);
    const from = this.#cursors[this.#cursors.length - 1];
    if (from) params.set('from', from);
    this.loading = true;
    this.error = null;
    try {
      const body = await this.api.get<{ users: Row[]; next?: string }>(`/api/v2/users?${params}`, abort.signal);
      this.users = body.users;
      this.#next = body.next ?? null;
      this.active = Math.min(this.active, Math.max(0, body.users.length - 1));
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.users = [];
      this.#next = null;
      this.error = err as Error;
    } finally {
      if (this.#abort === abort) this.loading = false;
    }
  }

  #search(e: Event): void {
    e.preventDefault();
    const value = this.searchInput.value;
    // A new query reloads through updated(); the same one again is an explicit refresh.
    if (value === this.query) void this.refresh();
    else this.query = value;
  }

  #sortBy(field: string): void {
    const [current, dir] = this.sort.split(':');
    this.sort = `${field}:${current === field && dir === '1' ? -1 : 1}`;
  }

  #go(delta: 1 | -1): void {
    if (delta === 1 && this.#next) this.#cursors = [...this.#cursors, this.#next];
    if (delta === -1 && this.#cursors.length > 1) this.#cursors = this.#cursors.slice(0, -1);
    this.selected = new Set();
    this.active = 0;
    void this.reload();
  }

  #toggle(userId: string, on?: boolean): void {
    const next = new Set(this.selected);
    if (on ?? !next.has(userId)) next.add(userId);
    else next.delete(userId);
    this.selected = next;
  }

  #toggleAll(on: boolean): void {
    this.selected = new Set(on ? this.users.map((u) => u.user_id) : []);
  }

  #open(userId: string): void {
    this.dispatchEvent(new CustomEvent('user-select', { detail: { userId }, bubbles: true, composed: true }));
  }

  /** Applies one action to users one by one (so a failure names how many went through). */
  async #apply(action: BulkAction, userIds: string[]): Promise<void> {
    this.confirming = false;
    this.notice = '';
    const done: string[] = [];
    let failure: unknown = null;
    for (const id of userIds) {
      try {
        if (action === 'delete') await this.api.delete(userPath(id));
        else await this.api.patch(userPath(id), { blocked: action === 'block' });
        done.push(id);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) {
      this.error = new Error(this.t('bulkFailed', { failed: userIds.length - done.length, count: userIds.length, message: this.errorText(failure) }));
    } else {
      this.notice = this.t('bulkDone', { count: done.length });
    }
    this.selected = new Set();
    if (done.length > 0) {
      this.dispatchEvent(new CustomEvent<UsersChangedDetail>('users-changed', { detail: { action, userIds: done }, bubbles: true, composed: true }));
    }
    const error = this.error;
    await this.reload();
    if (failure !== null) this.error = error;
  }

  #rows(): HTMLTableRowElement[] {
    return [...(this.renderRoot.querySelectorAll<HTMLTableRowElement>('tbody tr[data-id]'))];
  }

  #onKey(e: KeyboardEvent, index: number, userId: string): void {
    if (e.target !== e.currentTarget) return; // keys typed into a row's checkbox or buttons act there
    const last = this.users.length - 1;
    const moves: Record<string, number> = { ArrowDown: Math.min(index + 1, last), ArrowUp: Math.max(index - 1, 0), Home: 0, End: last };
    if (e.key in moves) {
      e.preventDefault();
      this.active = moves[e.key]!;
      void this.updateComplete.then(() => this.#rows()[this.active]?.focus());
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.#open(userId);
    } else if (e.key === ' ') {
      e.preventDefault();
      this.#toggle(userId);
    }
  }

  #date(value: string | null): string {
    return value ? new Date(value).toLocaleString() : this.t('never');
  }

  override render(): TemplateResult {
    const searchError = this.error instanceof ApiError && this.error.field === 'q' ? this.error : null;
    const otherError = this.error && !searchError ? this.error : null;
    const count = this.selected.size;
    return html`
      <div class="toolbar" part="toolbar" role="search">
        <form @submit=${this.#search}>
          <label class="visually-hidden" for="q">${this.t('search')}</label>
          <input id="q" part="search" type="search" .value=${this.query} autocomplete="off" spellcheck="false"
            placeholder=${this.mode === 'simple' ? this.t('searchPlaceholder') : this.t('searchPlaceholderQuery')}
            aria-invalid=${searchError ? 'true' : 'false'} aria-describedby="q-error" />
          <select aria-label=${this.t('searchMode')} .value=${this.mode}
            @change=${(e: Event) => { this.mode = (e.target as HTMLSelectElement).value as 'simple' | 'query'; }}>
            <option value="simple" ?selected=${this.mode === 'simple'}>${this.t('simpleMode')}</option>
            <option value="query" ?selected=${this.mode === 'query'}>${this.t('queryMode')}</option>
          </select>
          <button type="submit" class="primary">${this.t('searchButton')}</button>
        </form>
        <div id="q-error" class="error" part="search-error">${searchError?.message ?? ''}</div>
      </div>
      <div class="bar" part="bulk-bar" role="toolbar" aria-label=${this.t('bulkActions')}>
        <span aria-live="polite">${this.t('selectedCount', { count })}</span>
        <button ?disabled=${count === 0} @click=${() => this.#apply('block', [...this.selected])}>${this.t('block')}</button>
        <button ?disabled=${count === 0} @click=${() => this.#apply('unblock', [...this.selected])}>${this.t('unblock')}</button>
        <button class="danger" ?disabled=${count === 0} @click=${() => { this.confirming = true; }}>${this.t('delete')}</button>
        ${this.confirming && count > 0
          ? html`<span role="alert">${this.t('confirmDelete', { count })}</span>
              <button class="danger" data-confirm @click=${() => this.#apply('delete', [...this.selected])}>${this.t('delete')}</button>
              <button @click=${() => { this.confirming = false; }}>${this.t('cancel')}</button>`
          : nothing}
      </div>
      <div role="status" class=${this.notice ? 'ok' : 'visually-hidden'}>${this.loading ? this.t('loading') : this.notice}</div>
      ${otherError
        ? html`<div class="state error" part="error" role="alert">${this.errorText(otherError)}
            <button @click=${() => this.reload()}>${this.t('retry')}</button></div>`
        : nothing}
      <table part="table" aria-label=${this.t('tableLabel')} aria-busy=${this.loading ? 'true' : 'false'}>
        <thead><tr>
          <th scope="col"><input type="checkbox" aria-label=${this.t('selectAll')} .checked=${count > 0 && count === this.users.length}
            @change=${(e: Event) => this.#toggleAll((e.target as HTMLInputElement).checked)} /></th>
          ${COLUMNS.map((c) => this.#header(c.key, c.sort))}
          <th scope="col">${this.t('columnActions')}</th>
        </tr></thead>
        <tbody>${this.users.map((u, i) => this.#row(u, i))}</tbody>
      </table>
      ${!this.loading && !this.error && this.users.length === 0 ? html`<p class="state muted" part="empty">${this.t('empty')}</p>` : nothing}
      <nav class="bar" part="pager" aria-label=${this.t('tableLabel')}>
        <button ?disabled=${this.page === 1 || this.loading} @click=${() => this.#go(-1)}>${this.t('previousPage')}</button>
        <span>${this.t('pageStatus', { page: this.page })}</span>
        <button ?disabled=${!this.#next || this.loading} @click=${() => this.#go(1)}>${this.t('nextPage')}</button>
      </nav>
    `;
  }

  #header(key: MessageKey, sort?: string): TemplateResult {
    if (!sort) return html`<th scope="col">${this.t(key)}</th>`;
    const [field, dir] = this.sort.split(':');
    const ariaSort = field === sort ? (dir === '1' ? 'ascending' : 'descending') : 'none';
    return html`<th scope="col" aria-sort=${ariaSort}>
      <button data-sort=${sort} aria-label=${this.t('sortBy', { column: this.t(key) })} @click=${() => this.#sortBy(sort)}>
        ${this.t(key)}${field === sort ? (dir === '1' ? ' ▲' : ' ▼') : ''}
      </button></th>`;
  }

  #row(u: Row, index: number): TemplateResult {
    const selected = this.selected.has(u.user_id);
    const label = u.email ?? u.name ?? u.user_id;
    return html`<tr data-id=${u.user_id} class=${selected ? 'selected' : ''} part=${selected ? 'row selected' : 'row'}
        tabindex=${index === this.active ? 0 : -1} aria-selected=${selected ? 'true' : 'false'}
        @focus=${() => { this.active = index; }}
        @keydown=${(e: KeyboardEvent) => this.#onKey(e, index, u.user_id)}
        @click=${(e: MouseEvent) => { if ((e.target as Element).closest('button, input') === null) this.#open(u.user_id); }}>
      <td><input type="checkbox" .checked=${selected} aria-label=${this.t('selectUser', { user: label })}
        @change=${(e: Event) => this.#toggle(u.user_id, (e.target as HTMLInputElement).checked)} /></td>
      <td>${u.email ?? ''}</td>
      <td>${u.name ?? u.nickname ?? ''}</td>
      <td>${u.blocked ? html`<span class="error">${this.t('blocked')}</span>` : this.t('active')}</td>
      <td>${u.logins_count}</td>
      <td>${this.#date(u.last_login)}</td>
      <td>${this.#date(u.created_at)}</td>
      <td><div class="actions">
        <button data-action="open" @click=${() => this.#open(u.user_id)}>${this.t('open')}</button>
        <button data-action=${u.blocked ? 'unblock' : 'block'} @click=${() => this.#apply(u.blocked ? 'unblock' : 'block', [u.user_id])}>
          ${u.blocked ? this.t('unblock') : this.t('block')}</button>
        <button data-action="delete" class="danger" @click=${() => { this.selected = new Set([u.user_id]); this.confirming = true; }}>${this.t('delete')}</button>
      </div></td>
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gatehouse-user-table': GatehouseUserTable;
  }
}
