import type { Connection, PasswordlessFlow } from '@gatehouse/core';
import { html } from './html.js';
import { csrfField, layout, notice, type PageContext } from './layout.js';

type Described = Pick<Connection, 'name' | 'displayName'> & { passwordless: Pick<PasswordlessFlow, 'channel' | 'delivery'> };

/** The address field of a channel: its form name, label and input attributes. */
function addressField(channel: 'email' | 'sms') {
  return channel === 'email'
    ? { name: 'email', label: 'Email', type: 'email', autocomplete: 'email', inputmode: 'email', hint: '' }
    : { name: 'phone_number', label: 'Phone number', type: 'tel', autocomplete: 'tel', inputmode: 'tel', hint: 'In international form, like +14155550123.' };
}

export interface PasswordlessStartData {
  returnTo: string;
  address?: string;
  error?: string;
}

/** The page asking for the address a code or link goes to. */
export function passwordlessStartPage(ctx: PageContext, connection: Described, data: PasswordlessStartData): string {
  const p = ctx.prefix;
  const field = addressField(connection.passwordless.channel);
  const what = connection.passwordless.delivery === 'link' ? 'a sign-in link' : 'a sign-in code';
  const described = [field.hint ? 'address-hint' : '', data.error ? 'form-error' : ''].filter(Boolean).join(' ') || undefined;
  return layout(ctx, `Sign in with ${connection.displayName}`, html`
<h1>Sign in with ${connection.displayName}</h1>
${notice('error', data.error)}
<form method="post" action="${p}/${connection.name}" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${data.returnTo}">
  <label for="address">${field.label}</label>
  <input id="address" name="${field.name}" type="${field.type}" autocomplete="${field.autocomplete}" inputmode="${field.inputmode}" required value="${data.address ?? ''}" aria-describedby="${described}" ${data.error ? html`aria-invalid="true"` : ''}>
  ${field.hint ? html`<p class="hint" id="address-hint">${field.hint}</p>` : ''}
  <button type="submit">Send me ${what}</button>
</form>
<p class="links"><a href="${p}/login?returnTo=${encodeURIComponent(data.returnTo)}">Other ways to sign in</a></p>`);
}

export interface PasswordlessCodeData {
  /** The address the code was asked for (this browser typed it). */
  address: string;
  error?: string;
  info?: string;
}

/** The page where the code is typed, with a way to ask for a new one. */
export function passwordlessCodePage(ctx: PageContext, connection: Described, data: PasswordlessCodeData): string {
  const p = ctx.prefix;
  const field = addressField(connection.passwordless.channel);
  const where = connection.passwordless.channel === 'email' ? 'email' : 'phone';
  return layout(ctx, 'Enter your code', html`
<h1>Enter your code</h1>
${notice('ok', data.info)}
${notice('error', data.error)}
<p>If <strong>${data.address}</strong> can sign in here, a code is on its way to it. Check your ${where}.</p>
<form method="post" action="${p}/${connection.name}/verify" novalidate>
  ${csrfField(ctx)}
  <label for="code">Code</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 -]*" maxlength="32" required aria-describedby="${data.error ? 'form-error' : undefined}" ${data.error ? html`aria-invalid="true"` : ''}>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="${p}/${connection.name}">
  ${csrfField(ctx)}
  <input type="hidden" name="${field.name}" value="${data.address}">
  <button type="submit" class="secondary">Send a new code</button>
</form>
<p class="links"><a href="${p}/${connection.name}">Use another ${field.label.toLowerCase()}</a></p>`);
}

/**
 * Where a magic link lands: a button, nothing else. Only its POST uses the link, so a mail
 * scanner or link preview that fetches the URL leaves it working.
 */
export function passwordlessLinkPage(ctx: PageContext, connection: Described, data: { token: string; returnTo: string }): string {
  const p = ctx.prefix;
  return layout(ctx, `Sign in to ${ctx.appName}`, html`
<h1>Sign in to ${ctx.appName}</h1>
<p>Continue to sign in with the link from your email.</p>
<form method="post" action="${p}/${connection.name}/link">
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${data.token}">
  <input type="hidden" name="returnTo" value="${data.returnTo}">
  <button type="submit">Sign in</button>
</form>`);
}
