import { GatehouseError } from '../gatehouse-error.js';
import type { FieldRef, FieldType } from './ast.js';
import { fieldType, quote } from './search-fields.js';

/*
 * The checks behind `invalid_query` that are not grammar: which characters a query may contain,
 * and values against the field types, run by the parser as it reads each value so an error can
 * point at the exact value. Adapters then compile values they know are well-formed: a number
 * field never sees "abc", a date field never sees "2017-13-45".
 */

/** The `invalid_query` error every search syntax or value problem becomes. */
export function invalidQuery(message: string): GatehouseError {
  return new GatehouseError('invalid_query', { field: 'q', message });
}

/** Control characters and lone surrogates have no business in a query and upset some databases. */
export function checkCharacters(q: string): void {
  const bad = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(q);
  if (!bad) return;
  const code = bad[0].charCodeAt(0);
  if (code >= 0xd800) throw invalidQuery(`Invalid Unicode (a lone surrogate) at position ${bad.index}`);
  throw invalidQuery(`Control character U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${bad.index}`);
}

/** Checks the value of `field:value` / `field:"value"`. */
export function checkTermValue(field: FieldRef, text: string, position: number): void {
  checkTyped(field, fieldType(field), text, position);
}

/**
 * Checks `field:jo*` (or a bare `jo*` when `field` is null): wildcards only on text fields, some
 * text besides the stars, and a suffix wildcard with at least 3 characters, because a leading
 * wildcard cannot use an ordinary index and a short one matches nearly everything.
 */
export function checkWildcard(field: FieldRef | null, parts: string[], raw: string, position: number): void {
  if (field) {
    const type = fieldType(field);
    if (type !== 'string' && type !== 'ci_string') {
      throw invalidQuery(`Wildcards are not allowed on ${type} fields like ${field.path} (${quote(raw)} at position ${position})`);
    }
  }
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  if (length === 0) {
    throw invalidQuery(`A wildcard needs some text besides "*" (${quote(raw)} at position ${position}); use _exists_:field to match any value`);
  }
  const leading = parts[0] === '';
  const trailing = parts[parts.length - 1] === '';
  if (leading && !trailing && length < 3) {
    throw invalidQuery(`A suffix wildcard needs at least 3 characters (${quote(raw)} at position ${position})`);
  }
}

/** Checks that `field` can take a range at all: booleans have no order. */
export function checkRangeField(field: FieldRef, position: number): void {
  if (fieldType(field) === 'boolean') {
    throw invalidQuery(`Ranges are not allowed on boolean fields like ${field.path} (at position ${position})`);
  }
}

/** Checks one end of `field:[a TO b]`; `null` is an open end (`*`). */
export function checkRangeBound(field: FieldRef, text: string | null, position: number): void {
  if (text !== null) checkTyped(field, fieldType(field), text, position);
}

function checkTyped(field: FieldRef, type: FieldType, text: string, position: number): void {
  const at = `(${quote(text)} at position ${position})`;
  switch (type) {
    case 'number':
      if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        throw invalidQuery(`${field.path} needs a whole number ${at}`);
      }
      return;
    case 'boolean':
      if (text !== 'true' && text !== 'false') {
        throw invalidQuery(`${field.path} needs true or false ${at}`);
      }
      return;
    case 'date':
      if (!isSearchDate(text)) {
        throw invalidQuery(`${field.path} needs a date like 2017, 2017-12, 2017-12-31 or 2017-12-31T23:59:59Z ${at}`);
      }
      return;
    case 'string':
    case 'ci_string':
      return;
  }
}

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?)?)?$/;

/**
 * True for the date forms a date field accepts: `2017`, `2017-12`, `2017-12-31`, and ISO 8601
 * timestamps (`2017-12-31T23:59Z`, `…:59Z`, `…:59.123+02:00`), with every component in range
 * (no 2017-02-30, no 24:00). A timestamp must name its zone: without one, JavaScript and the
 * databases disagree on whether it is UTC or local time.
 */
export function isSearchDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = match.map((part) =>
    part === undefined ? undefined : Number(part),
  );
  if (month !== undefined && (month < 1 || month > 12)) return false;
  if (day !== undefined && month !== undefined && year !== undefined) {
    if (day < 1 || day > daysInMonth(year, month)) return false;
  }
  if (hour !== undefined && hour > 23) return false;
  if (minute !== undefined && minute > 59) return false;
  if (second !== undefined && second > 59) return false;
  if (offsetHour !== undefined && offsetHour > 23) return false;
  if (offsetMinute !== undefined && offsetMinute > 59) return false;
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
