/*
 * Builds packages/core/data/common-passwords.bin, the offline list of common passwords that
 * @gatehouse/core ships (see src/common-passwords.ts for the format and how it is read).
 *
 * Source: the `passwords` dictionary of the npm package @zxcvbn-ts/language-common (MIT,
 * Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc., (c) 2021 @zxcvbn-ts): 49,233 passwords
 * ranked by frequency in leaked password sets. Only 48-bit SHA-1 prefixes are shipped, never the
 * words, sorted for a binary search. To rebuild (the network is only needed for `npm pack`):
 *
 *   cd /tmp && npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
 *   node --import tsx packages/core/scripts/build-common-passwords.ts /tmp/package/src/passwords.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { commonPasswordKey, COMMON_PASSWORD_KEY_BYTES } from '../src/common-passwords.js';

const source = process.argv[2];
if (!source) {
  console.error('usage: build-common-passwords.ts <path to @zxcvbn-ts/language-common/src/passwords.json>');
  process.exit(2);
}
const words = JSON.parse(readFileSync(source, 'utf8')) as unknown;
if (!Array.isArray(words) || words.some((w) => typeof w !== 'string')) throw new Error(`${source} is not a JSON array of strings`);

const keys = [...new Set((words as string[]).map((w) => commonPasswordKey(w).toString('hex')))].sort();
const out = Buffer.alloc(keys.length * COMMON_PASSWORD_KEY_BYTES);
keys.forEach((hex, i) => Buffer.from(hex, 'hex').copy(out, i * COMMON_PASSWORD_KEY_BYTES));
const target = new URL('../data/common-passwords.bin', import.meta.url);
writeFileSync(target, out);
console.log(`${words.length} words, ${keys.length} distinct keys, ${out.length} bytes -> ${target.pathname}`);
