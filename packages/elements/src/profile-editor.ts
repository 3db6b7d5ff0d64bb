import type { Identity, UserJson } from '@gatehouse/core';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, userPath } from './api-client.js';
import { GatehouseElement } from './gatehouse-element.js';
import type { MessageKey } from './messages.js';
import { metadataPatch, parseMetadata } from './metadata-patch.js';
import { bruteForceSection, identitiesSection, logsSection, type BruteForceBlock, type LogEntry } from './profile-sections.js';
import { themeStyles } from './theme.js';

/** The root profile fields the form edits: field, label, input type. */
const PROFILE_FIELDS: [keyof UserJson & string, MessageKey, string][] = [
  ['name', 'name', 'text'],
  ['given_name', 'givenName', 'text'],
  ['family_name', 'familyName', 'text'],
  ['nickname', 'nickname', 'text'],
  ['username', 'username', 'text'],
  ['email', 'email', 'email'],
  ['phone_number', 'phone', 'tel'],
  ['picture', 'picture', 'url'],
];
const METADATA = ['user_metadata', 'app_metadata'] as const;
type Section = 'profile' | 'metadata' | 'password' | 'status' | 'identities' | 'bruteForce';

/** `detail` of `profile-saved`. */
export interface ProfileSavedDetail {
  user: UserJson;
  /** The fields the save changed. */
  fields: string[];
}

/**
 * Views and edits one user through the management API: profile, picture, `user_metadata` and
 * `app_metadata` as JSON, password, block/unblock, brute-force blocks (shown when the server
 * offers `/api/v2/user-blocks`), linked identities and recent logs. Errors the API ties to a
 * field are shown beside it.
 *
 * @fires profile-saved - A change was saved. `detail: {user, fields}`.
 * @csspart header - The picture, name and id.
 * @csspart section - Each section (also named: `profile`, `metadata`, `password`, `status`, `identities`, `brute-force`, `logs`).
 * @csspart picture - The picture preview.
 * @csspart field-error - A message beside a field.
 * @csspart error - A section's or the load's error message.
 * @cssprop --gatehouse-color-primary - Buttons and accents.
 * @cssprop --gatehouse-color-danger - Errors and destructive buttons.
 * @cssprop --gatehouse-color-background - The background.
 * @cssprop --gatehouse-color-text - The text.
 * @slot header-actions - Extra controls in the header (e.g. a close button).
 */
@customElement('gatehouse-profile-editor')
export class GatehouseProfileEditor extends GatehouseElement {
  static override styles = [
    themeStyles,
    css`
      header { display: flex; gap: calc(var(--_space) * 2); align-items: center; margin-block-end: calc(var(--_space) * 2); }
      header img, .preview img { width: 4rem; height: 4rem; border-radius: 50%; object-fit: cover; background: var(--_surface); }
      h2, h3 { margin: 0 0 var(--_space); }
      section { border-top: 1px solid var(--_border); padding-block: calc(var(--_space) * 2); }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); column-gap: calc(var(--_space) * 2); }
      textarea { font-family: ui-monospace, monospace; min-height: 8rem; width: 100%; }
      .list { list-style: none; padding: 0; margin: 0; }
      .list li { display: flex; justify-content: space-between; align-items: center; gap: var(--_space); padding-block: calc(var(--_space) * 0.5); }
      table.logs { width: 100%; border-collapse: collapse; }
      table.logs th, table.logs td { text-align: start; padding: calc(var(--_space) * 0.5); border-bottom: 1px solid var(--_border); }
      .row { display: flex; gap: var(--_space); align-items: center; flex-wrap: wrap; }
      ::slotted(*) { margin-inline-start: auto; }
    `,
  ];

  /** The user to edit (`user_id`, e.g. `auth0|…`). */
  @property({ attribute: 'user-id', reflect: true }) accessor userId = '';

  /** @internal */
  @state() accessor user: UserJson | null = null;
  /** @internal */
  @state() accessor loadError = '';
  /** @internal */
  @state() accessor fieldErrors: Record<string, string> = {};
  /** @internal */
  @state() accessor sectionErrors: Partial<Record<Section, string>> = {};
  /** @internal */
  @state() accessor notices: Partial<Record<Section, string>> = {};
  /** @internal */
  @state() accessor busy: Section | null = null;
  /** @internal */
  @state() accessor picturePreview = '';
  /** @internal */
  @state() accessor logs: LogEntry[] | null = null;
  /** @internal */
  @state() accessor logsError = '';
  /** Null: the server has no user-blocks route (or refused it), so the section is hidden. */
  /** @internal */
  @state() accessor blocks: BruteForceBlock[] | null = null;

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('userId') || changed.has('apiBase') || changed.has('token') || changed.has('authPrefix')) void this.load();
  }

  /** Loads (again) the user, its logs and its brute-force blocks. */
  async load(): Promise<void> {
    const id = this.userId;
    this.user = null;
    this.logs = null;
    this.blocks = null;
    this.loadError = this.logsError = '';
    this.fieldErrors = this.sectionErrors = this.notices = {};
    if (!id) return;
    try {
      const user = await this.api.get<UserJson>(userPath(id));
      if (id !== this.userId) return;
      this.user = user;
      this.picturePreview = user.picture ?? '';
    } catch (err) {
      if (id === this.userId) this.loadError = this.errorText(err);
      return;
    }
    void this.#loadLogs(id);
    this.api.get<{ blocked_for: BruteForceBlock[] }>(`/api/v2/user-blocks/${encodeURIComponent(id)}`).then(
      (body) => { if (id === this.userId && Array.isArray(body?.blocked_for)) this.blocks = body.blocked_for; },
      () => undefined, // The route is optional: without it (404) or without the scope (403) the section stays hidden.
    );
  }

  async #loadLogs(id: string): Promise<void> {
    try {
      const logs = await this.api.get<LogEntry[]>(userPath(id, '/logs?per_page=10&sort=date:-1'));
      if (id === this.userId) this.logs = logs;
    } catch (err) {
      if (id === this.userId) this.logsError = this.errorText(err);
    }
  }

  /** Sends one PATCH for a section; field errors go beside their field, others to the section. */
  async #patch(section: Section, body: Record<string, unknown>): Promise<boolean> {
    if (!this.user) return false;
    this.busy = section;
    this.fieldErrors = {};
    this.sectionErrors = { ...this.sectionErrors, [section]: '' };
    this.notices = {};
    try {
      const user = await this.api.patch<UserJson>(userPath(this.user.user_id), body);
      this.user = user;
      this.picturePreview = user.picture ?? '';
      this.notices = { [section]: section === 'password' ? this.t('passwordChanged') : this.t('saved') };
      this.dispatchEvent(new CustomEvent<ProfileSavedDetail>('profile-saved', { detail: { user, fields: Object.keys(body) }, bubbles: true, composed: true }));
      return true;
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      if (field !== undefined && this.renderRoot.querySelector(`[name="${CSS.escape(field)}"]`)) {
        this.fieldErrors = { [field]: this.errorText(err) };
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>(`[name="${CSS.escape(field)}"]`)?.focus();
      } else {
        this.sectionErrors = { ...this.sectionErrors, [section]: this.errorText(err) };
      }
      return false;
    } finally {
      this.busy = null;
    }
  }

  #saveProfile(e: SubmitEvent): void {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const user = this.user as unknown as Record<string, unknown>;
    const body: Record<string, unknown> = {};
    for (const [field] of PROFILE_FIELDS) {
      const value = String(form.get(field) ?? '').trim();
      if (value !== (user[field] ?? '')) body[field] = value === '' && field !== 'email' ? null : value;
    }
    const verified = form.get('email_verified') === 'on';
    if (verified !== user.email_verified) body.email_verified = verified;
    if (Object.keys(body).length > 0) void this.#patch('profile', body);
  }

  #saveMetadata(e: SubmitEvent): void {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const errors: Record<string, string> = {};
    const body: Record<string, unknown> = {};
    for (const kind of METADATA) {
      const parsed = parseMetadata(String(form.get(kind) ?? ''));
      if (!parsed.ok) {
        errors[kind] = parsed.reason === 'json' ? this.t('invalidJson', { message: parsed.message }) : this.t('notAnObject');
        continue;
      }
      const patch = metadataPatch(this.user![kind], parsed.value);
      if (patch) body[kind] = patch;
    }
    this.fieldErrors = errors;
    const firstInvalid = METADATA.find((k) => k in errors);
    if (firstInvalid) {
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[name="${firstInvalid}"]`)?.focus());
      return;
    }
    if (Object.keys(body).length > 0) void this.#patch('metadata', body);
  }

  async #changePassword(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const formEl = e.target as HTMLFormElement;
    const password = String(new FormData(formEl).get('password') ?? '');
    if (password === '') {
      this.fieldErrors = { password: this.t('required') };
      return;
    }
    if (await this.#patch('password', { password })) formEl.reset();
  }

  async #unlink(identity: Identity): Promise<void> {
    const user = this.user!;
    this.sectionErrors = { ...this.sectionErrors, identities: '' };
    try {
      const identities = await this.api.delete<Identity[]>(userPath(user.user_id, `/identities/${encodeURIComponent(identity.provider)}/${encodeURIComponent(identity.user_id)}`));
      this.user = { ...user, identities };
    } catch (err) {
      this.sectionErrors = { ...this.sectionErrors, identities: this.errorText(err) };
    }
  }

  async #clearBlocks(): Promise<void> {
    const id = this.user!.user_id;
    try {
      await this.api.delete(`/api/v2/user-blocks/${encodeURIComponent(id)}`);
      this.blocks = [];
    } catch (err) {
      this.sectionErrors = { ...this.sectionErrors, bruteForce: this.errorText(err) };
    }
  }

  override render(): TemplateResult {
    if (!this.userId) return html`<p class="muted">${this.t('noUser')}</p>`;
    if (this.loadError) {
      return html`<div class="error" part="error" role="alert">${this.loadError} <button @click=${() => this.load()}>${this.t('retry')}</button></div>`;
    }
    const user = this.user;
    if (!user) return html`<p class="muted" role="status">${this.t('loading')}</p>`;
    return html`
      <header part="header">
        ${this.#picture(user.picture)}
        <div><h2>${user.name ?? user.email ?? user.user_id}</h2><div class="muted">${user.user_id}</div></div>
        <slot name="header-actions"></slot>
      </header>
      <section part="section profile" aria-labelledby="profile-title">
        <h3 id="profile-title">${this.t('profile')}</h3>
        <form @submit=${this.#saveProfile} novalidate>
          <div class="grid">${PROFILE_FIELDS.map(([field, label, type]) => this.#input(field, label, type, (user as unknown as Record<string, string | null>)[field] ?? ''))}</div>
          ${this.picturePreview ? html`<div class="preview">${this.#picture(this.picturePreview, this.t('picturePreview'))}</div>` : nothing}
          <div class="field inline"><input id="email_verified" name="email_verified" type="checkbox" .checked=${user.email_verified} />
            <label for="email_verified">${this.t('emailVerified')}</label></div>
          ${this.#footer('profile', this.t('save'))}
        </form>
      </section>
      <section part="section metadata" aria-labelledby="metadata-title">
        <h3 id="metadata-title">${this.t('metadata')}</h3>
        <form @submit=${this.#saveMetadata} novalidate>
          ${METADATA.map((kind) => this.#textarea(kind, kind === 'user_metadata' ? 'userMetadata' : 'appMetadata', JSON.stringify(user[kind], null, 2)))}
          ${this.#footer('metadata', this.t('save'))}
        </form>
      </section>
      <section part="section password" aria-labelledby="password-title">
        <h3 id="password-title">${this.t('password')}</h3>
        <form @submit=${this.#changePassword} novalidate>
          ${this.#input('password', 'newPassword', 'password', '', 'new-password')}
          ${this.#footer('password', this.t('changePassword'))}
        </form>
      </section>
      <section part="section status" aria-labelledby="status-title">
        <h3 id="status-title">${this.t('status')}</h3>
        <div class="row">
          <span class=${user.blocked ? 'error' : ''}>${user.blocked ? this.t('userBlocked') : this.t('userActive')}</span>
          <button class=${user.blocked ? '' : 'danger'} data-action="toggle-block" ?disabled=${this.busy !== null}
            @click=${() => this.#patch('status', { blocked: !user.blocked })}>${user.blocked ? this.t('unblock') : this.t('block')}</button>
        </div>
        ${this.#messages('status')}
      </section>
      ${this.blocks === null ? nothing : bruteForceSection(this.t.bind(this), this.blocks, () => void this.#clearBlocks())}
      ${this.blocks === null ? nothing : this.#messages('bruteForce')}
      ${identitiesSection(this.t.bind(this), user.user_id, user.identities, (i) => void this.#unlink(i))}
      ${this.#messages('identities')}
      ${logsSection(this.t.bind(this), this.logs, this.logsError)}
    `;
  }

  #picture(src: string | null, alt = ''): TemplateResult | typeof nothing {
    // Only web URLs are shown: a `javascript:` or `data:` URL typed into the field never loads.
    return src && /^https?:\/\//iu.test(src) ? html`<img part="picture" src=${src} alt=${alt} referrerpolicy="no-referrer" />` : nothing;
  }

  #input(field: string, label: MessageKey, type: string, value: string, autocomplete = 'off'): TemplateResult {
    const error = this.fieldErrors[field];
    return html`<div class="field">
      <label for=${field}>${this.t(label)}</label>
      <input id=${field} name=${field} type=${type} .value=${value} autocomplete=${autocomplete}
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${field}-error` : nothing}
        @input=${field === 'picture' ? (e: Event) => { this.picturePreview = (e.target as HTMLInputElement).value; } : nothing} />
      ${error ? html`<div id="${field}-error" class="error" part="field-error">${error}</div>` : nothing}
    </div>`;
  }

  #textarea(field: string, label: MessageKey, value: string): TemplateResult {
    const error = this.fieldErrors[field];
    return html`<div class="field">
      <label for=${field}>${this.t(label)}</label>
      <textarea id=${field} name=${field} .value=${value} spellcheck="false"
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${field}-error` : nothing}></textarea>
      ${error ? html`<div id="${field}-error" class="error" part="field-error">${error}</div>` : nothing}
    </div>`;
  }

  #footer(section: Section, label: string): TemplateResult {
    return html`<div class="row">
      <button type="submit" class="primary" ?disabled=${this.busy !== null}>${this.busy === section ? this.t('saving') : label}</button>
      ${this.#messages(section)}
    </div>`;
  }

  #messages(section: Section): TemplateResult {
    const error = this.sectionErrors[section];
    return html`${error ? html`<span class="error" part="error" role="alert">${error}</span>` : nothing}
      <span class="ok" role="status">${this.notices[section] ?? ''}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gatehouse-profile-editor': GatehouseProfileEditor;
  }
}
