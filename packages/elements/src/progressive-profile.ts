import type { JsonValue, UserJson } from '@gatehouse/core';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError } from './api-client.js';
import { GatehouseElement } from './gatehouse-element.js';
import { themeStyles } from './theme.js';

/** One field a progressive-profiling step asks for. */
export interface ProfileField {
  /** The root profile field (`given_name`, `phone_number`, ...) or the user_metadata key. */
  name: string;
  /** The label shown (already in the page's language). */
  label: string;
  type: 'text' | 'email' | 'tel' | 'url' | 'date' | 'select' | 'checkbox';
  required?: boolean;
  /** For `select`: the choices, as values or `{value, label}`. */
  options?: (string | { value: string; label: string })[];
  /** A regular expression the whole value must match (as the HTML `pattern` attribute). */
  pattern?: string;
  /** Where the value is saved: a root profile field or a user_metadata key. @default 'user_metadata' */
  target?: 'root' | 'user_metadata';
}

/** `detail` of `profile-complete`: the values saved, by field name. */
export type ProfileCompleteDetail = Record<string, JsonValue>;

/**
 * The form of a progressive-profiling step: asks the signed-in user for a few fields and saves
 * them with `PATCH /auth/me` (root fields at the top level, the rest into `user_metadata`). It uses
 * the page's session and CSRF token (`/auth/me` is self-service), so it belongs on the app's own
 * origin. The current values are filled in from `GET /auth/me`.
 *
 * @fires profile-complete - The values were saved. `detail`: the saved values by field name.
 * @fires profile-skip - The user chose to skip (only with `skippable`).
 * @csspart form - The form.
 * @csspart heading - The heading.
 * @csspart field - Each field's wrapper.
 * @csspart field-error - A message beside a field.
 * @csspart actions - The buttons.
 * @csspart error - The form's error message.
 * @cssprop --gatehouse-color-primary - The Continue button.
 * @cssprop --gatehouse-color-danger - Errors.
 * @cssprop --gatehouse-color-background - The background.
 * @slot description - Text under the heading.
 */
@customElement('gatehouse-progressive-profile')
export class GatehouseProgressiveProfile extends GatehouseElement {
  static override styles = [
    themeStyles,
    css`
      form { max-width: 32rem; }
      h2 { margin: 0 0 var(--_space); font-size: 1.25em; }
      .actions { display: flex; gap: var(--_space); justify-content: flex-end; margin-block-start: var(--_space); }
    `,
  ];

  /** The fields to ask for. */
  @property({ attribute: false }) accessor fields: ProfileField[] = [];

  /** Shows a Skip button (firing `profile-skip`). */
  @property({ type: Boolean, reflect: true }) accessor skippable = false;

  /** The heading; the `progressiveTitle` string when empty. */
  @property() accessor heading = '';

  /** @internal */
  @state() accessor values: Record<string, JsonValue> = {};
  /** @internal */
  @state() accessor fieldErrors: Record<string, string> = {};
  /** @internal */
  @state() accessor formError = '';
  /** @internal */
  @state() accessor saving = false;

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('apiBase') || changed.has('authPrefix') || changed.has('token') || changed.has('fields')) void this.#prefill();
  }

  /** The current values, so a user sees what is already known. */
  async #prefill(): Promise<void> {
    try {
      const me = await this.api.get<UserJson>(`${this.authPrefix}/me`);
      const values: Record<string, JsonValue> = {};
      for (const f of this.fields) {
        const value = (f.target === 'root' ? (me as unknown as Record<string, JsonValue>)[f.name] : me.user_metadata[f.name]) ?? null;
        if (value !== null) values[f.name] = value;
      }
      this.values = { ...values, ...this.values };
    } catch (err) {
      this.formError = this.errorText(err);
    }
  }

  /** Checks each field in the browser first (required, type, pattern), with our own messages. */
  #validate(form: HTMLFormElement): boolean {
    const errors: Record<string, string> = {};
    for (const f of this.fields) {
      const el = form.elements.namedItem(f.name) as HTMLInputElement | HTMLSelectElement | null;
      if (el && !el.checkValidity()) errors[f.name] = el.validity.valueMissing ? this.t('required') : this.t('invalidFormat');
    }
    this.fieldErrors = errors;
    const first = this.fields.find((f) => f.name in errors);
    if (first) (form.elements.namedItem(first.name) as HTMLElement | null)?.focus();
    return first === undefined;
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    this.formError = '';
    if (!this.#validate(form)) return;
    const saved: Record<string, JsonValue> = {};
    const body: Record<string, JsonValue> = {};
    const metadata: Record<string, JsonValue> = {};
    for (const f of this.fields) {
      const el = form.elements.namedItem(f.name) as HTMLInputElement;
      const value: JsonValue = f.type === 'checkbox' ? el.checked : el.value.trim();
      if (value === '') continue; // an optional field left empty keeps what is stored
      saved[f.name] = value;
      if (f.target === 'root') body[f.name] = value;
      else metadata[f.name] = value;
    }
    if (Object.keys(metadata).length > 0) body.user_metadata = metadata;
    this.saving = true;
    try {
      await this.api.patch(`${this.authPrefix}/me`, body);
      this.values = { ...this.values, ...saved };
      this.dispatchEvent(new CustomEvent<ProfileCompleteDetail>('profile-complete', { detail: saved, bubbles: true, composed: true }));
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      if (field !== undefined && this.fields.some((f) => f.name === field && f.target === 'root')) {
        this.fieldErrors = { [field]: this.errorText(err) };
        await this.updateComplete;
        (form.elements.namedItem(field) as HTMLElement | null)?.focus();
      } else {
        this.formError = this.errorText(err);
      }
    } finally {
      this.saving = false;
    }
  }

  #skip(): void {
    this.dispatchEvent(new CustomEvent('profile-skip', { bubbles: true, composed: true }));
  }

  override render(): TemplateResult {
    return html`<form part="form" novalidate @submit=${this.#submit} aria-labelledby="heading">
      <h2 id="heading" part="heading">${this.heading || this.t('progressiveTitle')}</h2>
      <slot name="description"></slot>
      ${this.fields.map((f) => this.#field(f))}
      ${this.formError ? html`<p class="error" part="error" role="alert">${this.formError}</p>` : nothing}
      <div class="actions" part="actions">
        ${this.skippable ? html`<button type="button" @click=${this.#skip}>${this.t('skip')}</button>` : nothing}
        <button type="submit" class="primary" ?disabled=${this.saving}>${this.saving ? this.t('saving') : this.t('continue')}</button>
      </div>
    </form>`;
  }

  #field(f: ProfileField): TemplateResult {
    const id = `f-${f.name}`;
    const error = this.fieldErrors[f.name];
    const value = this.values[f.name];
    const described = error ? `${id}-error` : nothing;
    const invalid = error ? 'true' : 'false';
    let control: TemplateResult;
    if (f.type === 'checkbox') {
      return html`<div class="field inline" part="field">
        <input id=${id} name=${f.name} type="checkbox" .checked=${value === true} ?required=${f.required}
          aria-invalid=${invalid} aria-describedby=${described} />
        <label for=${id}>${f.label}</label>
        ${error ? html`<div id="${id}-error" class="error" part="field-error">${error}</div>` : nothing}
      </div>`;
    }
    if (f.type === 'select') {
      control = html`<select id=${id} name=${f.name} ?required=${f.required} aria-invalid=${invalid} aria-describedby=${described}>
        <option value="">${this.t('chooseOption')}</option>
        ${(f.options ?? []).map((o) => {
          const option = typeof o === 'string' ? { value: o, label: o } : o;
          return html`<option value=${option.value} ?selected=${value === option.value}>${option.label}</option>`;
        })}
      </select>`;
    } else {
      control = html`<input id=${id} name=${f.name} type=${f.type} .value=${typeof value === 'string' ? value : ''}
        ?required=${f.required} pattern=${f.pattern ?? nothing} aria-invalid=${invalid} aria-describedby=${described}
        autocomplete=${AUTOCOMPLETE[f.name] ?? 'off'} />`;
    }
    return html`<div class="field" part="field">
      <label for=${id}>${f.label}${f.required ? html` <span aria-hidden="true">*</span>` : nothing}</label>
      ${control}
      ${error ? html`<div id="${id}-error" class="error" part="field-error">${error}</div>` : nothing}
    </div>`;
  }
}

/** Autofill hints for the root fields browsers know. */
const AUTOCOMPLETE: Record<string, string> = {
  given_name: 'given-name',
  family_name: 'family-name',
  name: 'name',
  nickname: 'nickname',
  username: 'username',
  phone_number: 'tel',
  picture: 'photo',
};

declare global {
  interface HTMLElementTagNameMap {
    'gatehouse-progressive-profile': GatehouseProgressiveProfile;
  }
}
