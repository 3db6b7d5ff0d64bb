import { dateBounds, DEFAULT_TERM_FIELDS, GatehouseError, type FieldRef, type QueryNode } from '@gatehouse/core';
import type { Sequelize } from 'sequelize';
import { SEARCH_COLUMNS, type SearchColumn } from './searchable-columns.js';
import { sqlLiteral } from './sql-literal.js';

/** Names the compiled SQL refers to (quoted identifiers). */
export interface CompileContext {
  sequelize: Sequelize;
  /** The users table's alias in the outer query. */
  users: string;
  identitiesTable: string;
  metadataTable: string;
}

/*
 * Compiles a search AST into one SQL boolean expression over the users table. Every value goes
 * through the driver's escaping and every identifier comes from the fixed column map, so no part
 * of the query text reaches the SQL unescaped. Case-insensitive fields compare lower-cased copies;
 * metadata is matched in the indexed side table with EXISTS, never by scanning JSON.
 */
export function compileQuery(node: QueryNode, ctx: CompileContext): string {
  const q = (name: string) => ctx.sequelize.getQueryInterface().quoteIdentifier(name);
  const lit = (value: unknown) => sqlLiteral(ctx.sequelize, value);
  const col = (c: SearchColumn) => `${ctx.users}.${q(c.column)}`;
  // Text ranges compare code points everywhere: PostgreSQL's default collation is linguistic.
  const ordered = (target: string) => (ctx.sequelize.getDialect() === 'postgres' ? `${target} COLLATE "C"` : target);

  // Lucene's NOT keeps documents where the field is missing: in SQL a NULL comparison is unknown,
  // so each clause is made two-valued before it is negated.
  const truth = (sql: string) => `(CASE WHEN ${sql} THEN 1 ELSE 0 END)`;

  function like(target: string, parts: string[], lowerCase: boolean): string {
    const values = parts.map((p) => (lowerCase ? p.toLowerCase() : p));
    if (ctx.sequelize.getDialect() === 'sqlite' && !lowerCase) {
      // SQLite's LIKE ignores ASCII case; GLOB does not. Its metacharacters are escaped as classes.
      const glob = values.map((v) => v.replace(/[*?[]/gu, (m) => `[${m}]`)).join('*');
      return `${target} GLOB ${lit(glob)}`;
    }
    const pattern = values.map((v) => v.replace(/[!%_]/gu, (m) => `!${m}`)).join('%');
    return `${target} LIKE ${lit(pattern)} ESCAPE '!'`;
  }

  function rootColumn(field: FieldRef): SearchColumn {
    const column = SEARCH_COLUMNS[field.path];
    if (!column) throw new GatehouseError('invalid_query', { field: 'q', message: `Field "${field.path}" cannot be searched.` });
    return column;
  }

  function scalar(column: SearchColumn, text: string): unknown {
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
        return `${truth(compile(n.child))} = 0`;
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

  return compile(node);
}
