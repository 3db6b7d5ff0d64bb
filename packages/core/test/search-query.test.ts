import assert from 'node:assert/strict';
import {
  GatehouseError,
  fieldType,
  isSearchDate,
  parseQuery,
  resolveField,
  type FieldRef,
  type QueryNode,
} from '../src/index.js';

const root = (path: string): FieldRef => ({ path, kind: 'root', keys: [] });

/** The tree without spans, for tests about structure. */
type Bare = Record<string, unknown>;
function bare(node: QueryNode): Bare {
  const { span: _span, ...rest } = node;
  if (node.type === 'and' || node.type === 'or') return { ...rest, children: node.children.map(bare) };
  if (node.type === 'not') return { ...rest, child: bare(node.child) };
  return rest;
}

const parse = (q: string): Bare => bare(parseQuery(q));
const term = (field: FieldRef, text: string, phrase = false): Bare => ({ type: 'term', field, value: { text, phrase } });
const any = (text: string, phrase = false): Bare => ({ type: 'any', value: { text, phrase }, parts: null });
const and = (...children: Bare[]): Bare => ({ type: 'and', children });
const or = (...children: Bare[]): Bare => ({ type: 'or', children });
const not = (child: Bare): Bare => ({ type: 'not', child });

function rejects(q: string, message: string): void {
  assert.throws(() => parseQuery(q), (err: unknown) => {
    assert.ok(err instanceof GatehouseError, `expected a GatehouseError for ${JSON.stringify(q)}`);
    assert.equal(err.code, 'invalid_query');
    assert.equal(err.field, 'q');
    assert.equal(err.status, 400);
    assert.equal(err.message, message);
    return true;
  });
}

describe('search query parser', () => {
  describe('clauses', () => {
    it('parses field:value into a term with its span', () => {
      assert.deepEqual(parseQuery('email:john@example.com'), {
        type: 'term',
        field: root('email'),
        value: { text: 'john@example.com', phrase: false },
        span: { start: 0, end: 22 },
      });
    });

    it('parses a quoted phrase, where \\" and \\\\ are escapes and * ? are literal', () => {
      assert.deepEqual(parseQuery('name:"John \\"JJ\\" O\'Brien \\\\ *?"'), {
        type: 'term',
        field: root('name'),
        value: { text: 'John "JJ" O\'Brien \\ *?', phrase: true },
        span: { start: 0, end: 32 },
      });
    });

    it('parses bare words and phrases as `any` terms', () => {
      assert.deepEqual(parseQuery('john'), { type: 'any', value: { text: 'john', phrase: false }, parts: null, span: { start: 0, end: 4 } });
      assert.deepEqual(parse('"john smith"'), any('john smith', true));
      assert.deepEqual(parse('jo*'), { type: 'any', value: { text: 'jo*', phrase: false }, parts: ['jo', ''] });
    });

    it('resolves email.domain, identities.connection and nested metadata paths', () => {
      assert.deepEqual(parse('email.domain:example.com'), term({ path: 'email.domain', kind: 'email_domain', keys: [] }, 'example.com'));
      assert.deepEqual(
        parse('identities.connection:Username-Password-Authentication'),
        term({ path: 'identities.connection', kind: 'identity_connection', keys: [] }, 'Username-Password-Authentication'),
      );
      assert.deepEqual(
        parse('user_metadata.addresses.city:"Paris"'),
        term({ path: 'user_metadata.addresses.city', kind: 'user_metadata', keys: ['addresses', 'city'] }, 'Paris', true),
      );
      assert.deepEqual(parse('app_metadata.plan:pro'), term({ path: 'app_metadata.plan', kind: 'app_metadata', keys: ['plan'] }, 'pro'));
    });

    it('parses _exists_:field', () => {
      assert.deepEqual(parseQuery('_exists_:user_metadata.plan'), {
        type: 'exists',
        field: { path: 'user_metadata.plan', kind: 'user_metadata', keys: ['plan'] },
        span: { start: 0, end: 27 },
      });
      assert.deepEqual(parse('NOT _exists_:email'), not({ type: 'exists', field: root('email') }));
    });

    it('keeps ":" literal inside a value, so timestamps and IPv6 addresses need no escaping', () => {
      assert.deepEqual(parse('last_login:2017-12-31T10:00:00Z'), term(root('last_login'), '2017-12-31T10:00:00Z'));
      assert.deepEqual(parse('last_ip:::1'), term(root('last_ip'), '::1'));
    });

    it('takes the characters common in user ids and emails literally inside a word', () => {
      assert.deepEqual(parse('user_id:auth0|123'), term(root('user_id'), 'auth0|123'));
      assert.deepEqual(parse('email:a+b@x.com'), term(root('email'), 'a+b@x.com'));
      assert.deepEqual(parse('name:jean-luc'), term(root('name'), 'jean-luc'));
      assert.deepEqual(parse('name:R&D'), term(root('name'), 'R&D'));
    });

    it('accepts the value forms of number, boolean and date fields', () => {
      assert.deepEqual(parse('logins_count:-3'), term(root('logins_count'), '-3'));
      assert.deepEqual(parse('blocked:false'), term(root('blocked'), 'false'));
      assert.deepEqual(parse('email_verified:"true"'), term(root('email_verified'), 'true', true));
      for (const date of ['2017', '2017-12', '2017-12-31', '2016-02-29', '2017-12-31T23:59Z', '2017-12-31T23:59:59.123+02:00']) {
        assert.deepEqual(parse(`created_at:${date}`), term(root('created_at'), date));
      }
    });
  });

  describe('operators', () => {
    it('joins with AND', () => {
      assert.deepEqual(parseQuery('a AND b'), {
        type: 'and',
        children: [
          { type: 'any', value: { text: 'a', phrase: false }, parts: null, span: { start: 0, end: 1 } },
          { type: 'any', value: { text: 'b', phrase: false }, parts: null, span: { start: 6, end: 7 } },
        ],
        span: { start: 0, end: 7 },
      });
    });

    it('joins with OR', () => {
      assert.deepEqual(parse('name:john OR name:jane'), or(term(root('name'), 'john'), term(root('name'), 'jane')));
    });

    it('negates with NOT, also twice and before a group', () => {
      assert.deepEqual(parseQuery('NOT blocked:true'), {
        type: 'not',
        child: { type: 'term', field: root('blocked'), value: { text: 'true', phrase: false }, span: { start: 4, end: 16 } },
        span: { start: 0, end: 16 },
      });
      assert.deepEqual(parse('NOT NOT a'), not(not(any('a'))));
      assert.deepEqual(parse('NOT(a)'), not(any('a')));
    });

    it('treats adjacent clauses as AND', () => {
      assert.deepEqual(parse('name:john email_verified:true'), and(term(root('name'), 'john'), term(root('email_verified'), 'true')));
      assert.deepEqual(parse('a NOT b'), and(any('a'), not(any('b'))));
      assert.deepEqual(parse('a\t\n(b)'), and(any('a'), any('b')));
    });

    it('takes operators in upper case only: lower-case and/or and longer words are terms', () => {
      assert.deepEqual(parse('john and jane or bob'), and(any('john'), any('and'), any('jane'), any('or'), any('bob')));
      assert.deepEqual(parse('ANDROID ORACLE NOTE TO'), and(any('ANDROID'), any('ORACLE'), any('NOTE'), any('TO')));
      assert.deepEqual(parse('name:AND'), term(root('name'), 'AND'));
    });

    it('binds NOT tighter than AND, and AND tighter than OR', () => {
      assert.deepEqual(parse('a OR b AND c'), or(any('a'), and(any('b'), any('c'))));
      assert.deepEqual(parse('a AND b OR c'), or(and(any('a'), any('b')), any('c')));
      assert.deepEqual(parse('a OR b c'), or(any('a'), and(any('b'), any('c'))));
      assert.deepEqual(parse('NOT a AND b'), and(not(any('a')), any('b')));
      assert.deepEqual(parse('NOT a OR b'), or(not(any('a')), any('b')));
    });

    it('groups with nested parentheses; a group spans its parentheses', () => {
      assert.deepEqual(parseQuery('(a OR b) c'), {
        type: 'and',
        children: [
          {
            type: 'or',
            children: [
              { type: 'any', value: { text: 'a', phrase: false }, parts: null, span: { start: 1, end: 2 } },
              { type: 'any', value: { text: 'b', phrase: false }, parts: null, span: { start: 6, end: 7 } },
            ],
            span: { start: 0, end: 8 },
          },
          { type: 'any', value: { text: 'c', phrase: false }, parts: null, span: { start: 9, end: 10 } },
        ],
        span: { start: 0, end: 10 },
      });
      assert.deepEqual(parse('a AND (b OR (c AND NOT (d)))'), and(any('a'), or(any('b'), and(any('c'), not(any('d'))))));
      assert.deepEqual(parseQuery('((a))').span, { start: 0, end: 5 });
    });

    it('flattens nested and/or of the same type', () => {
      assert.deepEqual(parse('a AND b AND c'), and(any('a'), any('b'), any('c')));
      assert.deepEqual(parse('(a AND b) (c AND d)'), and(any('a'), any('b'), any('c'), any('d')));
      assert.deepEqual(parse('a OR (b OR (c OR d))'), or(any('a'), any('b'), any('c'), any('d')));
      assert.deepEqual(parse('(a OR b) AND (c OR d)'), and(or(any('a'), any('b')), or(any('c'), any('d'))));
      assert.deepEqual(parseQuery('(a AND b) c').span, { start: 0, end: 11 });
    });
  });

  describe('wildcards', () => {
    const name = root('name');
    const wildcard = (parts: string[]): Bare => ({ type: 'wildcard', field: name, parts });

    it('parses prefix, suffix, infix and inner wildcards', () => {
      assert.deepEqual(parseQuery('name:jo*'), { type: 'wildcard', field: name, parts: ['jo', ''], span: { start: 0, end: 8 } });
      assert.deepEqual(parse('name:*son'), wildcard(['', 'son']));
      assert.deepEqual(parse('name:*oh*'), wildcard(['', 'oh', '']));
      assert.deepEqual(parse('name:*a*'), wildcard(['', 'a', '']));
      assert.deepEqual(parse('name:jane*smith'), wildcard(['jane', 'smith']));
      assert.deepEqual(parse('user_metadata.city:Par*'), {
        type: 'wildcard',
        field: { path: 'user_metadata.city', kind: 'user_metadata', keys: ['city'] },
        parts: ['Par', ''],
      });
    });

    it('reads consecutive stars as one', () => {
      assert.deepEqual(parse('name:jo**n'), wildcard(['jo', 'n']));
    });

    it('reads an escaped star as a literal one', () => {
      assert.deepEqual(parse('name:jo\\*n'), term(name, 'jo*n'));
      assert.deepEqual(parse('name:jo\\**'), wildcard(['jo*', '']));
    });
  });

  describe('ranges', () => {
    const count = root('logins_count');
    const range = (field: FieldRef, lower: string | null, upper: string | null, includeLower: boolean, includeUpper: boolean): Bare => ({
      type: 'range', field, lower, upper, includeLower, includeUpper,
    });

    it('parses an inclusive range with its span', () => {
      assert.deepEqual(parseQuery('logins_count:[1 TO 10]'), {
        type: 'range', field: count, lower: '1', upper: '10', includeLower: true, includeUpper: true, span: { start: 0, end: 22 },
      });
    });

    it('parses exclusive and mixed brackets', () => {
      assert.deepEqual(parse('logins_count:{1 TO 10}'), range(count, '1', '10', false, false));
      assert.deepEqual(parse('logins_count:[1 TO 10}'), range(count, '1', '10', true, false));
      assert.deepEqual(parse('logins_count:{-5 TO 5]'), range(count, '-5', '5', false, true));
    });

    it('takes * as an open end', () => {
      assert.deepEqual(parse('last_login:[* TO 2017-12-31]'), range(root('last_login'), null, '2017-12-31', true, true));
      assert.deepEqual(parse('created_at:{2017 TO *]'), range(root('created_at'), '2017', null, false, true));
      assert.deepEqual(parse('logins_count:[* TO *]'), range(count, null, null, true, true));
    });

    it('takes quoted and escaped bounds literally, and extra spaces inside the brackets', () => {
      assert.deepEqual(parse('name:[ "a b" TO "c*" ]'), range(root('name'), 'a b', 'c*', true, true));
      assert.deepEqual(parse('name:[\\* TO z]'), range(root('name'), '*', 'z', true, true));
      assert.deepEqual(
        parse('last_login:["2017-01-01T00:00:00Z" TO 2018-01-01T00:00:00.000Z}'),
        range(root('last_login'), '2017-01-01T00:00:00Z', '2018-01-01T00:00:00.000Z', true, false),
      );
    });
  });

  describe('escapes in unquoted words', () => {
    for (const c of [':', '*', '(', ')', '"', '\\', ' ', '[', ']', '{', '}', '/', '+', '-', '!', '?', '^', '~', '&', '|']) {
      it(`reads \\${c} as a literal ${JSON.stringify(c)}`, () => {
        assert.deepEqual(parse(`name:a\\${c}b`), term(root('name'), `a${c}b`));
      });
    }

    it('allows a leading -, + or ! when escaped', () => {
      assert.deepEqual(parse('\\-a \\+b \\!c'), and(any('-a'), any('+b'), any('!c')));
    });
  });

  describe('errors', () => {
    const cases: [string, string][] = [
      ['', 'The query is empty'],
      [' \t\n ', 'The query is empty'],
      ['(email:a OR b))', 'Unexpected ")" at position 14'],
      ['()', 'Unexpected ")" at position 1'],
      ['(a OR b', 'Missing ")" for the "(" at position 0'],
      ['a AND', 'Unexpected end of query at position 5'],
      ['a OR', 'Unexpected end of query at position 4'],
      ['NOT', 'Unexpected end of query at position 3'],
      ['AND a', 'Unexpected "AND" at position 0'],
      ['a OR OR b', 'Unexpected "OR" at position 5'],
      ['foo:bar', 'Unknown field "foo" at position 0'],
      ['a Email:x', 'Unknown field "Email" at position 2'],
      ['AND:x', 'Unknown field "AND" at position 0'],
      ['identities.provider:x', 'Unknown field "identities.provider" at position 0'],
      ['name:"john', 'Unterminated phrase starting at position 5'],
      ['"a\\', 'Unterminated phrase starting at position 0'],
      ['name:"a\\nb"', 'Unknown escape "\\n" in a phrase at position 7; only \\" and \\\\ are escapes inside quotes'],
      ['name:""', 'Empty phrase at position 5'],
      ['name:"a"b', 'Unexpected "b" at position 8'],
      ['name:a"b"', 'Unexpected "\\"" at position 6'],
      ['email:*ab', 'A suffix wildcard needs at least 3 characters ("*ab" at position 6)'],
      ['*ab', 'A suffix wildcard needs at least 3 characters ("*ab" at position 0)'],
      ['name:*a*b', 'A suffix wildcard needs at least 3 characters ("*a*b" at position 5)'],
      ['*', 'A wildcard needs some text besides "*" ("*" at position 0); use _exists_:field to match any value'],
      ['name:**', 'A wildcard needs some text besides "*" ("**" at position 5); use _exists_:field to match any value'],
      ['name:jo?n', 'The "?" wildcard is not supported (at position 7); escape it as "\\?" or use a phrase'],
      ['name:[jo* TO z]', 'Wildcards are not allowed in ranges ("jo*" at position 6)'],
      ['name:[a TO *z]', 'Wildcards are not allowed in ranges ("*z" at position 11)'],
      ['name:[a TO b', 'Missing "]" or "}" to close the range starting at position 5'],
      ['name:[a b]', 'Expected " TO " in the range starting at position 5 (at position 8)'],
      ['name:[a to b]', 'Expected " TO " in the range starting at position 5 (at position 8)'],
      ['name:[a TO b c]', 'Unexpected "c" at position 13; expected "]" or "}"'],
      ['name:[a TO b)', 'Unexpected ")" at position 12'],
      ['name:[a TO ]', 'Unexpected "]" at position 11'],
      ['name:[a TO b]c', 'Unexpected "c" at position 13'],
      ['[a TO b]', 'A range needs a field, like created_at:[2017 TO 2018] (at position 0)'],
      ['name:a]', 'Unexpected "]" at position 6'],
      ['logins_count:abc', 'logins_count needs a whole number ("abc" at position 13)'],
      ['logins_count:1.5', 'logins_count needs a whole number ("1.5" at position 13)'],
      ['logins_count:[1 TO x]', 'logins_count needs a whole number ("x" at position 19)'],
      ['blocked:maybe', 'blocked needs true or false ("maybe" at position 8)'],
      ['blocked:TRUE', 'blocked needs true or false ("TRUE" at position 8)'],
      ['blocked:[false TO true]', 'Ranges are not allowed on boolean fields like blocked (at position 8)'],
      ['created_at:[2017-13-45 TO *]', 'created_at needs a date like 2017, 2017-12, 2017-12-31 or 2017-12-31T23:59:59Z ("2017-13-45" at position 12)'],
      ['updated_at:2017-02-29', 'updated_at needs a date like 2017, 2017-12, 2017-12-31 or 2017-12-31T23:59:59Z ("2017-02-29" at position 11)'],
      ['last_login:2017-12-31T10:00:00', 'last_login needs a date like 2017, 2017-12, 2017-12-31 or 2017-12-31T23:59:59Z ("2017-12-31T10:00:00" at position 11)'],
      ['logins_count:1*', 'Wildcards are not allowed on number fields like logins_count ("1*" at position 13)'],
      ['blocked:t*', 'Wildcards are not allowed on boolean fields like blocked ("t*" at position 8)'],
      ['created_at:2017*', 'Wildcards are not allowed on date fields like created_at ("2017*" at position 11)'],
      ['user_metadata.$where:1', 'Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype ("user_metadata.$where" at position 0)'],
      ['app_metadata.__proto__.x:1', 'Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype ("app_metadata.__proto__.x" at position 0)'],
      ['user_metadata.a.constructor:1', 'Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype ("user_metadata.a.constructor" at position 0)'],
      ['app_metadata.prototype:1', 'Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype ("app_metadata.prototype" at position 0)'],
      ['user_metadata..x:1', 'Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype ("user_metadata..x" at position 0)'],
      ['user_metadata.x.:1', 'Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype ("user_metadata.x." at position 0)'],
      ['user_metadata:1', 'user_metadata needs a key path, like user_metadata.plan ("user_metadata" at position 0)'],
      ['_exists_:user_metadata.$gt', 'Metadata field names cannot be empty, contain "$", or be __proto__, constructor or prototype ("user_metadata.$gt" at position 9)'],
      ["email:x' OR 1=1 --", 'Use NOT instead of "-" (at position 16)'],
      ['a && b', 'Use AND instead of "&&" (at position 2)'],
      ['a || b', 'Use OR instead of "||" (at position 2)'],
      ['!a', 'Use NOT instead of "!" (at position 0)'],
      ['a -b', 'Use NOT instead of "-" (at position 2)'],
      ['+a', '"+" is not supported (at position 0); clauses are joined with AND by default'],
      ['name:a!', 'Unexpected "!" at position 6'],
      ['name:john^2', 'Boosts ("^") are not supported (at position 9)'],
      ['name:john~', 'Fuzzy and proximity searches ("~") are not supported (at position 9)'],
      ['name:/jo.*/', 'Regular expressions ("/") are not supported (at position 5); escape it as "\\/"'],
      ['name:a\\', 'The query ends with a lone "\\" at position 6'],
      ['name:a\\nb', 'Unknown escape "\\n" at position 6'],
      ['name:', 'Missing value after "name:" at position 5'],
      ['name: john', 'Missing value after "name:" at position 5'],
      ['(name:)', 'Missing value after "name:" at position 6'],
      ['name:(a OR b)', 'Grouping after a field is not supported (at position 5); write (name:a OR name:b)'],
      [':a', 'Missing field name before ":" at position 0'],
      ['na*me:a', 'Wildcards are not allowed in field names ("na*me" at position 0)'],
      ['_exists_:', '_exists_ needs a field name, like _exists_:email (at position 9)'],
      ['_exists_:"email"', '_exists_ needs a field name, like _exists_:email (at position 9)'],
      ['_exists_:foo', 'Unknown field "foo" at position 9'],
      ['_exists_:user_*', 'Wildcards are not allowed in field names ("user_*" at position 9)'],
      ['name:a\u0000b', 'Control character U+0000 at position 6'],
      ['name:a\u001bb', 'Control character U+001B at position 6'],
      ['name:"a\u007f"', 'Control character U+007F at position 7'],
      ['name:\ud800x', 'Invalid Unicode (a lone surrogate) at position 5'],
    ];
    for (const [q, message] of cases) {
      it(`rejects ${JSON.stringify(q)}: ${message}`, () => rejects(q, message));
    }

    it('rejects a query that is too long', () => {
      rejects(`name:${'x'.repeat(2044)}`, 'Query is too long (max 2048 characters)');
      assert.doesNotThrow(() => parseQuery(`name:${'x'.repeat(2043)}`));
      assert.throws(() => parseQuery('name:abcdef', { maxLength: 10 }), { code: 'invalid_query', message: 'Query is too long (max 10 characters)' });
    });

    it('rejects a query that nests too deeply', () => {
      assert.doesNotThrow(() => parseQuery(`${'('.repeat(32)}a${')'.repeat(32)}`));
      rejects(`${'('.repeat(33)}a${')'.repeat(33)}`, 'Query nests too deeply (max 32 levels) at position 32');
      rejects(`${'NOT '.repeat(33)}a`, 'Query nests too deeply (max 32 levels) at position 128');
      assert.throws(() => parseQuery('NOT (a)', { maxDepth: 1 }), { message: 'Query nests too deeply (max 1 levels) at position 4' });
    });

    it('rejects a query with too many terms', () => {
      const terms = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(' OR ');
      assert.doesNotThrow(() => parseQuery(terms(64)));
      rejects(terms(65), `Query has too many terms (max 64) at position ${terms(64).length + 4}`);
      assert.throws(() => parseQuery('a b c', { maxTerms: 2 }), { message: 'Query has too many terms (max 2) at position 4' });
    });

    it('rejects a query that is not a string', () => {
      for (const q of [undefined, null, 1, ['email:a'], { email: 'a' }]) {
        assert.throws(() => parseQuery(q as unknown as string), { code: 'invalid_query', message: 'The query must be a string' });
      }
    });

    it('refuses bad options with a TypeError', () => {
      for (const options of [{ maxLength: 0 }, { maxDepth: -1 }, { maxTerms: 1.5 }, { maxLength: Number.NaN }]) {
        assert.throws(() => parseQuery('a', options), TypeError);
      }
    });
  });

  describe('fields', () => {
    it('resolves field paths and their types', () => {
      assert.deepEqual(resolveField('email'), root('email'));
      assert.equal(fieldType(resolveField('logins_count')), 'number');
      assert.equal(fieldType(resolveField('email.domain')), 'ci_string');
      assert.equal(fieldType(resolveField('identities.connection')), 'string');
      assert.equal(fieldType(resolveField('user_metadata.logins_count')), 'string');
      assert.equal(fieldType(resolveField('created_at')), 'date');
      assert.equal(fieldType(resolveField('phone_verified')), 'boolean');
      assert.throws(() => resolveField('password'), { code: 'invalid_query', message: 'Unknown field "password"' });
    });

    it('accepts only real calendar dates and zoned timestamps', () => {
      for (const ok of ['2000-02-29', '2017-12-31T23:59:59Z', '2017-12-31T00:00:00.123456789-05:30']) assert.ok(isSearchDate(ok), ok);
      for (const bad of ['1900-02-29', '2017-04-31', '2017-00', '2017-12-31T24:00Z', '2017-12-31T10:60Z', '17', '2017-1-1', '2017-12-31 10:00Z']) {
        assert.ok(!isSearchDate(bad), bad);
      }
    });
  });

  describe('fuzzing', () => {
    /** mulberry32: a small seeded PRNG, so a failure reproduces. */
    function prng(seed: number): () => number {
      let a = seed;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    const PIECES = [
      ...'ab1 -+!?*:"\\()[]{}/^~&|.$_\t\n',
      'email', 'name:', 'user_metadata.', 'app_metadata.', 'logins_count:', 'created_at:', 'blocked:', '_exists_:',
      ' AND ', ' OR ', 'NOT ', ' TO ', 'and', '__proto__', '2017-12-31', 'true', '\u0000', '\ud800', 'é', '😀',
    ];
    const VALID = ['name:john* AND NOT blocked:true', 'logins_count:[1 TO 10} OR email.domain:"a.com"', '(a OR b) c _exists_:user_metadata.x'];

    /** Walks a parse result and checks the invariants the adapters rely on. */
    function checkTree(node: QueryNode, q: string): void {
      assert.ok(node.span.start >= 0 && node.span.start < node.span.end && node.span.end <= q.length, 'span inside the query');
      switch (node.type) {
        case 'and':
        case 'or':
          assert.ok(node.children.length >= 2);
          for (const child of node.children) {
            assert.notEqual(child.type, node.type, 'flattened');
            checkTree(child, q);
          }
          return;
        case 'not':
          return checkTree(node.child, q);
        case 'any':
          assert.ok(node.value.text.length > 0);
          if (node.parts) assert.ok(node.parts.length >= 2);
          return;
        case 'wildcard':
          assert.ok(node.parts.length >= 2 && node.parts.slice(1, -1).every((p) => p !== ''));
          assert.deepEqual(resolveField(node.field.path), node.field);
          return;
        case 'term':
        case 'range':
        case 'exists':
          assert.deepEqual(resolveField(node.field.path), node.field);
          return;
      }
    }

    function check(q: string): 'ok' | 'error' {
      let tree: QueryNode;
      try {
        tree = parseQuery(q);
      } catch (err) {
        assert.ok(err instanceof GatehouseError, `${JSON.stringify(q)} threw ${String(err)}`);
        assert.equal(err.code, 'invalid_query', JSON.stringify(q));
        assert.ok(err.message.length > 0);
        return 'error';
      }
      checkTree(tree, q);
      return 'ok';
    }

    it('returns a valid tree or invalid_query for 3,000 random queries', () => {
      const random = prng(20240611);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const outcomes = { ok: 0, error: 0 };
      for (let i = 0; i < 1500; i++) {
        const length = Math.floor(random() * 16);
        outcomes[check(Array.from({ length }, () => pick(PIECES)).join(''))]++;
      }
      for (let i = 0; i < 500; i++) {
        const length = Math.floor(random() * 24);
        outcomes[check(String.fromCharCode(...Array.from({ length }, () => Math.floor(random() * 0x10000))))]++;
      }
      for (let i = 0; i < 1000; i++) {
        const chars = [...pick(VALID)];
        for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
          const at = Math.floor(random() * (chars.length + 1));
          if (random() < 0.5) chars.splice(at, 1);
          else chars.splice(at, 0, pick(PIECES));
        }
        outcomes[check(chars.join(''))]++;
      }
      // Both outcomes must be common, or the fuzzing explores only one side of the parser.
      assert.ok(outcomes.ok > 200 && outcomes.error > 200, JSON.stringify(outcomes));
    });
  });
});
