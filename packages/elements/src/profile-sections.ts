import type { Identity } from '@gatehouse/core';
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from './messages.js';

/** A log event as `GET /api/v2/users/{id}/logs` answers. */
export interface LogEntry {
  log_id: string;
  date: string;
  type: string;
  description: string | null;
  ip: string | null;
}

/** One entry of `GET /api/v2/user-blocks/{id}`'s `blocked_for`. */
export interface BruteForceBlock {
  identifier: string;
  ip?: string | null;
  connection?: string | null;
}

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/**
 * The read-mostly sections of the profile editor (linked identities, brute-force blocks, recent
 * logs), as render functions so the editor's own file keeps to its forms.
 */
export function identitiesSection(t: Translate, userId: string, identities: Identity[], unlink: (identity: Identity) => void): TemplateResult {
  return html`<section part="section identities" aria-labelledby="identities-title">
    <h3 id="identities-title">${t('identities')}</h3>
    <ul class="list">
      ${identities.map((identity) => {
        // The identity the user_id is made of cannot be unlinked: it is the account itself.
        const primary = `${identity.provider}|${identity.user_id}` === userId;
        return html`<li>
          <span><strong>${identity.connection}</strong> <span class="muted">${identity.provider}|${identity.user_id}</span></span>
          ${primary
            ? nothing
            : html`<button data-unlink=${`${identity.provider}|${identity.user_id}`}
                aria-label=${t('unlinkLabel', { provider: identity.provider, id: identity.user_id })}
                @click=${() => unlink(identity)}>${t('unlink')}</button>`}
        </li>`;
      })}
    </ul>
  </section>`;
}

export function bruteForceSection(t: Translate, blocks: BruteForceBlock[], clear: () => void): TemplateResult {
  return html`<section part="section brute-force" aria-labelledby="bf-title">
    <h3 id="bf-title">${t('bruteForce')}</h3>
    ${blocks.length === 0
      ? html`<p class="muted">${t('bruteForceNone')}</p>`
      : html`<ul class="list">${blocks.map((b) => html`<li>${b.identifier}${b.ip ? html` <span class="muted">${b.ip}</span>` : nothing}</li>`)}</ul>
          <button @click=${clear}>${t('bruteForceClear')}</button>`}
  </section>`;
}

export function logsSection(t: Translate, logs: LogEntry[] | null, error: string): TemplateResult {
  return html`<section part="section logs" aria-labelledby="logs-title">
    <h3 id="logs-title">${t('logs')}</h3>
    ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
    ${logs === null && !error ? html`<p class="muted">${t('loading')}</p>` : nothing}
    ${logs !== null && logs.length === 0 ? html`<p class="muted">${t('noLogs')}</p>` : nothing}
    ${logs !== null && logs.length > 0
      ? html`<table class="logs">
          <thead><tr><th scope="col">${t('logDate')}</th><th scope="col">${t('logType')}</th>
            <th scope="col">${t('logDescription')}</th><th scope="col">${t('logIp')}</th></tr></thead>
          <tbody>${logs.map((l) => html`<tr><td>${new Date(l.date).toLocaleString()}</td><td><code>${l.type}</code></td>
            <td>${l.description ?? ''}</td><td>${l.ip ?? ''}</td></tr>`)}</tbody>
        </table>`
      : nothing}
  </section>`;
}
