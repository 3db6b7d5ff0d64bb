import { GatehouseError } from './gatehouse-error.js';
import type { LogQuery } from './ports.js';
import { dateBounds } from './search/date-bounds.js';

/** The filters a log search `q` can set. */
export type LogFilters = Pick<LogQuery, 'types' | 'userId' | 'from' | 'to'>;

function invalid(message: string): GatehouseError {
  return new GatehouseError('invalid_query', { field: 'q', message });
}

/** A quoted or bare value at `i`; returns it and the index after it. */
function readValue(q: string, i: number): [string, number] {
  if (q[i] === '"') {
    let out = '';
    for (let j = i + 1; j < q.length; j++) {
      if (q[j] === '\\' && j + 1 < q.length) out += q[++j];
      else if (q[j] === '"') return [out, j + 1];
      else out += q[j];
    }
    throw invalid('Unterminated quoted value.');
  }
  const m = /^[^\s()"[\]{}]+/u.exec(q.slice(i));
  if (!m) throw invalid(`Expected a value at position ${i}.`);
  return [m[0], i + m[0].length];
}

/**
 * Parses the small subset of Auth0's log search syntax that Gatehouse answers: clauses joined
 * by `AND` (or a space), each one of
 *
 *   type:s   type:"fp"   type:(s OR f OR fp)
 *   user_id:"auth0|abc"
 *   date:[2024-01-01 TO 2024-02-01}   date:[* TO 2024-01-31]   date:2024-05   (UTC; partial dates are whole periods)
 *
 * Each field at most once; anything else is 400 `invalid_query`.
 *
 * @example parseLogQuery('type:(s OR f) AND date:[2024-01-01 TO *]')
 */
export function parseLogQuery(q: string): LogFilters {
  if (q.length > 1024) throw invalid('The query is too long (max 1024 characters).');
  const filters: LogFilters = {};
  const seen = new Set<string>();
  let i = 0;
  const skipSpace = () => {
    while (i < q.length && /\s/u.test(q[i]!)) i++;
  };
  skipSpace();
  while (i < q.length) {
    const field = /^(type|user_id|date):/u.exec(q.slice(i));
    if (!field) throw invalid(`Expected type:, user_id: or date: at position ${i}.`);
    const name = field[1]!;
    if (seen.has(name)) throw invalid(`${name} may appear only once.`);
    seen.add(name);
    i += field[0].length;
    if (name === 'type') {
      if (q[i] === '(') {
        const types: string[] = [];
        i++;
        for (;;) {
          skipSpace();
          const [value, next] = readValue(q, i);
          types.push(value);
          i = next;
          skipSpace();
          if (q[i] === ')') break;
          if (q.startsWith('OR', i)) i += 2;
          else throw invalid(`Expected OR or ) at position ${i}.`);
        }
        i++;
        filters.types = types;
      } else {
        const [value, next] = readValue(q, i);
        filters.types = [value];
        i = next;
      }
    } else if (name === 'user_id') {
      const [value, next] = readValue(q, i);
      filters.userId = value;
      i = next;
    } else {
      const range = /^([[{])\s*(\S+)\s+TO\s+(\S+?)\s*([\]}])/u.exec(q.slice(i));
      if (range) {
        const [whole, open, lower, upper, close] = range as unknown as [string, string, string, string, string];
        if (lower !== '*') filters.from = open === '[' ? dateBounds(lower).start : dateBounds(lower).end;
        if (upper !== '*') filters.to = close === ']' ? dateBounds(upper).end : dateBounds(upper).start;
        i += whole.length;
      } else {
        const [value, next] = readValue(q, i);
        ({ start: filters.from, end: filters.to } = dateBounds(value));
        i = next;
      }
    }
    skipSpace();
    if (q.startsWith('AND', i) && /\s/u.test(q[i + 3] ?? '')) {
      i += 3;
      skipSpace();
      if (i >= q.length) throw invalid('The query ends with AND.');
    }
  }
  return filters;
}
