import { GatehouseError } from '../gatehouse-error.js';

/**
 * The period a date in a query stands for: `2017` is the whole year, `2017-12` the month,
 * `2017-12-31` the day (UTC), a full timestamp its own millisecond. `end` is exclusive.
 */
export function dateBounds(text: string): { start: Date; end: Date } {
  const partial = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/u.exec(text);
  if (partial) {
    const [, y, m, d] = partial;
    const year = Number(y);
    const month = m === undefined ? 0 : Number(m) - 1;
    const day = d === undefined ? 1 : Number(d);
    const start = new Date(Date.UTC(year, month, day));
    const end = new Date(Date.UTC(year + (m === undefined ? 1 : 0), month + (m !== undefined && d === undefined ? 1 : 0), day + (d === undefined ? 0 : 1)));
    if (start.getUTCMonth() !== month || start.getUTCDate() !== day) {
      throw new GatehouseError('invalid_query', { field: 'q', message: `"${text}" is not a valid date.` });
    }
    return { start, end };
  }
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime())) throw new GatehouseError('invalid_query', { field: 'q', message: `"${text}" is not a valid date.` });
  return { start: instant, end: new Date(instant.getTime() + 1) };
}
