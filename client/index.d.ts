// Types of index.mjs, over paths.d.ts (generated from the API description by openapi-typescript).
import type { Client } from 'openapi-fetch';
import type { components, operations, paths } from './paths.js';

export type { components, operations, paths };
export type Schemas = components['schemas'];

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
/** The body of an operation's success. */
type Ok<Op extends keyof operations> = Json<operations[Op]['responses'][Extract<keyof operations[Op]['responses'], 200 | 201 | 202>]>;
/** An operation's request body. */
type Body<Op extends keyof operations> = operations[Op] extends { requestBody: infer RequestBody } ? Json<RequestBody> : never;
/** An operation's query parameters; `'true' | 'false'` ones also take a boolean. */
type Query<Op extends keyof operations> = operations[Op]['parameters'] extends { query?: infer Q }
  ? { [K in keyof NonNullable<Q>]?: 'true' extends NonNullable<Q>[K] ? NonNullable<Q>[K] | boolean : NonNullable<Q>[K] }
  : never;

export interface MarqueeClientOptions {
  /** The API's URL: the stage URL, or `http://localhost:3000` (the default) for the local service. */
  readonly baseUrl?: string;
  /** Sent as `x-api-key` (not needed for health and openApi). */
  readonly apiKey?: string;
  readonly fetch?: typeof fetch;
  /** Repeats of a request answered 429 or 503 (default 3). */
  readonly maxRetries?: number;
  /** The longest wait before a repeat, whatever `Retry-After` asks (default 10,000 ms). */
  readonly maxRetryDelayMs?: number;
  /** How to wait (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An error answer of the API: `{error, message, field?}` and its HTTP status. */
export declare class MarqueeApiError extends Error {
  constructor(
    status: number,
    body: { error?: string; message?: string; field?: string },
    options?: { retryAfterSeconds?: number; cause?: unknown },
  );
  readonly name: 'MarqueeApiError';
  /** The HTTP status. */
  readonly status: number;
  /** Machine-readable code: `invalid_request`, `not_found`, `service_unavailable`, `throttled`, … */
  readonly error: string;
  /** The request field at fault: `body.events[0].type`, `query.count`, `path.userId`. */
  readonly field: string | undefined;
  /** What `Retry-After` said, on a 429 or 503 that outlasted the retries. */
  readonly retryAfterSeconds: number | undefined;
}

/** Seconds a `Retry-After` header asks for (seconds, or an HTTP date), or undefined. */
export declare function retryAfterSeconds(header: string | null, now?: number): number | undefined;

/** Typed methods for every route; each resolves to the success body or rejects with MarqueeApiError. */
export declare class MarqueeClient {
  constructor(options?: MarqueeClientOptions);
  /** The underlying openapi-fetch client, for what the methods do not cover. */
  readonly api: Client<paths>;
  recommendForUser(userId: string, query?: Query<'recommendForUser'>): Promise<Ok<'recommendForUser'>>;
  recommendForHistory(body: Body<'recommendForHistory'>): Promise<Ok<'recommendForHistory'>>;
  similar(itemId: string, query?: Query<'similarItems'>): Promise<Ok<'similarItems'>>;
  rank(body: Body<'rank'>): Promise<Ok<'rank'>>;
  popular(query?: Query<'popular'>): Promise<Ok<'popular'>>;
  postEvents(events: Body<'postEvents'>['events']): Promise<Ok<'postEvents'>>;
  getItem(itemId: string): Promise<Ok<'getItem'>>;
  putItem(itemId: string, item: Body<'putItem'>): Promise<Ok<'putItem'>>;
  putItems(items: Body<'putItems'>['items']): Promise<Ok<'putItems'>>;
  forgetUser(userId: string): Promise<Ok<'forgetUser'>>;
  history(userId: string, query?: Query<'userHistory'>): Promise<Ok<'userHistory'>>;
  model(): Promise<Ok<'modelInfo'>>;
  modelFiles(): Promise<Ok<'modelFiles'>>;
  health(): Promise<Ok<'health'>>;
  openApi(): Promise<Ok<'openApi'>>;
}
