import { GatehouseError } from '@gatehouse/core';
import type { Request } from 'express';

/** Auth0's page-size cap; larger `per_page` values are refused (400), as Auth0 does, rather than silently capped. */
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 50;

function badQuery(name: string, message: string): GatehouseError {
  return new GatehouseError('invalid_query_string', { field: name, message });
}

/** A single string query parameter, or undefined; a repeated parameter is refused. */
export function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badQuery(name, `${name} must be given once, as a plain value.`);
  return value;
}

/** `true` / `false` (absent: `fallback`). */
export function queryBoolean(req: Request, name: string, fallback: boolean): boolean {
  const value = queryString(req, name);
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badQuery(name, `${name} must be true or false.`);
}

function queryInteger(req: Request, name: string, fallback: number, min: number, max: number): number {
  const value = queryString(req, name);
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/u.test(value)) throw badQuery(name, `${name} must be an integer from ${min} to ${max}.`);
  const n = Number(value);
  if (n < min || n > max) throw badQuery(name, `${name} must be an integer from ${min} to ${max}.`);
  return n;
}

export interface Paging {
  page: number;
  perPage: number;
  includeTotals: boolean;
}

/** Auth0's `page` (from 0), `per_page` (1..100, default 50) and `include_totals` (default false). */
export function paging(req: Request): Paging {
  return {
    page: queryInteger(req, 'page', 0, 0, 1_000_000),
    perPage: queryInteger(req, 'per_page', DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    includeTotals: queryBoolean(req, 'include_totals', false),
  };
}

/** Auth0's paged answer: the bare list, or `{start, limit, total, <key>}` with include_totals (`length` too where Auth0 sends it). */
export function pagedBody<T>(p: Paging, key: string, items: T[], total: number, withLength = false): unknown {
  if (!p.includeTotals) return items;
  const body: Record<string, unknown> = { start: p.page * p.perPage, limit: p.perPage };
  if (withLength) body.length = items.length;
  body.total = total;
  body[key] = items;
  return body;
}

/** One page of an in-memory list. */
export function pageOf<T>(items: T[], p: Paging): T[] {
  return items.slice(p.page * p.perPage, p.page * p.perPage + p.perPage);
}

/**
 * Auth0's `fields` (comma-separated) and `include_fields` (default true): keep only, or drop, the
 * named top-level fields. Unknown names are ignored, as Auth0 does.
 */
export function fieldSelector(req: Request): <T extends object>(value: T) => Partial<T> {
  const fields = queryString(req, 'fields');
  const include = queryBoolean(req, 'include_fields', true);
  if (fields === undefined || fields.trim() === '') return (value) => value;
  if (fields.length > 2048) throw badQuery('fields', 'fields is too long.');
  const names = new Set(fields.split(',').map((f) => f.trim()).filter((f) => f !== ''));
  return (value) =>
    Object.fromEntries(Object.entries(value).filter(([key]) => names.has(key) === include)) as Partial<typeof value>;
}
