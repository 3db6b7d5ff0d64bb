/*
 * The user-search query parser: Auth0's v3 syntax (a Lucene subset) to the typed AST in ast.ts.
 *
 * Hand-written recursive descent, not a library. `lucene` (a PEG.js grammar) parses all of
 * Lucene — boosts, fuzzy `~`, `?`, `+`/`-`, `&&`/`||` — and `liqe` has its own dialect (regex
 * literals, `field:>n` comparisons); with either we would still need a second pass to refuse what
 * Auth0 does not support, to check values against field types and to recover exact positions for
 * error messages, which is more code than this parser. Scanning and parsing are one pass because
 * the syntax is context-sensitive: `:` ends a field name but is literal inside a value (so
 * `last_login:2017-12-31T10:00:00Z` and `last_ip:::1` need no escaping), and `]`/`}` end a word
 * only inside a range.
 *
 * Grammar (whitespace = space, tab, CR, LF between tokens):
 *
 *   query   := or EOF
 *   or      := and ( "OR" and )*
 *   and     := not ( "AND"? not )*          adjacency is AND: Auth0's search treats `a b` as `a AND b`
 *   not     := "NOT" not | primary
 *   primary := "(" or ")" | phrase | clause
 *   clause  := "_exists_:" field | field ":" value | word
 *   value   := phrase | range | word
 *   range   := ("[" | "{") bound "TO" bound ("]" | "}")      `[`/`]` inclusive, `{`/`}` exclusive
 *   bound   := "*" | phrase | word                            a lone `*` is an open end
 *   phrase  := '"' ( [^"\\] | '\"' | '\\' )+ '"'
 *   word    := ( char | "\" special | "*" )+                  `*` is a wildcard unless escaped
 *
 * Precedence NOT > AND > OR, so `a OR b c` is `a OR (b AND c)`. Operators are upper case only;
 * `and`/`or` are ordinary terms. Nested and/or of the same type are flattened. Positions in error
 * messages are 0-based character offsets, the same as node spans.
 */
import type { FieldRef, QueryNode, Span } from './ast.js';
import { quote, resolveField } from './search-fields.js';
import { checkCharacters, checkRangeBound, checkRangeField, checkTermValue, checkWildcard, invalidQuery } from './validate-query.js';

/** Limits that keep a hostile query from costing much to parse or to run. */
export interface ParseQueryOptions {
  /** The longest query accepted, in characters. @default 2048 */
  maxLength?: number;
  /** How deeply parentheses and NOTs may nest. @default 32 */
  maxDepth?: number;
  /** How many clauses (terms, wildcards, ranges, `_exists_`) a query may have. @default 64 */
  maxTerms?: number;
}

const DEFAULTS: Required<ParseQueryOptions> = { maxLength: 2048, maxDepth: 32, maxTerms: 64 };

/**
 * Parses a user-search query into its syntax tree, checking field names and values against the
 * searchable fields. Throws `invalid_query` (field `q`) saying what is wrong and at which
 * position, for any malformed input; a bad option is a TypeError.
 *
 * @example
 * parseQuery('email.domain:"example.com" AND NOT blocked:true');
 * // { type: 'and', children: [{ type: 'term', ... }, { type: 'not', ... }], span: { start: 0, end: 47 } }
 */
export function parseQuery(q: string, options?: ParseQueryOptions): QueryNode {
  const limits = resolveOptions(options ?? {});
  if (typeof q !== 'string') throw invalidQuery('The query must be a string');
  if (q.length > limits.maxLength) throw invalidQuery(`Query is too long (max ${limits.maxLength} characters)`);
  checkCharacters(q);
  return new Parser(q, limits).parse();
}

function resolveOptions(options: ParseQueryOptions): Required<ParseQueryOptions> {
  const resolved = {
    maxLength: options.maxLength ?? DEFAULTS.maxLength,
    maxDepth: options.maxDepth ?? DEFAULTS.maxDepth,
    maxTerms: options.maxTerms ?? DEFAULTS.maxTerms,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`parseQuery: options.${name} must be a positive integer (got ${String(value)})`);
    }
  }
  return resolved;
}

const WHITESPACE: ReadonlySet<string> = new Set([' ', '\t', '\n', '\r']);

/** The characters a backslash may escape in an unquoted word: those with a meaning somewhere in the syntax. */
const ESCAPABLE: ReadonlySet<string> = new Set([...'\\:*()"[]{}/+-!?^~&| ']);

/** Where a word is read: before a possible `:`, after `field:`, or inside a range. */
type WordMode = 'clause' | 'value' | 'bound';

/** An unquoted word, unescaped and split at its unescaped `*`s (one part when it has none). */
interface Word {
  parts: string[];
  start: number;
  end: number;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;

  constructor(
    private readonly q: string,
    private readonly limits: Required<ParseQueryOptions>,
  ) {}

  parse(): QueryNode {
    this.skipWhitespace();
    if (this.pos === this.q.length) throw invalidQuery('The query is empty');
    const node = this.or();
    if (this.pos < this.q.length) throw this.unexpected();
    return node;
  }

  private or(): QueryNode {
    const operands = [this.and()];
    while (this.atOperator('OR')) {
      this.pos += 2;
      operands.push(this.and());
    }
    return combine('or', operands);
  }

  private and(): QueryNode {
    const operands = [this.not()];
    for (;;) {
      this.skipWhitespace();
      if (this.pos === this.q.length || this.peek() === ')' || this.atOperator('OR')) break;
      if (this.atOperator('AND')) this.pos += 3;
      operands.push(this.not());
    }
    return combine('and', operands);
  }

  private not(): QueryNode {
    this.skipWhitespace();
    if (!this.atOperator('NOT')) return this.primary();
    const start = this.pos;
    this.pos += 3;
    this.enter(start);
    const child = this.not();
    this.depth--;
    return { type: 'not', child, span: { start, end: child.span.end } };
  }

  private primary(): QueryNode {
    this.skipWhitespace();
    const start = this.pos;
    const c = this.peek();
    if (c === undefined || c === ')') throw this.unexpected();
    for (const op of ['AND', 'OR'] as const) {
      if (this.atOperator(op)) throw invalidQuery(`Unexpected "${op}" at position ${start}`);
    }
    if (c === '(') {
      this.enter(start);
      this.pos++;
      const inner = this.or();
      if (this.peek() !== ')') throw invalidQuery(`Missing ")" for the "(" at position ${start}`);
      this.pos++;
      this.depth--;
      // The span of a group covers its parentheses, so errors and highlights point at all of it.
      return { ...inner, span: { start, end: this.pos } };
    }
    if (c === '"') {
      const text = this.phrase();
      this.expectSeparator();
      this.countTerm(start);
      return { type: 'any', value: { text, phrase: true }, parts: null, span: this.spanFrom(start) };
    }
    return this.clause();
  }

  private clause(): QueryNode {
    const start = this.pos;
    const head = this.word('clause');
    if (this.peek() !== ':') {
      this.countTerm(start);
      const raw = this.q.slice(head.start, head.end);
      const span = this.spanFrom(start);
      if (head.parts.length === 1) return { type: 'any', value: { text: head.parts[0] ?? '', phrase: false }, parts: null, span };
      checkWildcard(null, head.parts, raw, start);
      return { type: 'any', value: { text: head.parts.join('*'), phrase: false }, parts: head.parts, span };
    }
    if (head.end === start) throw invalidQuery(`Missing field name before ":" at position ${start}`);
    const name = this.fieldName(head);
    this.pos++; // the ':'
    if (name === '_exists_') return this.exists(start);
    return this.value(resolveField(name, start), start);
  }

  private exists(start: number): QueryNode {
    const at = this.pos;
    const c = this.peek();
    if (c === undefined || WHITESPACE.has(c) || '()"[{'.includes(c)) {
      throw invalidQuery(`_exists_ needs a field name, like _exists_:email (at position ${at})`);
    }
    const field = resolveField(this.fieldName(this.word('value')), at);
    this.countTerm(start);
    return { type: 'exists', field, span: this.spanFrom(start) };
  }

  private value(field: FieldRef, start: number): QueryNode {
    const at = this.pos;
    const c = this.peek();
    if (c === '[' || c === '{') return this.range(field, start);
    if (c === '(') {
      throw invalidQuery(`Grouping after a field is not supported (at position ${at}); write (${field.path}:a OR ${field.path}:b)`);
    }
    if (c === undefined || WHITESPACE.has(c) || c === ')') {
      throw invalidQuery(`Missing value after ${quote(this.q.slice(start, at))} at position ${at}`);
    }
    if (c === '"') {
      const text = this.phrase();
      this.expectSeparator();
      checkTermValue(field, text, at);
      this.countTerm(start);
      return { type: 'term', field, value: { text, phrase: true }, span: this.spanFrom(start) };
    }
    const word = this.word('value');
    this.countTerm(start);
    const span = this.spanFrom(start);
    if (word.parts.length > 1) {
      checkWildcard(field, word.parts, this.q.slice(word.start, word.end), at);
      return { type: 'wildcard', field, parts: word.parts, span };
    }
    const text = word.parts[0] ?? '';
    checkTermValue(field, text, at);
    return { type: 'term', field, value: { text, phrase: false }, span };
  }

  private range(field: FieldRef, start: number): QueryNode {
    const open = this.pos;
    checkRangeField(field, open);
    const includeLower = this.q[this.pos] === '[';
    this.pos++;
    this.skipWhitespace();
    const lowerAt = this.pos;
    const lower = this.bound();
    const beforeTo = this.pos;
    this.skipWhitespace();
    const after = this.q[this.pos + 2];
    if (this.pos === beforeTo || !this.q.startsWith('TO', this.pos) || after === undefined || !WHITESPACE.has(after)) {
      throw invalidQuery(`Expected " TO " in the range starting at position ${open} (at position ${this.pos})`);
    }
    this.pos += 2;
    this.skipWhitespace();
    const upperAt = this.pos;
    const upper = this.bound();
    this.skipWhitespace();
    const close = this.peek();
    if (close !== ']' && close !== '}') {
      if (close === undefined) throw invalidQuery(`Missing "]" or "}" to close the range starting at position ${open}`);
      throw invalidQuery(`Unexpected ${quote(close)} at position ${this.pos}; expected "]" or "}"`);
    }
    this.pos++;
    this.expectSeparator();
    checkRangeBound(field, lower, lowerAt);
    checkRangeBound(field, upper, upperAt);
    this.countTerm(start);
    return { type: 'range', field, lower, upper, includeLower, includeUpper: close === ']', span: this.spanFrom(start) };
  }

  /** One end of a range: `null` for a lone `*`. */
  private bound(): string | null {
    const at = this.pos;
    const c = this.peek();
    if (c === '"') return this.phrase();
    const next = this.q[at + 1];
    if (c === '*' && (next === undefined || WHITESPACE.has(next) || next === ']' || next === '}')) {
      this.pos++;
      return null;
    }
    const word = this.word('bound');
    if (word.end === word.start) throw this.unexpected();
    if (word.parts.length > 1) {
      throw invalidQuery(`Wildcards are not allowed in ranges (${quote(this.q.slice(word.start, word.end))} at position ${at})`);
    }
    return word.parts[0] ?? '';
  }

  /** A quoted phrase, where only `\"` and `\\` are escapes and every other character is literal. */
  private phrase(): string {
    const start = this.pos;
    let text = '';
    for (this.pos++; ; this.pos++) {
      const c = this.q[this.pos];
      if (c === undefined) throw invalidQuery(`Unterminated phrase starting at position ${start}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = this.q[this.pos + 1];
        if (next === undefined) throw invalidQuery(`Unterminated phrase starting at position ${start}`);
        if (next !== '"' && next !== '\\') {
          throw invalidQuery(`Unknown escape "\\${next}" in a phrase at position ${this.pos}; only \\" and \\\\ are escapes inside quotes`);
        }
        text += next;
        this.pos++;
      } else {
        text += c;
      }
    }
    this.pos++;
    if (text === '') throw invalidQuery(`Empty phrase at position ${start}`);
    return text;
  }

  private word(mode: WordMode): Word {
    const start = this.pos;
    const parts = [''];
    let lastWasStar = false;
    while (this.pos < this.q.length) {
      const c = this.q[this.pos] ?? '';
      if (WHITESPACE.has(c) || (mode === 'clause' && c === ':')) break;
      if (mode === 'bound' ? c === ']' || c === '}' : c === '(' || c === ')') break;
      if (c === '\\') {
        const next = this.q[this.pos + 1];
        if (next === undefined) throw invalidQuery(`The query ends with a lone "\\" at position ${this.pos}`);
        if (!ESCAPABLE.has(next)) throw invalidQuery(`Unknown escape "\\${next}" at position ${this.pos}`);
        parts[parts.length - 1] += next;
        this.pos += 2;
        lastWasStar = false;
        continue;
      }
      if (c === '*') {
        // `jo**n` means the same as `jo*n`: no empty parts in the middle.
        if (!lastWasStar) parts.push('');
        lastWasStar = true;
        this.pos++;
        continue;
      }
      this.rejectSpecial(c, mode, this.pos === start);
      parts[parts.length - 1] += c;
      lastWasStar = false;
      this.pos++;
    }
    return { parts, start, end: this.pos };
  }

  /** Refuses, with a hint, the Lucene syntax Auth0's search does not take. */
  private rejectSpecial(c: string, mode: WordMode, atStart: boolean): void {
    const at = `at position ${this.pos}`;
    const next = this.q[this.pos + 1];
    if (atStart && mode === 'clause') {
      if (c === '-' || c === '!') throw invalidQuery(`Use NOT instead of "${c}" (${at})`);
      if (c === '+') throw invalidQuery(`"+" is not supported (${at}); clauses are joined with AND by default`);
      if (c === '[' || c === '{') throw invalidQuery(`A range needs a field, like created_at:[2017 TO 2018] (${at})`);
    }
    if (c === '&' && next === '&') throw invalidQuery(`Use AND instead of "&&" (${at})`);
    if (c === '|' && next === '|') throw invalidQuery(`Use OR instead of "||" (${at})`);
    if (c === '?') throw invalidQuery(`The "?" wildcard is not supported (${at}); escape it as "\\?" or use a phrase`);
    if (c === '^') throw invalidQuery(`Boosts ("^") are not supported (${at})`);
    if (c === '~') throw invalidQuery(`Fuzzy and proximity searches ("~") are not supported (${at})`);
    if (c === '/') throw invalidQuery(`Regular expressions ("/") are not supported (${at}); escape it as "\\/"`);
    if ('"![]{}()'.includes(c)) throw invalidQuery(`Unexpected ${quote(c)} ${at}`);
  }

  /** A field name: one part (no wildcards); resolveField checks the rest. */
  private fieldName(word: Word): string {
    if (word.parts.length > 1) {
      throw invalidQuery(`Wildcards are not allowed in field names (${quote(this.q.slice(word.start, word.end))} at position ${word.start})`);
    }
    return word.parts[0] ?? '';
  }

  /** An operator is the bare upper-case word, ended by whitespace, a parenthesis, a quote or the end. */
  private atOperator(op: 'AND' | 'OR' | 'NOT'): boolean {
    if (!this.q.startsWith(op, this.pos)) return false;
    const next = this.q[this.pos + op.length];
    return next === undefined || WHITESPACE.has(next) || next === '(' || next === ')' || next === '"';
  }

  /** After a phrase or a range: whitespace, `)` or the end, so `"a"b` is not silently two clauses. */
  private expectSeparator(): void {
    const c = this.peek();
    if (c !== undefined && !WHITESPACE.has(c) && c !== ')') throw this.unexpected();
  }

  private enter(position: number): void {
    this.depth++;
    if (this.depth > this.limits.maxDepth) {
      throw invalidQuery(`Query nests too deeply (max ${this.limits.maxDepth} levels) at position ${position}`);
    }
  }

  private countTerm(position: number): void {
    this.terms++;
    if (this.terms > this.limits.maxTerms) {
      throw invalidQuery(`Query has too many terms (max ${this.limits.maxTerms}) at position ${position}`);
    }
  }

  private unexpected(): Error {
    const c = this.peek();
    if (c === undefined) return invalidQuery(`Unexpected end of query at position ${this.pos}`);
    return invalidQuery(`Unexpected ${quote(c)} at position ${this.pos}`);
  }

  private peek(): string | undefined {
    return this.q[this.pos];
  }

  private skipWhitespace(): void {
    while (WHITESPACE.has(this.q[this.pos] ?? '')) this.pos++;
  }

  private spanFrom(start: number): Span {
    return { start, end: this.pos };
  }
}

/** Joins operands with and/or, flattening children of the same type: `(a AND b) AND c` is one `and`. */
function combine(type: 'and' | 'or', operands: QueryNode[]): QueryNode {
  const first = operands[0];
  const last = operands[operands.length - 1];
  if (!first || !last) throw new Error('combine() needs at least one operand');
  if (operands.length === 1) return first;
  const children = operands.flatMap((node) => ((node.type === 'and' || node.type === 'or') && node.type === type ? node.children : [node]));
  return { type, children, span: { start: first.span.start, end: last.span.end } };
}
