/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { sendKeys } from '@web/test-runner-commands';

/**
 * Helpers for the elements' browser tests (run by web-test-runner in Chromium): assertions, the
 * real server's fixtures, sign-in, users made through the management API, waiting for rendered
 * state, and axe-core.
 */

/** What the test server seeded: a management token with every scope, and an admin who can sign in. */
export interface Fixtures {
  token: string;
  admin: { user_id: string; email: string; password: string };
}

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function ok(value: unknown, message = 'expected a truthy value'): asserts value {
  if (!value) throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${message ? `${message}: ` : ''}expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

export function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${e}, got ${a}`);
}

let fixtures: Promise<Fixtures> | null = null;
export function getFixtures(): Promise<Fixtures> {
  fixtures ??= fetch('/__gatehouse/fixtures').then((r) => r.json() as Promise<Fixtures>);
  return fixtures;
}

/** Calls the management API with the fixtures' token (as an app's backend would). */
export async function admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const { token } = await getFixtures();
  const res = await fetch(`/api/v2${path}`, {
    method,
    credentials: 'omit',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export const PASSWORD = 'correct horse battery staple';
let counter = 0;

/** A tag no other test (or earlier run against a shared database) uses. */
export function uniqueTag(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export interface CreatedUser {
  user_id: string;
  email: string;
  name: string | null;
  blocked: boolean;
}

/** Creates a verified database user through the management API. */
export async function createUser(fields: Record<string, unknown>): Promise<CreatedUser> {
  const res = await admin<CreatedUser>('POST', '/users', { connection: 'Username-Password-Authentication', password: PASSWORD, email_verified: true, ...fields });
  if (res.status !== 201) throw new Error(`creating a user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Signs this page's browser context in (session cookie), as the hosted login page would. */
export async function signIn(email: string, password = PASSWORD): Promise<void> {
  const { csrfToken } = (await (await fetch('/auth/csrf-token')).json()) as { csrfToken: string };
  const res = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify({ username: email, password }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
}

/** Signs the page's session out. */
export async function signOut(): Promise<void> {
  const { csrfToken } = (await (await fetch('/auth/csrf-token')).json()) as { csrfToken: string };
  await fetch('/auth/logout', { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': csrfToken } });
}

/**
 * Resolves once `check` returns a truthy value (checked after each animation frame), for state
 * that arrives with a network answer. Gives up after `ms` with the last value's description, so
 * a failure says what was awaited; the limit is a hang guard, not a speed assertion.
 */
export async function until<T>(check: () => T, what: string, ms = 10_000): Promise<NonNullable<T>> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new AssertionError(`timed out waiting for ${what}`);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

/** The next event of this type on `target`. */
export function nextEvent<T = unknown>(target: EventTarget, type: string): Promise<CustomEvent<T>> {
  return new Promise((resolve) => target.addEventListener(type, (e) => resolve(e as CustomEvent<T>), { once: true }));
}

/** Puts `html` into a fresh `<main>` (so axe sees a landmark, as on a real page) and returns its first element. */
export function mount<E extends Element>(html: string): E {
  document.title = 'Gatehouse elements test';
  document.documentElement.lang = 'en';
  document.body.replaceChildren();
  const main = document.createElement('main');
  main.innerHTML = `<h1>Test page</h1>${html}`;
  document.body.append(main);
  return main.querySelector('h1')!.nextElementSibling as E;
}

/** An element inside a component's shadow root. */
export function $<E extends Element = HTMLElement>(host: Element, selector: string): E | null {
  return host.shadowRoot!.querySelector<E>(selector);
}

export function $$<E extends Element = HTMLElement>(host: Element, selector: string): E[] {
  return [...host.shadowRoot!.querySelectorAll<E>(selector)];
}

/** Types into an input as a user would (value + input event). */
export function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  input.focus();
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

/** Presses a key on the real keyboard (Playwright), as a user would: `ArrowDown`, `Enter`, `Space`, `Tab`... */
export function press(key: string): Promise<void> {
  return sendKeys({ press: key });
}

/** Types text on the real keyboard into the focused element. */
export function typeKeys(text: string): Promise<void> {
  return sendKeys({ type: text });
}

/** The element that has focus, looking inside shadow roots. */
export function deepActiveElement(): Element | null {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

interface AxeResults {
  violations: { id: string; impact: string; help: string; nodes: { target: unknown; failureSummary?: string }[] }[];
}
declare global {
  interface Window {
    axe?: { run(context: Element | Document, options?: unknown): Promise<AxeResults> };
  }
}

/** Runs axe-core (WCAG 2.x A/AA and best practices) over the page; fails with every violation listed. */
export async function expectNoAxeViolations(context: Element | Document = document): Promise<void> {
  if (!window.axe) {
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/node_modules/axe-core/axe.min.js';
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('axe-core could not be loaded'));
      document.head.append(script);
    });
  }
  const results = await window.axe!.run(context, { resultTypes: ['violations'] });
  const report = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n')}`);
  if (report.length > 0) throw new AssertionError(`axe found ${report.length} violation(s):\n${report.join('\n')}`);
}
