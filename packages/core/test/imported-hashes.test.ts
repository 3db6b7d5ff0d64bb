import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import {
  checkCustomPasswordHash,
  createPasswordHasher,
  decodeImportedHash,
  encodeImportedHash,
  IMPORTED_HASH_PREFIX,
  isDigestAvailable,
  validateCustomPasswordHash,
  verifyImportedHash,
} from '../src/index.js';

const PASSWORD = 'Tr0ub4dor&3 café';
/** The right password with its last character changed. */
const NEAR_MISS = `${PASSWORD.slice(0, -1)}e`;

type Encoding = 'hex' | 'base64' | 'utf8';

function encode(bytes: Buffer, encoding: Encoding): string {
  return bytes.toString(encoding);
}

/** Verifies the right password, and refuses a wrong one and the near miss. */
async function assertVerifies(spec: unknown, password = PASSWORD): Promise<void> {
  const stored = validateCustomPasswordHash(spec);
  assert.equal(await verifyImportedHash(stored, password), true, `right password, ${JSON.stringify(spec)}`);
  assert.equal(await verifyImportedHash(stored, 'wrong password'), false, 'wrong password');
  assert.equal(await verifyImportedHash(stored, `${password.slice(0, -1)}${password.endsWith('x') ? 'y' : 'x'}`), false, 'last character changed');
}

function issuesOf(spec: unknown): Array<{ code: string; path: string }> {
  return checkCustomPasswordHash(spec).issues.map(({ code, path }) => ({ code, path: path.join('.') }));
}

describe('imported password hashes', () => {
  describe('plain digests (md5, sha1, sha256, sha512)', () => {
    for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
      it(`verifies ${algorithm} in hex and base64, unsalted and with a prefix or suffix salt in each encoding`, async () => {
        const salt = randomBytes(12);
        for (const encoding of ['hex', 'base64'] as const) {
          const plain = createHash(algorithm).update(PASSWORD).digest();
          await assertVerifies({ algorithm, hash: { value: encode(plain, encoding), encoding } });
          for (const saltEncoding of ['hex', 'base64', 'utf8'] as const) {
            const saltBytes = saltEncoding === 'utf8' ? Buffer.from('s@lt-ü') : salt;
            const saltValue = saltEncoding === 'utf8' ? 's@lt-ü' : encode(salt, saltEncoding);
            const prefixed = createHash(algorithm).update(Buffer.concat([saltBytes, Buffer.from(PASSWORD)])).digest();
            const suffixed = createHash(algorithm).update(Buffer.concat([Buffer.from(PASSWORD), saltBytes])).digest();
            await assertVerifies({
              algorithm,
              hash: { value: encode(prefixed, encoding), encoding },
              salt: { value: saltValue, encoding: saltEncoding, position: 'prefix' },
            });
            await assertVerifies({
              algorithm,
              hash: { value: encode(suffixed, encoding), encoding },
              salt: { value: saltValue, encoding: saltEncoding, position: 'suffix' },
            });
            // The same hash with the salt on the wrong side must not match.
            const swapped = validateCustomPasswordHash({
              algorithm,
              hash: { value: encode(prefixed, encoding), encoding },
              salt: { value: saltValue, encoding: saltEncoding, position: 'suffix' },
            });
            assert.equal(await verifyImportedHash(swapped, PASSWORD), false);
          }
        }
      });
    }

    it('accepts upper-case hex and url-safe unpadded base64', async () => {
      const digest = createHash('sha256').update(PASSWORD).digest();
      await assertVerifies({ algorithm: 'sha256', hash: { value: digest.toString('hex').toUpperCase(), encoding: 'hex' } });
      await assertVerifies({ algorithm: 'sha256', hash: { value: digest.toString('base64url'), encoding: 'base64' } });
    });

    it('turns the password into bytes with password.encoding (utf16le, ucs2, latin1, ascii)', async () => {
      for (const encoding of ['utf16le', 'ucs2', 'latin1', 'ascii'] as const) {
        const digest = createHash('sha1').update(Buffer.from(PASSWORD, encoding)).digest('hex');
        await assertVerifies({ algorithm: 'sha1', hash: { value: digest, encoding: 'hex' }, password: { encoding } });
        // utf8 bytes differ for "é", so the default encoding does not match this hash.
        const utf8 = validateCustomPasswordHash({ algorithm: 'sha1', hash: { value: digest, encoding: 'hex' } });
        assert.equal(await verifyImportedHash(utf8, PASSWORD), false, encoding);
      }
    });

    it('uses the password as typed, not NFKC-normalized (the source system hashed the raw string)', async () => {
      const decomposed = 'cafe\u0301 crème brûlée';
      const digest = createHash('sha256').update(decomposed).digest('hex');
      const stored = validateCustomPasswordHash({ algorithm: 'sha256', hash: { value: digest, encoding: 'hex' } });
      assert.equal(await verifyImportedHash(stored, decomposed), true);
      assert.equal(await verifyImportedHash(stored, decomposed.normalize('NFKC')), false);
    });
  });

  describe('md4', () => {
    // RFC 1320, appendix A.5.
    const abc = 'a448017aaf21d8525fc10ae87aa6729d';

    it(isDigestAvailable('md4')
      ? 'verifies md4 (available in this Node: legacy provider loaded)'
      : 'refuses md4 at validation with the reason (this Node\'s OpenSSL 3 lacks it), and says so at login for a stored one', async () => {
      if (isDigestAvailable('md4')) {
        const stored = validateCustomPasswordHash({ algorithm: 'md4', hash: { value: abc, encoding: 'hex' } });
        assert.equal(await verifyImportedHash(stored, 'abc'), true);
        assert.equal(await verifyImportedHash(stored, 'abd'), false);
        const digest = createHash('md4').update(`salt${PASSWORD}`).digest('base64');
        await assertVerifies({ algorithm: 'md4', hash: { value: digest, encoding: 'base64' }, salt: { value: 'salt', position: 'prefix' } });
        return;
      }
      assert.throws(() => validateCustomPasswordHash({ algorithm: 'md4', hash: { value: abc, encoding: 'hex' } }), {
        code: 'invalid_body',
        field: 'custom_password_hash',
        message: /md4 is not available.*--openssl-legacy-provider/u,
      });
      assert.deepEqual(issuesOf({ algorithm: 'md4', hash: { value: abc, encoding: 'hex' } }), [{ code: 'ENUM_MISMATCH', path: 'algorithm' }]);
      // A hash stored where md4 worked still decodes; checking it fails loudly, not as a wrong password.
      const stored = checkCustomPasswordHash({ algorithm: 'md4', hash: { value: abc, encoding: 'hex' } }, { requireAvailable: false }).hash!;
      await assert.rejects(verifyImportedHash(stored, 'abc'), { code: 'internal_error', message: /md4 is not available/u });
      assert.ok(decodeImportedHash(IMPORTED_HASH_PREFIX + Buffer.from(JSON.stringify(stored)).toString('base64url')));
    });
  });

  describe('hmac', () => {
    it('verifies the RFC 4231 test case 2 vectors (key "Jefe")', async () => {
      const data = 'what do ya want for nothing?';
      await assertVerifies({
        algorithm: 'hmac',
        hash: {
          value: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
          encoding: 'hex', digest: 'sha256', key: { value: 'Jefe' },
        },
      }, data);
      await assertVerifies({
        algorithm: 'hmac',
        hash: {
          value: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
          encoding: 'hex', digest: 'sha512', key: { value: 'Jefe', encoding: 'utf8' },
        },
      }, data);
    });

    it('verifies every available digest, key encodings, hash encodings and salt positions', async () => {
      const key = randomBytes(32);
      for (const digest of ['md5', 'ripemd160', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const) {
        for (const keyEncoding of ['hex', 'base64', 'utf8'] as const) {
          const keyBytes = keyEncoding === 'utf8' ? Buffer.from('pepper-ключ') : key;
          const keyValue = keyEncoding === 'utf8' ? 'pepper-ключ' : encode(key, keyEncoding);
          for (const encoding of ['hex', 'base64'] as const) {
            const plain = createHmac(digest, keyBytes).update(PASSWORD).digest();
            await assertVerifies({ algorithm: 'hmac', hash: { value: encode(plain, encoding), encoding, digest, key: { value: keyValue, encoding: keyEncoding } } });
          }
        }
        const prefixed = createHmac(digest, key).update(`NaCl${PASSWORD}`).digest('hex');
        const suffixed = createHmac(digest, key).update(`${PASSWORD}NaCl`).digest('hex');
        const spec = (value: string, position: string): unknown => ({
          algorithm: 'hmac',
          hash: { value, encoding: 'hex', digest, key: { value: key.toString('hex'), encoding: 'hex' } },
          salt: { value: 'NaCl', encoding: 'utf8', position },
        });
        await assertVerifies(spec(prefixed, 'prefix'));
        await assertVerifies(spec(suffixed, 'suffix'));
      }
    });

    it('does not verify with another key', async () => {
      const value = createHmac('sha256', 'right key').update(PASSWORD).digest('hex');
      const stored = validateCustomPasswordHash({ algorithm: 'hmac', hash: { value, encoding: 'hex', digest: 'sha256', key: { value: 'wrong key' } } });
      assert.equal(await verifyImportedHash(stored, PASSWORD), false);
    });
  });

  describe('pbkdf2', () => {
    const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/u, '');

    it('verifies the RFC 6070 vector in Auth0\'s PHC form ($pbkdf2-sha1$i=4096,l=20$...)', async () => {
      const hash = Buffer.from('4b007901b765489abead49d926f721d065a429c1', 'hex');
      const value = `$pbkdf2-sha1$i=4096,l=20$${b64(Buffer.from('salt'))}$${b64(hash)}`;
      assert.equal(value, '$pbkdf2-sha1$i=4096,l=20$c2FsdA$SwB5AbdlSJq+rUnZJvch0GWkKcE');
      await assertVerifies({ algorithm: 'pbkdf2', hash: { value, encoding: 'utf8' } }, 'password');
    });

    it('verifies sha1, sha256 and sha512 with B64 unpadded, padded, url-safe and passlib\'s adapted alphabet', async () => {
      for (const digest of ['sha1', 'sha256', 'sha512'] as const) {
        const salt = randomBytes(16);
        const keylen = digest === 'sha1' ? 20 : 32;
        const hash = pbkdf2Sync(PASSWORD, salt, 1000, keylen, digest);
        const forms = [
          `$pbkdf2-${digest}$i=1000,l=${keylen}$${b64(salt)}$${b64(hash)}`,
          `$pbkdf2-${digest}$l=${keylen},i=1000$${salt.toString('base64')}$${hash.toString('base64')}`,
          `$pbkdf2-${digest}$i=1000,l=${keylen}$${salt.toString('base64url')}$${hash.toString('base64url')}`,
          // passlib: "." for "+", rounds without "i=", key length implied by the hash
          `$pbkdf2-${digest}$1000$${b64(salt).replace(/\+/gu, '.')}$${b64(hash).replace(/\+/gu, '.')}`,
        ];
        for (const value of forms) await assertVerifies({ algorithm: 'pbkdf2', hash: { value } });
      }
    });

    it('applies password.encoding', async () => {
      const salt = randomBytes(8);
      const hash = pbkdf2Sync(Buffer.from(PASSWORD, 'utf16le'), salt, 10, 32, 'sha256');
      await assertVerifies({
        algorithm: 'pbkdf2',
        hash: { value: `$pbkdf2-sha256$i=10,l=32$${b64(salt)}$${b64(hash)}` },
        password: { encoding: 'utf16le' },
      });
    });
  });

  describe('scrypt', () => {
    it('verifies the RFC 7914 vector (N=1024, r=8, p=16, 64 bytes, salt "NaCl")', async () => {
      const value = 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640';
      await assertVerifies({
        algorithm: 'scrypt',
        hash: { value, encoding: 'hex' },
        salt: { value: 'NaCl', encoding: 'utf8' },
        keylen: 64, cost: 1024, blockSize: 8, parallelization: 16,
      }, 'password');
    });

    it('defaults to N=16384, r=8, p=1 and takes hex or base64 hashes and salts in each encoding', async () => {
      const salt = randomBytes(16);
      const hash = scryptSync(PASSWORD, salt, 32);
      for (const encoding of ['hex', 'base64'] as const) {
        for (const saltEncoding of ['hex', 'base64'] as const) {
          await assertVerifies({
            algorithm: 'scrypt',
            hash: { value: encode(hash, encoding), encoding },
            salt: { value: encode(salt, saltEncoding), encoding: saltEncoding, position: 'prefix' },
            keylen: 32,
          });
        }
      }
      const stored = validateCustomPasswordHash({ algorithm: 'scrypt', hash: { value: hash.toString('hex'), encoding: 'hex' }, salt: { value: salt.toString('hex'), encoding: 'hex' }, keylen: 32 });
      assert.deepEqual([stored.cost, stored.blockSize, stored.parallelization], [16384, 8, 1]);
    });

    it('uses the given cost parameters', async () => {
      const hash = scryptSync(PASSWORD, 'pepper', 24, { N: 2048, r: 4, p: 2 });
      await assertVerifies({
        algorithm: 'scrypt', hash: { value: hash.toString('base64'), encoding: 'base64' },
        salt: { value: 'pepper' }, keylen: 24, cost: 2048, blockSize: 4, parallelization: 2,
      });
      const otherCost = validateCustomPasswordHash({
        algorithm: 'scrypt', hash: { value: hash.toString('base64'), encoding: 'base64' },
        salt: { value: 'pepper' }, keylen: 24, cost: 1024, blockSize: 4, parallelization: 2,
      });
      assert.equal(await verifyImportedHash(otherCost, PASSWORD), false);
    });
  });

  describe('argon2', () => {
    it('verifies the reference implementation\'s example ($argon2i$v=19$m=65536,t=2,p=4, "password", "somesalt")', async () => {
      await assertVerifies({ algorithm: 'argon2', hash: { value: '$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG', encoding: 'utf8' } }, 'password');
    });

    it('verifies argon2id, argon2i and argon2d PHC strings', async () => {
      // Algorithm is a const enum: 0 Argon2d, 1 Argon2i, 2 Argon2id.
      for (const algorithm of [0, 1, 2] as Algorithm[]) {
        const value = await argon2Hash(PASSWORD, { memoryCost: 1024, timeCost: 1, algorithm });
        await assertVerifies({ algorithm: 'argon2', hash: { value } });
      }
    });
  });

  describe('bcrypt', () => {
    it('verifies $2a$, $2b$ and $2y$', async () => {
      const hash = await bcryptHash(PASSWORD, 4);
      for (const prefix of ['$2a$', '$2b$', '$2y$']) {
        await assertVerifies({ algorithm: 'bcrypt', hash: { value: hash.replace(/^\$2b\$/u, prefix), encoding: 'utf8' } });
      }
    });
  });

  describe('ldap (RFC 2307)', () => {
    const schemes = [
      ['SSHA', 'sha1', true], ['SSHA256', 'sha256', true], ['SSHA512', 'sha512', true], ['SMD5', 'md5', true],
      ['SHA', 'sha1', false], ['MD5', 'md5', false], ['SHA256', 'sha256', false], ['SHA512', 'sha512', false],
    ] as const;
    for (const [scheme, digest, salted] of schemes) {
      it(`verifies {${scheme}}`, async () => {
        const salt = salted ? randomBytes(8) : Buffer.alloc(0);
        const value = createHash(digest).update(PASSWORD).update(salt).digest();
        await assertVerifies({ algorithm: 'ldap', hash: { value: `{${scheme}}${Buffer.concat([value, salt]).toString('base64')}` } });
      });
    }

    it('takes the scheme in any case', async () => {
      const salt = randomBytes(4);
      const value = Buffer.concat([createHash('sha1').update(PASSWORD).update(salt).digest(), salt]).toString('base64');
      await assertVerifies({ algorithm: 'ldap', hash: { value: `{ssha}${value}`, encoding: 'utf8' } });
    });
  });

  describe('validation', () => {
    it('refuses a value that is not an object, naming the field', () => {
      for (const value of [null, 'sha1', [], 42]) {
        assert.throws(() => validateCustomPasswordHash(value), { code: 'invalid_body', field: 'custom_password_hash' });
      }
    });

    it('refuses unknown algorithms, encodings, digests and salt positions', () => {
      assert.deepEqual(issuesOf({ algorithm: 'whirlpool', hash: { value: 'ab', encoding: 'hex' } }), [{ code: 'ENUM_MISMATCH', path: 'algorithm' }]);
      assert.deepEqual(issuesOf({ algorithm: 'md5', hash: { value: 'ab', encoding: 'binary' } }), [{ code: 'ENUM_MISMATCH', path: 'hash.encoding' }]);
      assert.deepEqual(
        issuesOf({ algorithm: 'hmac', hash: { value: 'ab', encoding: 'hex', digest: 'sha3', key: { value: 'k' } } }),
        [{ code: 'ENUM_MISMATCH', path: 'hash.digest' }],
      );
      const md5 = createHash('md5').update('x').digest('hex');
      assert.deepEqual(
        issuesOf({ algorithm: 'md5', hash: { value: md5, encoding: 'hex' }, salt: { value: 's', position: 'middle' } }),
        [{ code: 'ENUM_MISMATCH', path: 'salt.position' }],
      );
      assert.deepEqual(
        issuesOf({ algorithm: 'md5', hash: { value: md5, encoding: 'hex' }, password: { encoding: 'utf32' } }),
        [{ code: 'ENUM_MISMATCH', path: 'password.encoding' }],
      );
    });

    it('requires algorithm, hash, hash.value, a binary encoding for digests, hmac digest and key, scrypt keylen, salt position', () => {
      assert.deepEqual(issuesOf({}), [{ code: 'OBJECT_REQUIRED', path: 'algorithm' }, { code: 'OBJECT_REQUIRED', path: 'hash' }]);
      assert.deepEqual(issuesOf({ algorithm: 'sha1', hash: {} }), [
        { code: 'OBJECT_REQUIRED', path: 'hash.value' },
        { code: 'OBJECT_REQUIRED', path: 'hash.encoding' },
      ]);
      assert.deepEqual(issuesOf({ algorithm: 'sha1', hash: { value: 'abc', encoding: 'utf8' } }), [{ code: 'ENUM_MISMATCH', path: 'hash.encoding' }]);
      assert.deepEqual(issuesOf({ algorithm: 'hmac', hash: { value: 'ab', encoding: 'hex' } }), [
        { code: 'OBJECT_REQUIRED', path: 'hash.digest' },
        { code: 'OBJECT_REQUIRED', path: 'hash.key' },
      ]);
      assert.deepEqual(issuesOf({ algorithm: 'scrypt', hash: { value: 'abcd', encoding: 'hex' } }), [{ code: 'OBJECT_REQUIRED', path: 'keylen' }]);
      assert.deepEqual(
        issuesOf({ algorithm: 'sha1', hash: { value: createHash('sha1').digest('hex'), encoding: 'hex' }, salt: { value: 's' } }),
        [{ code: 'OBJECT_REQUIRED', path: 'salt.position' }],
      );
      assert.throws(() => validateCustomPasswordHash({ algorithm: 'scrypt', hash: { value: 'abcd', encoding: 'hex' } }), {
        message: 'custom_password_hash.keylen is required for scrypt.',
      });
    });

    it('refuses a hash whose bytes do not fit the digest (the encoding named is not the one used)', () => {
      const hex = createHash('sha256').update(PASSWORD).digest('hex');
      assert.deepEqual(issuesOf({ algorithm: 'sha256', hash: { value: hex, encoding: 'base64' } }), [{ code: 'FORMAT', path: 'hash.value' }]);
      assert.throws(() => validateCustomPasswordHash({ algorithm: 'sha256', hash: { value: hex, encoding: 'base64' } }), {
        message: /decodes \(as base64\) to 48 bytes; the digest has 32/u,
      });
      assert.deepEqual(issuesOf({ algorithm: 'sha256', hash: { value: 'zz', encoding: 'hex' } }), [{ code: 'FORMAT', path: 'hash.value' }]);
      assert.deepEqual(issuesOf({ algorithm: 'sha256', hash: { value: 'a!b', encoding: 'base64' } }), [{ code: 'FORMAT', path: 'hash.value' }]);
      assert.deepEqual(
        issuesOf({ algorithm: 'scrypt', hash: { value: hex, encoding: 'hex' }, keylen: 64 }),
        [{ code: 'FORMAT', path: 'hash.value' }],
      );
      assert.deepEqual(
        issuesOf({ algorithm: 'sha1', hash: { value: createHash('sha1').digest('hex'), encoding: 'hex' }, salt: { value: 'xyz', encoding: 'hex', position: 'prefix' } }),
        [{ code: 'FORMAT', path: 'salt.value' }],
      );
    });

    it('refuses malformed self-describing values (argon2, bcrypt, ldap, pbkdf2) and a non-utf8 encoding for them', () => {
      for (const [algorithm, value] of [
        ['argon2', '$argon2id$garbage'],
        ['bcrypt', '$2x$10$abc'],
        ['ldap', '{CRYPT}abc'],
        ['ldap', '{SSHA}c2FsdA'], // shorter than a sha1 digest
        ['pbkdf2', '$pbkdf2-sha256$i=1000$c2FsdA$c2FsdA'.replace('i=1000', 'i=1000,x=1')],
        ['pbkdf2', '$pbkdf2-sha256$i=10,l=64$c2FsdA$c2FsdA'], // l says 64, the hash is 4 bytes
        ['pbkdf2', '$pbkdf2-whirlpool$i=10$c2FsdA$c2FsdA'],
      ] as const) {
        assert.deepEqual(issuesOf({ algorithm, hash: { value } }), [{ code: 'FORMAT', path: 'hash.value' }], value);
      }
      assert.deepEqual(issuesOf({ algorithm: 'bcrypt', hash: { value: '$2b$04$abc', encoding: 'hex' } }), [{ code: 'ENUM_MISMATCH', path: 'hash.encoding' }]);
    });

    it('refuses fields the algorithm does not use and unknown properties', () => {
      const bcrypt = '$2b$04$N2uZUPwOjTNYIGavgSBw.Ov0rgYI6Yehv80E6HeblZuSe1ePMlQg6';
      assert.deepEqual(issuesOf({ algorithm: 'bcrypt', hash: { value: bcrypt }, salt: { value: 's', position: 'prefix' } }), [
        { code: 'NOT_PASSED', path: 'salt' },
      ]);
      const sha = createHash('sha256').digest('hex');
      assert.deepEqual(issuesOf({ algorithm: 'sha256', hash: { value: sha, encoding: 'hex', digest: 'sha1' }, keylen: 32 }), [
        { code: 'NOT_PASSED', path: 'hash.digest' },
        { code: 'NOT_PASSED', path: 'keylen' },
      ]);
      assert.deepEqual(issuesOf({ algorithm: 'sha256', hash: { value: sha, encoding: 'hex', rounds: 2 }, iterations: 1 }), [
        { code: 'NOT_PASSED', path: 'iterations' },
        { code: 'NOT_PASSED', path: 'hash.rounds' },
      ]);
    });

    it('refuses bad scrypt numbers and work beyond Gatehouse\'s limits', () => {
      const base = { algorithm: 'scrypt', hash: { value: 'ab'.repeat(32), encoding: 'hex' }, keylen: 32 };
      assert.deepEqual(issuesOf({ ...base, cost: 1000 }), [{ code: 'FORMAT', path: 'cost' }]);
      assert.deepEqual(issuesOf({ ...base, cost: 2 ** 24 }), [{ code: 'MAXIMUM', path: 'cost' }]);
      assert.deepEqual(issuesOf({ ...base, blockSize: 0 }), [{ code: 'MINIMUM', path: 'blockSize' }]);
      assert.deepEqual(issuesOf({ ...base, parallelization: 1.5 }), [{ code: 'INVALID_TYPE', path: 'parallelization' }]);
      assert.deepEqual(issuesOf({ ...base, keylen: '32' }), [{ code: 'INVALID_TYPE', path: 'keylen' }]);
      assert.deepEqual(issuesOf({ algorithm: 'pbkdf2', hash: { value: '$pbkdf2-sha256$i=100000000,l=4$c2FsdA$c2FsdA' } }), [
        { code: 'MAXIMUM', path: 'hash.value' },
      ]);
      assert.deepEqual(
        issuesOf({ algorithm: 'argon2', hash: { value: '$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG' } }),
        [{ code: 'MAXIMUM', path: 'hash.value' }],
      );
    });

    it('collects every problem and puts them all in the error message', () => {
      const spec = { algorithm: 'hmac', hash: { value: 'zz', encoding: 'hex', key: { value: 'k', encoding: 'rot13' } }, salt: 'NaCl', extra: true };
      assert.deepEqual(issuesOf(spec), [
        { code: 'NOT_PASSED', path: 'extra' },
        { code: 'OBJECT_REQUIRED', path: 'hash.digest' },
        { code: 'ENUM_MISMATCH', path: 'hash.key.encoding' },
        { code: 'INVALID_TYPE', path: 'salt' },
      ]);
      assert.throws(() => validateCustomPasswordHash(spec), (err: Error) => {
        assert.match(err.message, /custom_password_hash\.extra .*custom_password_hash\.hash\.digest .*custom_password_hash\.hash\.key\.encoding .*custom_password_hash\.salt /u);
        return true;
      });
    });

    it('fills in the defaults, so a stored hash does not depend on a later version\'s', () => {
      const md5 = createHash('md5').update(PASSWORD).digest('hex');
      assert.deepEqual(validateCustomPasswordHash({ algorithm: 'md5', hash: { value: md5, encoding: 'hex' }, salt: { value: 's', position: 'suffix' } }), {
        algorithm: 'md5',
        hash: { value: md5, encoding: 'hex' },
        salt: { value: 's', encoding: 'utf8', position: 'suffix' },
        password: { encoding: 'utf8' },
      });
    });
  });

  describe('storage encoding and the password hasher', () => {
    const hasher = createPasswordHasher();
    const sha = createHash('sha512').update(`pepper${PASSWORD}`).digest('base64');
    const spec = { algorithm: 'sha512', hash: { value: sha, encoding: 'base64' }, salt: { value: 'pepper', position: 'prefix' } } as const;

    it('encodes as $gh-import$v=1$ and base64url, and decodes to the same validated hash', () => {
      const stored = encodeImportedHash(validateCustomPasswordHash(spec));
      assert.match(stored, /^\$gh-import\$v=1\$[A-Za-z0-9_-]+$/u);
      assert.deepEqual(decodeImportedHash(stored), validateCustomPasswordHash(spec));
    });

    it('refuses to encode an invalid hash', () => {
      assert.throws(() => encodeImportedHash({ ...spec, algorithm: 'rot13' } as never), { code: 'invalid_body' });
    });

    it('decodes other hashes, damaged payloads and tampered (invalid) contents to null', () => {
      const stored = encodeImportedHash(validateCustomPasswordHash(spec));
      const tampered = IMPORTED_HASH_PREFIX + Buffer.from(JSON.stringify({ ...spec, algorithm: 'rot13' })).toString('base64url');
      for (const value of ['', '$2b$04$abc', '$argon2id$v=19$', IMPORTED_HASH_PREFIX, `${stored}$`, `${IMPORTED_HASH_PREFIX}e30`, `${IMPORTED_HASH_PREFIX}bm90IGpzb24`, tampered]) {
        assert.equal(decodeImportedHash(value), null, value);
      }
    });

    it('verifies through createPasswordHasher() and asks for a re-hash to Argon2id', async () => {
      const stored = encodeImportedHash(validateCustomPasswordHash(spec));
      assert.equal(await hasher.verify(stored, PASSWORD), true);
      assert.equal(await hasher.verify(stored, NEAR_MISS), false);
      assert.equal(await hasher.verify(stored, 'wrong password'), false);
      assert.equal(hasher.needsRehash(stored), true);
      assert.equal(await hasher.verify(`${stored.slice(0, -4)}!!!!`, PASSWORD), false);
    });

    it('verifies every algorithm family through the hasher', async () => {
      const salt = randomBytes(8);
      const specs = [
        { algorithm: 'pbkdf2', hash: { value: `$pbkdf2-sha256$i=100,l=32$${salt.toString('base64')}$${pbkdf2Sync(PASSWORD, salt, 100, 32, 'sha256').toString('base64')}` } },
        { algorithm: 'scrypt', hash: { value: scryptSync(PASSWORD, salt, 16, { N: 1024 }).toString('hex'), encoding: 'hex' }, salt: { value: salt.toString('hex'), encoding: 'hex' }, keylen: 16, cost: 1024 },
        { algorithm: 'hmac', hash: { value: createHmac('sha1', 'k').update(PASSWORD).digest('hex'), encoding: 'hex', digest: 'sha1', key: { value: 'k' } } },
        { algorithm: 'ldap', hash: { value: `{SSHA}${Buffer.concat([createHash('sha1').update(PASSWORD).update(salt).digest(), salt]).toString('base64')}` } },
        { algorithm: 'argon2', hash: { value: await argon2Hash(PASSWORD, { memoryCost: 1024, timeCost: 1 }) } },
        { algorithm: 'bcrypt', hash: { value: await bcryptHash(PASSWORD, 4) } },
      ];
      for (const s of specs) {
        const stored = encodeImportedHash(validateCustomPasswordHash(s));
        assert.equal(await hasher.verify(stored, PASSWORD), true, s.algorithm);
        assert.equal(await hasher.verify(stored, NEAR_MISS), false, s.algorithm);
        assert.equal(hasher.needsRehash(stored), true);
      }
    });
  });
});
