import type { JsonValue, ProfilingField, ProfilingStep } from '@gatehouse/core';
import { html, SafeHtml } from './html.js';
import { csrfField, layout, notice, type PageContext } from './layout.js';

export interface ProfileStepPageData {
  step: ProfilingStep;
  returnTo: string;
  /** What the user typed (shown again after an error). */
  values?: Record<string, unknown>;
  /** Messages by field name. */
  errors?: Record<string, string>;
  /** An error not about one field. */
  error?: string;
}

/** The heading when the rule names none (the element's default string too). */
const DEFAULT_HEADING = 'Tell us a bit more about you';

/** Autofill hints for the root fields browsers know. */
const AUTOCOMPLETE: Record<string, string> = {
  given_name: 'given-name', family_name: 'family-name', name: 'name', nickname: 'nickname', username: 'username', phone_number: 'tel', picture: 'photo',
};

// The layout styles text inputs; selects and the checkbox row need a little more.
const STEP_CSS = new SafeHtml(`<style>
select { width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid var(--gh-muted); border-radius: 6px; background: var(--gh-card); color: var(--gh-text); }
.check { display: flex; gap: .5rem; align-items: center; margin-top: 1rem; } .check input { width: auto; } .check label { margin: 0; }
</style>`);

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function field(f: ProfilingField, value: unknown, error: string | undefined): SafeHtml {
  const id = `f-${f.name}`;
  const described = error ? html`aria-invalid="true" aria-describedby="${id}-error"` : '';
  const message = error ? html`<p class="error" id="${id}-error">${error}</p>` : '';
  const star = f.required ? html` <span aria-hidden="true">*</span>` : '';
  if (f.type === 'checkbox') {
    const checked = value === true || (typeof value === 'string' && value !== '' && value !== 'false');
    return html`<div class="check"><input id="${id}" name="${f.name}" type="checkbox" value="on" ${checked ? html`checked` : ''} ${f.required ? html`required` : ''} ${described}>
  <label for="${id}">${f.label}${star}</label></div>${message}`;
  }
  if (f.type === 'select') {
    return html`<label for="${id}">${f.label}${star}</label>
  <select id="${id}" name="${f.name}" ${f.required ? html`required` : ''} ${described}>
    <option value="">Choose…</option>
    ${(f.options ?? []).map((o) => html`<option value="${o.value}" ${o.value === value ? html`selected` : ''}>${o.label}</option>`)}
  </select>${message}`;
  }
  return html`<label for="${id}">${f.label}${star}</label>
  <input id="${id}" name="${f.name}" type="${f.type}" value="${text(value)}" autocomplete="${AUTOCOMPLETE[f.name] ?? 'off'}" ${f.required ? html`required` : ''} ${f.pattern === undefined ? '' : html`pattern="${f.pattern}"`} ${described}>${message}`;
}

/**
 * JSON for a `<script type="application/json">` block: the browser does not decode entities in a
 * script, so instead of HTML escaping, every "<" becomes \u003c and no "</script>" can close it.
 */
function jsonScript(id: string, data: JsonValue): SafeHtml {
  const json = JSON.stringify(data).replace(/</gu, '\\u003c').replace(/\u2028/gu, '\\u2028').replace(/\u2029/gu, '\\u2029');
  return new SafeHtml(`<script type="application/json" id="${id}">${json}</script>`);
}

/**
 * The hosted progressive-profiling step: a plain form that works without JavaScript (posting to
 * the same route, CSRF-protected), which the page's module script swaps for
 * `<gatehouse-progressive-profile>` when the elements bundle loads. Both are same-origin scripts,
 * as the hosted pages' CSP (`script-src 'self'`) requires; the element's settings travel as a JSON
 * data block, which is never executed.
 */
export function profileStepPage(ctx: PageContext, data: ProfileStepPageData): string {
  const p = ctx.prefix;
  const { rule, fields } = data.step;
  const values = data.values ?? {};
  const errors = data.errors ?? {};
  const heading = rule.heading ?? DEFAULT_HEADING;
  const settings: JsonValue = {
    fields: fields as unknown as JsonValue,
    skippable: rule.skippable,
    heading,
    returnTo: data.returnTo,
    authPrefix: p,
  };
  return layout(ctx, heading, html`${STEP_CSS}
<h1 id="step-heading">${heading}</h1>
${notice('error', data.error)}
<form method="post" action="${p}/profile/complete" id="gatehouse-profile-form" aria-labelledby="step-heading">
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${data.returnTo}">
  <input type="hidden" name="rule" value="${rule.id}">
  ${fields.map((f) => field(f, values[f.name], errors[f.name]))}
  <button type="submit" name="action" value="save">Continue</button>
  ${rule.skippable ? html`<button type="submit" name="action" value="skip" class="secondary" formnovalidate>Skip for now</button>` : ''}
</form>
${jsonScript('gatehouse-profile-step', settings)}
<script type="module" src="${p}/elements.js"></script>
<script type="module" src="${p}/profile/complete.js"></script>`);
}

/**
 * The step page's module script: once the elements bundle has defined
 * `<gatehouse-progressive-profile>`, it replaces the plain form with the element (which saves
 * through PATCH /me), goes on to returnTo when the element is done, and posts the plain form's
 * Skip for a skip (the server remembers it). If the bundle never loads, the plain form stays.
 */
export const PROFILE_STEP_SCRIPT = `const settings = JSON.parse(document.getElementById('gatehouse-profile-step').textContent);
const form = document.getElementById('gatehouse-profile-form');
customElements.whenDefined('gatehouse-progressive-profile').then(() => {
  const element = document.createElement('gatehouse-progressive-profile');
  element.authPrefix = settings.authPrefix;
  element.fields = settings.fields;
  element.skippable = settings.skippable;
  element.heading = settings.heading;
  element.addEventListener('profile-complete', () => location.assign(settings.returnTo));
  element.addEventListener('profile-skip', () => form.requestSubmit(form.querySelector('button[value="skip"]')));
  form.hidden = true;
  document.getElementById('step-heading').hidden = true;
  form.before(element);
});
`;
