import assert from 'node:assert/strict';
import { applyMetadataPatch, validateMetadata } from '../src/index.js';

describe('metadata rules', () => {
  it('merges at the top level: keys set, nested objects replaced whole, null deletes', () => {
    const current = { a: 1, nested: { x: 1, y: 2 }, gone: true };
    const next = applyMetadataPatch(current, { nested: { x: 9 }, gone: null, b: [1, 2] });
    assert.deepEqual(next, { a: 1, nested: { x: 9 }, b: [1, 2] });
    assert.deepEqual(current, { a: 1, nested: { x: 1, y: 2 }, gone: true }, 'the input is not changed');
  });

  it('merges recursively in deep mode, where null deletes at any depth', () => {
    const next = applyMetadataPatch({ nested: { x: 1, y: 2 } }, { nested: { x: null, z: { w: null, v: 1 } } }, 'deep');
    assert.deepEqual(next, { nested: { y: 2, z: { v: 1 } } });
  });

  for (const key of ['__proto__', 'constructor', 'prototype', 'a.b', 'a$', '$set', '']) {
    it(`refuses the key ${JSON.stringify(key)} at any depth`, () => {
      const top = JSON.parse(`{${JSON.stringify(key)}: 1}`) as unknown;
      const deep = JSON.parse(`{"ok": {"list": [{${JSON.stringify(key)}: 1}]}}`) as unknown;
      for (const value of [top, deep]) {
        assert.throws(() => validateMetadata('user_metadata', value), { code: 'invalid_metadata' });
      }
    });
  }

  it("refuses Auth0's reserved names in app_metadata only", () => {
    for (const key of ['blocked', 'email', 'user_id', 'identities', 'clientID', '__tenant']) {
      assert.throws(() => validateMetadata('app_metadata', { [key]: 1 }), { code: 'invalid_metadata' });
      assert.doesNotThrow(() => validateMetadata('user_metadata', { [key]: 1 }));
    }
  });

  it('refuses non-objects, non-finite numbers, and documents over 1 MB', () => {
    for (const value of [null, [], 'x', 1, new Date()]) {
      assert.throws(() => validateMetadata('user_metadata', value), { code: 'invalid_metadata' });
    }
    assert.throws(() => validateMetadata('user_metadata', { n: Number.NaN }), { code: 'invalid_metadata' });
    assert.throws(() => validateMetadata('user_metadata', { big: 'x'.repeat(1024 * 1024) }), { code: 'invalid_metadata' });
  });

  it('leaves Object.prototype untouched by a __proto__ patch that slipped past JSON.parse', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, never>;
    assert.throws(() => validateMetadata('user_metadata', patch));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
