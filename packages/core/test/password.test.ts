import assert from 'node:assert/strict';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { checkPassword, createPasswordHasher, DEFAULT_PASSWORD_POLICY, resolvePasswordPolicy } from '../src/index.js';

describe('passwords', () => {
  const hasher = createPasswordHasher();

  it('hashes with Argon2id at OWASP parameters and verifies', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/u);
    assert.equal(await hasher.verify(hash, 'correct horse battery staple'), true);
    assert.equal(await hasher.verify(hash, 'correct horse battery stapl'), false);
    assert.equal(hasher.needsRehash(hash), false);
  });

  it('compares passwords after NFKC normalization (the same text typed two ways matches)', async () => {
    const hash = await hasher.hash('caf\u00e9 au lait, s\u2019il vous pla\u00eet');
    assert.equal(await hasher.verify(hash, 'cafe\u0301 au lait, s\u2019il vous pla\u00eet'), true);
  });

  it('verifies imported bcrypt hashes and asks for a re-hash', async () => {
    const hash = await bcryptHash('imported secret', 10);
    assert.equal(await hasher.verify(hash, 'imported secret'), true);
    assert.equal(await hasher.verify(hash, 'imported secreT'), false);
    assert.equal(hasher.needsRehash(hash), true);
    assert.equal(hasher.needsRehash('$argon2id$v=19$m=4096,t=3,p=1$abc$def'), true);
  });

  it('never verifies an unknown hash scheme or garbage', async () => {
    for (const hash of ['', 'plaintext', '{SSHA}abc', '$argon2id$garbage']) {
      assert.equal(await hasher.verify(hash, 'anything'), false);
    }
  });

  it('counts length in code points: 64 emoji pass, 129 characters are too long, 11 too short', () => {
    assert.equal(checkPassword('😀'.repeat(64), DEFAULT_PASSWORD_POLICY), '😀'.repeat(64));
    assert.throws(() => checkPassword('x'.repeat(129), DEFAULT_PASSWORD_POLICY), { code: 'password_too_long' });
    assert.throws(() => checkPassword('x'.repeat(11), DEFAULT_PASSWORD_POLICY), { code: 'password_too_short' });
    assert.throws(() => checkPassword(['x'.repeat(12)], DEFAULT_PASSWORD_POLICY), { code: 'invalid_body' });
  });

  it('refuses a policy that cannot work', () => {
    assert.throws(() => resolvePasswordPolicy({ minLength: 0 }), TypeError);
    assert.throws(() => resolvePasswordPolicy({ maxLength: 32 }), /maxLength/u);
    assert.deepEqual(resolvePasswordPolicy({ minLength: 8 }), { ...DEFAULT_PASSWORD_POLICY, minLength: 8 });
  });
});
