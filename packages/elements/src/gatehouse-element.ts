/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { ApiClient, ApiError } from './api-client.js';
import { DEFAULT_MESSAGES, format, type MessageKey, type Messages } from './messages.js';

/**
 * What every Gatehouse element shares: how it reaches the API (`api-base`, `token`,
 * `auth-prefix`) and its translatable strings. Not registered as an element itself.
 */
export abstract class GatehouseElement extends LitElement {
  /** The origin the Gatehouse API lives on, for a page on another origin (use with `token`). Empty: this page's origin. */
  @property({ attribute: 'api-base' }) accessor apiBase = '';

  /**
   * A management API token, sent as `Authorization: Bearer`. Without one the element uses the
   * page's session cookie and the CSRF token.
   */
  @property() accessor token: string | null = null;

  /** Where identity() mounts its routes (its `prefix` option). */
  @property({ attribute: 'auth-prefix' }) accessor authPrefix = '/auth';

  /** Overrides for the English strings (see DEFAULT_MESSAGES). */
  @property({ attribute: false }) accessor strings: Messages = {};

  #client: ApiClient | null = null;

  /** The API client for the current `api-base`, `token` and `auth-prefix`. */
  protected get api(): ApiClient {
    const c = this.#client;
    if (c && c.apiBase === this.apiBase.replace(/\/+$/u, '') && c.token === (this.token || null) && c.authPrefix === this.authPrefix) return c;
    this.#client = new ApiClient({ apiBase: this.apiBase, token: this.token || null, authPrefix: this.authPrefix });
    return this.#client;
  }

  /** A string in the page's language, with `{placeholders}` filled. */
  protected t(key: MessageKey, values?: Record<string, string | number>): string {
    return format(this.strings[key] ?? DEFAULT_MESSAGES[key], values);
  }

  /** The message to show for a failed call. */
  protected errorText(err: unknown): string {
    if (err instanceof ApiError) return err.status === 0 ? this.t('networkError') : err.message;
    return err instanceof Error ? err.message : String(err);
  }
}
