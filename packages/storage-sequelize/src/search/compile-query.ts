import { dateBounds, DEFAULT_TERM_FIELDS, GatehouseError, type FieldRef, type QueryNode } from '@gatehouse/core';
import type { Sequelize } from 'sequelize';
import type { Dialect } from '../options.js';
import { bindValue, type BoundValue, type SearchValue } from './bind-value.js';
import { SEARCH_COLUMNS, type SearchColumn } from './searchable-columns.js';

/** Names the compiled SQL refers to (quoted identifiers). */
export interface CompileContext {
  sequelize: Sequelize;
  /** The users table's alias in the outer query. */
  users: string;
  identitiesTable: string;
  metadataTable: string;
}

/** A search as SQL: a boolean expression with `?` placeholders, and their values in order. */
export interface CompiledQuery {
  sql: string;
  params: BoundValue[];
}

/*
 * Compiles a search AST into one SQL boolean expression over the users table. Values are bound
 * parameters and every identifier comes from the fixed column map, so no part of the query text
 * reaches the SQL, and the SQL varies only with the query's shape (one prepared statement serves
 * every search of that shape). Case-insensitive fields compare lower-cased copies; metadata is
 * matched in the indexed side table with EXISTS, never by scanning JSON.
 */
export function compileQuery(node: QueryNode, ctx: CompileContext): CompiledQuery {
  const dialect = ctx.sequelize.getDialect() as Dialect;
  const q = (name: string) => ctx.sequelize.getQueryInterface().quoteIdentifier(name);
  // Fragments are not built in text order (a metadata condition is compiled before the EXISTS
  // around it), so a value is first marked with its index (NUL never occurs in identifiers or
  // keywords), and the marks become `?` in text order at the end.
  const bound: BoundValue[] = [];
  const lit = (value: SearchValue) => `\u0000${bound.push(bindValue(dialect, value)) - 1}\u0000`;
  const col = (c: SearchColumn) => `${ctx.users}.${q(c.column)}`;
  // Text ranges compare code points everywhere: PostgreSQL's default collation is linguistic.
  const ordered = (target: string) => (dialect === 'postgres' ? `${target} COLLATE "C"` : target);

  function like(target: string, parts: string[], lowerCase: boolean): string {
    const values = parts.map((p) => (lowerCase ? p.toLowerCase() : p));
    if (dialect === 'sqlite' && !lowerCase) {
      // SQLite's LIKE ignores ASCII case; GLOB does not. Its metacharacters are escaped as classes.
      const glob = values.map((v) => v.replace(/[*?[]/gu, (m) => `[${m}]`)).join('*');
      return `${target} GLOB ${lit(glob)}`;
    }
    const pattern = values.map((v) => v.replace(/[!%_]/gu, (m) => `!${m}`)).join('%');
    // PostgreSQL's trigram indexes cover lower(copy) (migration 0014): a leading wildcard, which no
    // b-tree serves, says lower() to reach them (the same text: the copy is lower case already),
    // while a prefix keeps the bare column and its b-tree.
    const indexed = dialect === 'postgres' && lowerCase && parts[0] === '' ? `lower(${target})` : target;
    return `${indexed} LIKE ${lit(pattern)} ESCAPE '!'`;
  }

  function rootColumn(field: FieldRef): SearchColumn {
    const column = SEARCH_COLUMNS[field.path];
    if (!column) throw new GatehouseError('invalid_query', { field: 'q', message: `Field "${field.path}" cannot be searched.` });
    return column;
  }

  function scalar(column: SearchColumn, text: string): SearchValue {
    switch (column.type) {
      case 'number':
        return Number(text);
      case 'boolean':
        return text === 'true';
      case 'date':
        return text;
      default:
        return column.lowerCase ? text.toLowerCase() : text;
    }
  }

  function compare(target: string, column: SearchColumn, op: '>' | '>=' | '<' | '<=', text: string, inclusive: boolean): string {
    if (column.type === 'date') {
      const { start, end } = dateBounds(text);
      // A partial date is a period: [2017 TO ...] starts at its first instant, [... TO 2017] ends after its last.
      if (op === '>' || op === '>=') return `${target} >= ${lit(inclusive ? start : end)}`;
      return `${target} < ${lit(inclusive ? end : start)}`;
    }
    return `${column.type === 'text' ? ordered(target) : target} ${op} ${lit(scalar(column, text))}`;
  }

  function rootTerm(column: SearchColumn, text: string): string {
    if (column.type === 'date') {
      const { start, end } = dateBounds(text);
      return `(${col(column)} >= ${lit(start)} AND ${col(column)} < ${lit(end)})`;
    }
    return `${col(column)} = ${lit(scalar(column, text))}`;
  }

  function metadata(field: FieldRef, condition: string | null): string {
    const m = q('m');
    const source = field.kind === 'user_metadata' ? 'user' : 'app';
    const path = field.keys.join('.');
    // Without a value condition (_exists_), an object exists when any value lies below it.
    const pathMatch = condition
      ? `${m}.${q('path')} = ${lit(path)}`
      : `(${m}.${q('path')} = ${lit(path)} OR ${like(`${m}.${q('path')}`, [`${path}.`, ''], false)})`;
    const where = [`${m}.${q('user_id')} = ${ctx.users}.${q('user_id')}`, `${m}.${q('source')} = ${lit(source)}`, pathMatch];
    if (condition) where.push(condition);
    return `EXISTS (SELECT 1 FROM ${ctx.metadataTable} ${m} WHERE ${where.join(' AND ')})`;
  }

  function identities(condition: string): string {
    const i = q('i');
    return `EXISTS (SELECT 1 FROM ${ctx.identitiesTable} ${i} WHERE ${i}.${q('user_id')} = ${ctx.users}.${q('user_id')} AND ${condition})`;
  }

  const isNumeric = (text: string | null) => text === null || /^-?\d+(\.\d+)?$/u.test(text);

  /**
   * Whether a node compiles to an expression that is never NULL: an EXISTS, IS NOT NULL, a range
   * (which tests IS NOT NULL first), a negation, and AND/OR of those.
   */
  function twoValued(n: QueryNode): boolean {
    switch (n.type) {
      case 'and':
      case 'or':
        return n.children.every(twoValued);
      case 'not':
      case 'exists':
      case 'range':
        return true;
      case 'term':
      case 'wildcard':
        return n.field.kind === 'user_metadata' || n.field.kind === 'app_metadata' || n.field.kind === 'identity_connection';
      case 'any':
        return false;
    }
  }

  function compile(n: QueryNode): string {
    switch (n.type) {
      case 'and':
        return `(${n.children.map(compile).join(' AND ')})`;
      case 'or': {
        // `plan:gold OR plan:pro` on one metadata path becomes one EXISTS with IN: one index probe,
        // and a row estimate the planner gets right (an OR of subqueries it badly underestimates).
        const merged = new Map<string, { field: FieldRef; values: string[] }>();
        const rest: QueryNode[] = [];
        for (const child of n.children) {
          if (child.type === 'term' && (child.field.kind === 'user_metadata' || child.field.kind === 'app_metadata')) {
            const key = `${child.field.kind}\u0000${child.field.keys.join('.')}`;
            const entry = merged.get(key) ?? { field: child.field, values: [] };
            entry.values.push(child.value.text);
            merged.set(key, entry);
          } else {
            rest.push(child);
          }
        }
        const clauses = [...merged.values()].map(({ field, values }) =>
          metadata(field, `${q('m')}.${q('value_text')} IN (${values.map(lit).join(', ')})`),
        );
        return `(${[...clauses, ...rest.map(compile)].join(' OR ')})`;
      }
      case 'not':
        // Lucene's NOT keeps documents where the field is missing, but SQL's NOT of a comparison
        // with NULL is NULL, which drops the row: IS NOT TRUE keeps it. A clause never NULL takes
        // plain NOT, which makes NOT EXISTS an anti-join. Planners estimate both as 1 minus the
        // clause's selectivity; PostgreSQL guessed a fixed 0.5% for the former `CASE ... = 0`.
        return twoValued(n.child) ? `NOT (${compile(n.child)})` : `(${compile(n.child)}) IS NOT TRUE`;
      case 'exists': {
        if (n.field.kind === 'user_metadata' || n.field.kind === 'app_metadata') return metadata(n.field, null);
        if (n.field.kind === 'identity_connection') return identities('1 = 1');
        return `${col(rootColumn(n.field))} IS NOT NULL`;
      }
      case 'term': {
        const { field } = n;
        if (field.kind === 'user_metadata' || field.kind === 'app_metadata') {
          return metadata(field, `${q('m')}.${q('value_text')} = ${lit(n.value.text)}`);
        }
        if (field.kind === 'identity_connection') return identities(`${q('i')}.${q('connection')} = ${lit(n.value.text)}`);
        return rootTerm(rootColumn(field), n.value.text);
      }
      case 'wildcard': {
        const { field } = n;
        if (field.kind === 'user_metadata' || field.kind === 'app_metadata') {
          return metadata(field, like(`${q('m')}.${q('value_text')}`, n.parts, false));
        }
        if (field.kind === 'identity_connection') return identities(like(`${q('i')}.${q('connection')}`, n.parts, false));
        const column = rootColumn(field);
        return like(col(column), n.parts, column.lowerCase);
      }
      case 'range': {
        const { field } = n;
        if (field.kind === 'user_metadata' || field.kind === 'app_metadata') {
          // Numeric bounds compare numbers; any other bound compares text.
          const numeric = isNumeric(n.lower) && isNumeric(n.upper);
          const raw = `${q('m')}.${q(numeric ? 'value_num' : 'value_text')}`;
          const target = numeric ? raw : ordered(raw);
          const parts = [`${raw} IS NOT NULL`];
          if (n.lower !== null) parts.push(`${target} ${n.includeLower ? '>=' : '>'} ${lit(numeric ? Number(n.lower) : n.lower)}`);
          if (n.upper !== null) parts.push(`${target} ${n.includeUpper ? '<=' : '<'} ${lit(numeric ? Number(n.upper) : n.upper)}`);
          return metadata(field, parts.join(' AND '));
        }
        const column = rootColumn(field);
        const parts = [`${col(column)} IS NOT NULL`];
        if (n.lower !== null) parts.push(compare(col(column), column, n.includeLower ? '>=' : '>', n.lower, n.includeLower));
        if (n.upper !== null) parts.push(compare(col(column), column, n.includeUpper ? '<=' : '<', n.upper, n.includeUpper));
        return `(${parts.join(' AND ')})`;
      }
      case 'any': {
        const clauses = DEFAULT_TERM_FIELDS.map((name) => {
          const column = SEARCH_COLUMNS[name]!;
          return n.parts ? like(col(column), n.parts, column.lowerCase) : `${col(column)} = ${lit(scalar(column, n.value.text))}`;
        });
        return `(${clauses.join(' OR ')})`;
      }
    }
    // Exhaustive above; a node of an unknown type is a caller's bug, refused rather than ignored.
    throw new GatehouseError('invalid_query', { field: 'q', message: 'Unsupported query node.' });
  }

  const params: BoundValue[] = [];
  const sql = compile(node).replace(/\u0000(\d+)\u0000/gu, (_, index: string) => {
    params.push(bound[Number(index)]!);
    return '?';
  });
  return { sql, params };
}
