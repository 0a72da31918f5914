// The Marquee API client: `import { MarqueeClient } from 'marquee/client'`. Plain JavaScript on
// openapi-fetch; its types are index.d.ts over paths.d.ts, which openapi-typescript generates from
// the API description (`npm run client:types`; a test fails when it is stale).
import createClient from 'openapi-fetch';

/** Statuses worth retrying: throttled (429) and unavailable for now (503). */
const RETRYABLE = new Set([429, 503]);

/** An error answer of the API: `{error, message, field?}` and its HTTP status. */
export class MarqueeApiError extends Error {
  /**
   * @param {number} status
   * @param {{error?: string, message?: string, field?: string}} body
   * @param {{retryAfterSeconds?: number, cause?: unknown}} [options]
   */
  constructor(status, body, options = {}) {
    super(body.message ?? `HTTP ${status}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MarqueeApiError';
    this.status = status;
    this.error = body.error ?? 'http_error';
    this.field = body.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * Seconds a `Retry-After` header asks for (seconds, or an HTTP date), or undefined.
 * @param {string | null} header
 * @param {number} now
 */
export function retryAfterSeconds(header, now = Date.now()) {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/**
 * A fetch that repeats a request answered 429 or 503, after the `Retry-After` it was given (else
 * a doubling back-off from 200 ms), at most `maxRetries` times and never waiting longer than
 * `maxRetryDelayMs` at once.
 * @param {typeof fetch} fetchImpl
 * @param {{maxRetries: number, maxRetryDelayMs: number, sleep: (ms: number) => Promise<void>}} options
 * @returns {(request: Request) => Promise<Response>}
 */
function retryingFetch(fetchImpl, { maxRetries, maxRetryDelayMs, sleep }) {
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      const response = await fetchImpl(attempt < maxRetries ? request.clone() : request);
      if (!RETRYABLE.has(response.status) || attempt >= maxRetries) return response;
      const asked = retryAfterSeconds(response.headers.get('retry-after'));
      const delayMs = Math.min(maxRetryDelayMs, asked === undefined ? 200 * 2 ** attempt : asked * 1000);
      await response.body?.cancel();
      await sleep(delayMs);
    }
  };
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class MarqueeClient {
  /**
   * @param {{baseUrl?: string, apiKey?: string, fetch?: typeof fetch, maxRetries?: number, maxRetryDelayMs?: number, sleep?: (ms: number) => Promise<void>}} [options]
   */
  constructor(options = {}) {
    const { baseUrl = 'http://localhost:3000', apiKey, maxRetries = 3, maxRetryDelayMs = 10_000, sleep = wait } = options;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    this.api = createClient({
      baseUrl: baseUrl.replace(/\/+$/, ''),
      headers: apiKey === undefined ? {} : { 'x-api-key': apiKey },
      fetch: retryingFetch(fetchImpl, { maxRetries, maxRetryDelayMs, sleep }),
    });
  }

  /** GET /v1/users/{userId}/recommendations */
  recommendForUser(userId, query = {}) {
    return this.#call(this.api.GET('/v1/users/{userId}/recommendations', { params: { path: { userId }, query } }));
  }

  /** POST /v1/recommendations: `{history?, preferences?, count?, filter?, explain?}` */
  recommendForHistory(body) {
    return this.#call(this.api.POST('/v1/recommendations', { body }));
  }

  /** GET /v1/items/{itemId}/similar */
  similar(itemId, query = {}) {
    return this.#call(this.api.GET('/v1/items/{itemId}/similar', { params: { path: { itemId }, query } }));
  }

  /** POST /v1/rank: `{userId?, history?, preferences?, itemIds, explain?}` */
  rank(body) {
    return this.#call(this.api.POST('/v1/rank', { body }));
  }

  /** GET /v1/popular */
  popular(query = {}) {
    return this.#call(this.api.GET('/v1/popular', { params: { query } }));
  }

  /** POST /v1/events: 1–100 events; give each an eventId to make retries harmless. */
  postEvents(events) {
    return this.#call(this.api.POST('/v1/events', { body: { events } }));
  }

  /** GET /v1/items/{itemId} */
  getItem(itemId) {
    return this.#call(this.api.GET('/v1/items/{itemId}', { params: { path: { itemId } } }));
  }

  /** PUT /v1/items/{itemId} */
  putItem(itemId, item) {
    return this.#call(this.api.PUT('/v1/items/{itemId}', { params: { path: { itemId } }, body: item }));
  }

  /** POST /v1/items: up to 100 titles. */
  putItems(items) {
    return this.#call(this.api.POST('/v1/items', { body: { items } }));
  }

  /** DELETE /v1/users/{userId} */
  forgetUser(userId) {
    return this.#call(this.api.DELETE('/v1/users/{userId}', { params: { path: { userId } } }));
  }

  /** GET /v1/users/{userId}/history */
  history(userId, query = {}) {
    return this.#call(this.api.GET('/v1/users/{userId}/history', { params: { path: { userId }, query } }));
  }

  /** GET /v1/model */
  model() {
    return this.#call(this.api.GET('/v1/model'));
  }

  /** GET /v1/model/files: short-lived URLs, sizes and sha256 of the served model's files */
  modelFiles() {
    return this.#call(this.api.GET('/v1/model/files'));
  }

  /** GET /v1/health (no key needed) */
  health() {
    return this.#call(this.api.GET('/v1/health'));
  }

  /** GET /v1/openapi.json (no key needed) */
  openApi() {
    return this.#call(this.api.GET('/v1/openapi.json'));
  }

  /** The body of a success, or a MarqueeApiError. */
  async #call(pending) {
    const { data, error, response } = await pending;
    if (response.ok) return data;
    const body =
      typeof error === 'object' && error !== null ? error : { message: typeof error === 'string' && error !== '' ? error : undefined };
    throw new MarqueeApiError(response.status, body, { retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')) });
  }
}
