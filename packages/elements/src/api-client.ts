/// <reference lib="dom" />
import type { ErrorBody } from '@gatehouse/core';

/** How a component reaches the Gatehouse HTTP API. */
export interface ApiClientOptions {
  /**
   * The origin (and path prefix, if any) the API lives under; empty for the page's own origin.
   * @default ''
   */
  apiBase?: string;
  /** A management API token: sent as `Authorization: Bearer`, and then no cookie or CSRF token is used. */
  token?: string | null;
  /** Where identity() mounts its routes (the CSRF token is read from `<authPrefix>/csrf-token`). @default '/auth' */
  authPrefix?: string;
}

/**
 * A failed API call: the HTTP status and Auth0's error body (`{statusCode, error, message,
 * errorCode, field?}`). `errorCode` is `network_error` when no answer came back at all.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  /** The request field at fault, when the API named one (forms show the message beside it). */
  readonly field: string | undefined;

  constructor(status: number, body: Partial<ErrorBody> | null, fallback: string) {
    super(typeof body?.message === 'string' ? body.message : fallback);
    this.name = 'ApiError';
    this.status = status;
    this.errorCode = typeof body?.errorCode === 'string' ? body.errorCode : status === 0 ? 'network_error' : 'unexpected_response';
    this.field = typeof body?.field === 'string' ? body.field : undefined;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The one HTTP client the components share. Same-origin it sends the session cookie and, on
 * changes, the `x-csrf-token` header (fetched once from `/auth/csrf-token` and refetched once when
 * the server says it went stale, e.g. after a login regenerated the session). With a token it
 * sends only `Authorization: Bearer` and no cookies, so a page on another origin never rides on a
 * session it happens to share with the API.
 */
export class ApiClient {
  readonly apiBase: string;
  readonly token: string | null;
  readonly authPrefix: string;
  #csrf: Promise<string> | null = null;

  constructor(options: ApiClientOptions = {}) {
    this.apiBase = (options.apiBase ?? '').replace(/\/+$/u, '');
    this.token = options.token ?? null;
    this.authPrefix = options.authPrefix ?? '/auth';
  }

  /** GET a JSON answer. */
  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  /** PATCH with a JSON body. */
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  /** POST with a JSON body. */
  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** DELETE; resolves to the JSON answer, or undefined for 204. */
  delete<T = undefined>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** Sends one request, retrying once with a fresh CSRF token if the server refused a stale one. */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    try {
      return await this.#send<T>(method, path, body, signal);
    } catch (err) {
      if (err instanceof ApiError && err.errorCode === 'invalid_csrf_token' && this.token === null) {
        this.#csrf = null;
        return this.#send<T>(method, path, body, signal);
      }
      throw err;
    }
  }

  async #send<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    else if (!SAFE_METHODS.has(method)) headers['x-csrf-token'] = await this.#csrfToken();
    let res: Response;
    try {
      res = await fetch(this.apiBase + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        credentials: this.token === null ? 'include' : 'omit',
        signal: signal ?? null,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, null, 'The server could not be reached.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null; // An HTML error page from a proxy: reported by status below.
    }
    if (!res.ok) throw new ApiError(res.status, json as Partial<ErrorBody> | null, `The request failed (${res.status}).`);
    return json as T;
  }

  #csrfToken(): Promise<string> {
    this.#csrf ??= this.#send<{ csrfToken: string }>('GET', `${this.authPrefix}/csrf-token`, undefined, undefined).then(
      (r) => r.csrfToken,
      (err: unknown) => {
        this.#csrf = null;
        throw err;
      },
    );
    return this.#csrf;
  }
}

/** `/users/<id>`, with the id escaped (user ids contain `|`). */
export function userPath(userId: string, rest = ''): string {
  return `/api/v2/users/${encodeURIComponent(userId)}${rest}`;
}
