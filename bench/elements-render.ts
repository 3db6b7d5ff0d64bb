/**
 * Time to render a 100-row page of `<gatehouse-user-table>` in Chromium, as a ratio of rendering
 * the same 100 rows as a plain static table (the same cells: checkbox, email, name, status, logins,
 * last login, created, three action buttons), measured in the same page in alternating rounds.
 *
 * Both sides start from the same `GET /api/v2/users` answer (100 users, as JSON text, served by a
 * stubbed `fetch` so the network and the database are out of the figure) and end when the rows are
 * in the DOM and laid out. The component's side includes creating the element, its shadow root and
 * styles, the fetch, the JSON parse and Lit's render; the static side a fetch, a JSON parse and an
 * `innerHTML` of the escaped rows. Runs the built bundle (`@gatehouse/elements/bundle`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROWS = 100;

export interface ElementsRenderResult {
  rows: number;
  rounds: number;
  /** Median ms for the component, for the static table, and the median of the per-round ratios. */
  componentMs: number;
  staticMs: number;
  ratio: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** The management API's answer for one page, as the table asks for it (`fields=` of its columns). */
function usersPage(): string {
  const start = Date.UTC(2024, 0, 1);
  const users = Array.from({ length: ROWS }, (_, i) => ({
    user_id: `auth0|${(0x650000000000000000000000n + BigInt(i)).toString(16)}`,
    email: `person.${i}@example.com`,
    name: `Person Number ${i}`,
    nickname: `person.${i}`,
    blocked: i % 7 === 0,
    last_login: i % 3 === 0 ? null : new Date(start + i * 3_600_000).toISOString(),
    logins_count: i * 3,
    created_at: new Date(start - i * 86_400_000).toISOString(),
  }));
  return JSON.stringify({ users, next: 'cursor-of-the-next-page' });
}

/** Runs the benchmark; null (with the reason printed) when Chromium is not installed. */
export async function benchElementsRender(rounds = 40, warmup = 8): Promise<ElementsRenderResult | null> {
  if (!existsSync(CHROMIUM_PATH)) {
    console.warn(`elements render bench skipped: no Chromium at ${CHROMIUM_PATH}`);
    return null;
  }
  const bundle = await readFile(createRequire(import.meta.url).resolve('@gatehouse/elements/bundle'), 'utf8');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.setContent('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body><div id="host"></div></body></html>');
    await page.addScriptTag({ content: bundle, type: 'module' });
    await page.evaluate(() => customElements.whenDefined('gatehouse-user-table'));
    // tsx (esbuild's keepNames) wraps named inner functions in __name(); the page has no such helper.
    await page.evaluate('globalThis.__name = (f) => f');
    const times = await page.evaluate(runInPage, { json: usersPage(), rows: ROWS, rounds, warmup });
    const ratios = times.component.map((c, i) => c / times.static[i]!);
    return { rows: ROWS, rounds, componentMs: median(times.component), staticMs: median(times.static), ratio: median(ratios) };
  } finally {
    await browser.close();
  }
}

/** Runs in the page (serialized by Playwright: self-contained). */
async function runInPage({ json, rows, rounds, warmup }: { json: string; rows: number; rounds: number; warmup: number }) {
  // Every API call answers with the same page at once: what is measured is the page, not the server.
  window.fetch = async () => new Response(json, { status: 200, headers: { 'content-type': 'application/json' } });
  const host = document.getElementById('host')!;
  const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
  const esc = (v: unknown) => String(v).replace(/[&<>"]/gu, (c) => escapes[c]!);
  const date = (v: string | null) => (v ? new Date(v).toLocaleString() : 'Never');
  type Row = { user_id: string; email: string; name: string; blocked: boolean; last_login: string | null; logins_count: number; created_at: string };

  async function staticTable(): Promise<number> {
    const t0 = performance.now();
    const body = (await (await fetch('/api/v2/users')).json()) as { users: Row[] };
    host.innerHTML = `<table><thead><tr><th><input type="checkbox" aria-label="Select all"></th><th>Email</th><th>Name</th><th>Status</th><th>Logins</th><th>Last login</th><th>Created</th><th>Actions</th></tr></thead><tbody>${body.users
      .map((u) => `<tr data-id="${esc(u.user_id)}"><td><input type="checkbox" aria-label="Select ${esc(u.email)}"></td><td>${esc(u.email)}</td><td>${esc(u.name)}</td><td>${u.blocked ? 'Blocked' : 'Active'}</td><td>${u.logins_count}</td><td>${esc(date(u.last_login))}</td><td>${esc(date(u.created_at))}</td><td><button>Open</button><button>${u.blocked ? 'Unblock' : 'Block'}</button><button>Delete</button></td></tr>`)
      .join('')}</tbody></table>`;
    void host.offsetHeight; // style and layout, as the component's side
    const ms = performance.now() - t0;
    host.textContent = '';
    return ms;
  }

  async function component(): Promise<number> {
    const t0 = performance.now();
    const el = document.createElement('gatehouse-user-table') as HTMLElement & { pageSize: number };
    el.pageSize = rows;
    host.append(el);
    const root = el.shadowRoot!;
    // MutationObserver callbacks are microtasks: the rows are seen as soon as Lit puts them in.
    await new Promise<void>((resolve) => {
      const done = () => root.querySelectorAll('tbody tr').length === rows;
      if (done()) return resolve();
      const observer = new MutationObserver(() => {
        if (done()) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe(root, { childList: true, subtree: true });
    });
    void host.offsetHeight;
    const ms = performance.now() - t0;
    el.remove();
    return ms;
  }

  const result = { component: [] as number[], static: [] as number[] };
  for (let i = 0; i < warmup + rounds; i += 1) {
    // Alternate which side goes first, so neither always runs on a warmer page.
    let c: number;
    let d: number;
    if (i % 2 === 0) {
      c = await component();
      d = await staticTable();
    } else {
      d = await staticTable();
      c = await component();
    }
    if (i >= warmup) {
      result.component.push(c);
      result.static.push(d);
    }
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchElementsRender();
  if (r) console.log(`| <gatehouse-user-table>, ${r.rows}-row page, Chromium | ${r.componentMs.toFixed(2)} ms | plain static table ${r.staticMs.toFixed(2)} ms | ${r.ratio.toFixed(2)}x | <= 3x |`);
}
