import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import supertest from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ELEMENTS = new URL('../../packages/elements/', import.meta.url);
const BUNDLE = fileURLToPath(new URL('dist/gatehouse-elements.js', ELEMENTS));
/** The budget: the three components with Lit, gzipped. */
const BUDGET_BYTES = 25 * 1024;

describe('the elements bundle', function () {
  this.timeout(60000);
  let bundle: Buffer;

  before(function () {
    // Built here, so the figure is the current source's, not a stale dist's.
    execFileSync(process.execPath, [fileURLToPath(new URL('scripts/build.mjs', ELEMENTS))], { stdio: 'pipe' });
    bundle = readFileSync(BUNDLE);
  });

  it(`is one ES module with all three components and Lit, at most ${BUDGET_BYTES / 1024} KB gzipped`, () => {
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    console.log(`      elements bundle: ${(bundle.length / 1024).toFixed(1)} KB minified, ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)`);
    assert.ok(gzipped <= BUDGET_BYTES, `${gzipped} bytes gzipped is over the ${BUDGET_BYTES}-byte budget`);
    const text = bundle.toString('utf8');
    for (const tag of ['gatehouse-user-table', 'gatehouse-profile-editor', 'gatehouse-progressive-profile']) {
      assert.ok(text.includes(`"${tag}"`), `${tag} is defined in the bundle`);
    }
    assert.doesNotMatch(text, /^\s*(import|require\()/mu, 'self-contained: no imports left');
  });

  it('comes with a custom-elements manifest describing the three elements', () => {
    const manifest = JSON.parse(readFileSync(new URL('custom-elements.json', ELEMENTS), 'utf8')) as {
      modules: { declarations?: { tagName?: string; events?: { name: string }[] }[] }[];
    };
    const elements = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
    assert.deepEqual(elements.map((d) => d.tagName).sort(), ['gatehouse-profile-editor', 'gatehouse-progressive-profile', 'gatehouse-user-table']);
    const events = Object.fromEntries(elements.map((d) => [d.tagName, (d.events ?? []).map((e) => e.name).sort()]));
    assert.deepEqual(events['gatehouse-user-table'], ['user-select', 'users-changed']);
    assert.deepEqual(events['gatehouse-profile-editor'], ['profile-saved']);
    assert.deepEqual(events['gatehouse-progressive-profile'], ['profile-complete', 'profile-skip']);
  });

  describe('GET /auth/elements.js', () => {
    let t: TestApp;
    const warnings: string[] = [];

    before(async () => {
      t = await startTestApp({ logger: { info: () => undefined, error: () => undefined, warn: (...args: unknown[]) => warnings.push(args.join(' ')) } });
    });
    after(() => t.close());

    it('serves the bundle as JavaScript, cacheable, with a strong ETag, loadable from other origins', async () => {
      const res = await supertest(t.app).get('/auth/elements.js').buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      }).expect(200);
      assert.match(res.headers['content-type'] as string, /^text\/javascript; charset=utf-8$/u);
      assert.ok((res.body as Buffer).equals(bundle), 'the built file, byte for byte');
      assert.equal(res.headers['cache-control'], 'public, max-age=3600');
      assert.match(res.headers.etag as string, /^"[A-Za-z0-9_-]{22}"$/u);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
      assert.equal(res.headers['set-cookie'], undefined, 'no session is started for a static asset');
    });

    it('answers 304 to a matching If-None-Match, and is immutable when asked for by version', async () => {
      const first = await supertest(t.app).get('/auth/elements.js').expect(200);
      const etag = first.headers.etag as string;
      await supertest(t.app).get('/auth/elements.js').set('If-None-Match', etag).expect(304);
      const versioned = await supertest(t.app).get(`/auth/elements.js?v=${etag.slice(1, -1)}`).expect(200);
      assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
      const other = await supertest(t.app).get('/auth/elements.js?v=someotherbuild').expect(200);
      assert.equal(other.headers['cache-control'], 'public, max-age=3600', 'a version that is not this build is not pinned');
    });

    it('answers 404 with one clear log line when the bundle is not built', async () => {
      const aside = `${BUNDLE}.aside-${process.pid}`;
      renameSync(BUNDLE, aside);
      try {
        for (let i = 0; i < 2; i += 1) {
          const res = await supertest(t.app).get('/auth/elements.js').set('Accept', 'application/json').expect(404);
          assert.equal((res.body as { errorCode: string }).errorCode, 'not_found');
        }
      } finally {
        renameSync(aside, BUNDLE);
      }
      const lines = warnings.filter((w) => w.includes('elements bundle is not built'));
      assert.equal(lines.length, 1, warnings.join('\n'));
      assert.match(lines[0]!, /npm run build -w @gatehouse\/elements/u);
      await supertest(t.app).get('/auth/elements.js').expect(200);
    });
  });
});
