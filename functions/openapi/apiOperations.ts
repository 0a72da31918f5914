import type { ZodType } from 'zod';
import { idParamSchema } from '../commons/idSchema.ts';
import type { QueryParser } from '../commons/servingRequest.ts';
import { eventsBodySchema } from '../events/eventsSchema.ts';
import { postItemsRequestSchema, putItemRequestSchema } from '../items/itemSchema.ts';
import { parsePopularQuery } from '../popular/popularRequest.ts';
import { rankBodySchema } from '../rank/rankRequest.ts';
import { parseUserQuery, recommendBodySchema } from '../recommend/recommendRequest.ts';
import { parseSimilarQuery } from '../similar/similarRequest.ts';
import { parseHistoryQuery } from '../userHistory/userHistoryRequest.ts';
import * as responses from './responseSchemas.ts';

/**
 * What the API description says of each route beyond functions/routes.ts: the schemas that parse
 * its input (the handlers' own) and the schema of its answer (responseSchemas.ts).
 */
export interface ApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly tag: 'recommendations' | 'events' | 'catalog' | 'users' | 'service';
  /** Path parameters, by name: each an id (idSchema.ts). */
  readonly pathParameters?: Readonly<Record<string, ZodType>>;
  readonly query?: QueryParser<Record<string, ZodType<unknown, readonly string[] | undefined>>>;
  readonly body?: ZodType;
  /** An example request body. */
  readonly bodyExample?: unknown;
  readonly success: { readonly status: 200 | 201 | 202; readonly schema: ZodType; readonly also?: 200 | 201 };
  /** Whether the route can answer 404 (an unknown item). */
  readonly notFound?: boolean;
}

/** The brief's request: an anonymous viewer's short history and stated preferences. */
export const BRIEF_EXAMPLE = { history: [1, 2, 3, 4, 5], preferences: { genre: 'action', actor: 'John Doe' } } as const;

/** Keyed `METHOD path` as in functions/routes.ts; a test fails when a route lacks one. */
export const API_OPERATIONS: Readonly<Record<string, ApiOperation>> = {
  'GET /v1/users/{userId}/recommendations': {
    operationId: 'recommendForUser',
    summary: 'Top-k titles for a known viewer, from their stored history',
    tag: 'recommendations',
    pathParameters: { userId: idParamSchema },
    query: parseUserQuery,
    success: { status: 200, schema: responses.recommendationsResponseSchema },
  },
  'POST /v1/recommendations': {
    operationId: 'recommendForHistory',
    summary: 'Top-k titles for a history and preferences sent in the body',
    tag: 'recommendations',
    body: recommendBodySchema,
    bodyExample: BRIEF_EXAMPLE,
    success: { status: 200, schema: responses.recommendationsResponseSchema },
  },
  'GET /v1/items/{itemId}/similar': {
    operationId: 'similarItems',
    summary: 'Titles like this one',
    tag: 'recommendations',
    pathParameters: { itemId: idParamSchema },
    query: parseSimilarQuery,
    success: { status: 200, schema: responses.similarResponseSchema },
    notFound: true,
  },
  'POST /v1/rank': {
    operationId: 'rank',
    summary: "Re-rank the caller's candidates for a viewer or a history",
    tag: 'recommendations',
    body: rankBodySchema,
    bodyExample: { ...BRIEF_EXAMPLE, itemIds: [10, 20, 30] },
    success: { status: 200, schema: responses.rankResponseSchema },
  },
  'GET /v1/popular': {
    operationId: 'popular',
    summary: 'The most watched titles, optionally of some genres',
    tag: 'recommendations',
    query: parsePopularQuery,
    success: { status: 200, schema: responses.popularResponseSchema },
  },
  'POST /v1/events': {
    operationId: 'postEvents',
    summary: 'Record interactions (1–100), idempotent by eventId',
    tag: 'events',
    body: eventsBodySchema,
    bodyExample: { events: [{ eventId: 'e-1', userId: 'u-1', itemId: 42, type: 'rating', value: 4.5, timestamp: '2026-01-01T12:00:00Z' }] },
    success: { status: 202, schema: responses.eventsResponseSchema },
  },
  'PUT /v1/items/{itemId}': {
    operationId: 'putItem',
    summary: 'Create or replace a title (recommendable at once through its features)',
    tag: 'catalog',
    pathParameters: { itemId: idParamSchema },
    body: putItemRequestSchema.shape.body,
    bodyExample: {
      title: 'The Matrix',
      genres: ['Action', 'Sci-Fi'],
      year: 1999,
      people: { cast: ['Keanu Reeves'], directors: ['Lana Wachowski'] },
    },
    success: { status: 201, also: 200, schema: responses.catalogItemSchema },
  },
  'GET /v1/items/{itemId}': {
    operationId: 'getItem',
    summary: "A title's catalog entry",
    tag: 'catalog',
    pathParameters: { itemId: idParamSchema },
    success: { status: 200, schema: responses.catalogItemSchema },
    notFound: true,
  },
  'POST /v1/items': {
    operationId: 'putItems',
    summary: 'Create or replace up to 100 titles',
    tag: 'catalog',
    body: postItemsRequestSchema.shape.body,
    bodyExample: { items: [{ itemId: 'tt0133093', title: 'The Matrix', genres: ['Action'], year: 1999 }] },
    success: { status: 200, schema: responses.itemsUpsertedResponseSchema },
  },
  'DELETE /v1/users/{userId}': {
    operationId: 'forgetUser',
    summary: 'Forget a viewer: history deleted at once, events out of every later model',
    tag: 'users',
    pathParameters: { userId: idParamSchema },
    success: { status: 202, schema: responses.forgetUserResponseSchema },
  },
  'GET /v1/users/{userId}/history': {
    operationId: 'userHistory',
    summary: 'The recent history serving uses for a viewer, newest first',
    tag: 'users',
    pathParameters: { userId: idParamSchema },
    query: parseHistoryQuery,
    success: { status: 200, schema: responses.userHistoryResponseSchema },
  },
  'GET /v1/model': {
    operationId: 'modelInfo',
    summary: "The served model's version, training data and metrics",
    tag: 'service',
    success: { status: 200, schema: responses.modelInfoResponseSchema },
  },
  'GET /v1/model/files': {
    operationId: 'modelFiles',
    summary: "Short-lived download URLs, sizes and sha256 of the served model's files, for inference on the device",
    tag: 'service',
    success: { status: 200, schema: responses.modelFilesResponseSchema },
  },
  'GET /v1/health': {
    operationId: 'health',
    summary: 'Liveness: ok, or degraded while there is no model to serve',
    tag: 'service',
    success: { status: 200, schema: responses.healthResponseSchema },
  },
  'GET /v1/openapi.json': {
    operationId: 'openApi',
    summary: 'This document',
    tag: 'service',
    success: { status: 200, schema: responses.openApiResponseSchema },
  },
};
