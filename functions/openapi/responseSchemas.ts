import * as z from 'zod';

/**
 * What every route answers, as zod schemas: the API description's response bodies
 * (openApiDocument.ts) and what the handler and end-to-end tests check real responses against.
 * Objects are loose where the service may add fields; a field the client relies on is required.
 */

/** `{error, message, field?}`: every 4xx and 503 (which also carries `Retry-After`). */
export const errorResponseSchema = z
  .object({
    error: z.string().meta({ description: 'Machine-readable code, e.g. `invalid_request`, `not_found`, `service_unavailable`.' }),
    message: z.string().meta({ description: 'For people; names the field and the rule it breaks.' }),
    field: z
      .string()
      .optional()
      .meta({ description: 'The request field at fault, as a path: `body.events[3].type`, `query.count`, `path.userId`.' }),
  })
  .meta({ id: 'Error' });

const becauseSchema = z.object({ itemId: z.string(), title: z.string().nullable(), contribution: z.number() });

export const responseItemSchema = z
  .looseObject({
    itemId: z.string(),
    score: z.number(),
    title: z.string().nullable(),
    genres: z.array(z.string()),
    year: z.number().int().nullable(),
    predictedRating: z.number().optional().meta({ description: 'Predicted stars, when the model has a rating head.' }),
    because: z.array(becauseSchema).optional().meta({ description: 'With `explain`: the history titles that contributed most.' }),
    reason: z.enum(['popular', 'unknown_item']).optional().meta({ description: 'Why the title is here when the model did not rank it.' }),
  })
  .meta({ id: 'RecommendedItem' });

const ignoredSchema = z
  .object({
    history: z.array(z.string()).optional(),
    preferences: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number()]) })).optional(),
  })
  .meta({ description: 'What the request said that the model could not use: reported, never an error.' });

const servingResult = {
  recommendationId: z.uuid(),
  modelVersion: z.string(),
  personalized: z.boolean(),
  items: z.array(responseItemSchema),
  ignored: ignoredSchema.optional(),
};

export const recommendationsResponseSchema = z
  .looseObject({ ...servingResult, userId: z.string().optional() })
  .meta({ id: 'Recommendations' });

export const similarResponseSchema = z.looseObject({ ...servingResult, itemId: z.string() }).meta({ id: 'SimilarItems' });

export const rankResponseSchema = z
  .looseObject({ ...servingResult, userId: z.string().optional(), unknownItemIds: z.array(z.string()).optional() })
  .meta({ id: 'RankedItems' });

export const popularResponseSchema = z.looseObject(servingResult).meta({ id: 'PopularItems' });

export const eventsResponseSchema = z
  .object({
    accepted: z.number().int().min(0),
    duplicates: z.array(z.string()).meta({ description: 'Event ids already recorded (not counted again).' }),
    batchId: z.string().nullable().meta({ description: 'The S3 batch the events went to; null when all were duplicates.' }),
  })
  .meta({ id: 'EventsAccepted' });

export const catalogItemSchema = z
  .looseObject({
    itemId: z.string(),
    title: z.string(),
    genres: z.array(z.string()),
    cast: z.array(z.string()),
    directors: z.array(z.string()),
    year: z.number().int().optional(),
    tags: z.array(z.string()),
  })
  .meta({ id: 'CatalogItem' });

export const itemsUpsertedResponseSchema = z
  .object({ upserted: z.number().int().min(1), itemIds: z.array(z.string()) })
  .meta({ id: 'ItemsUpserted' });

export const forgetUserResponseSchema = z
  .object({ userId: z.string(), forgottenAt: z.iso.datetime(), history: z.literal('deleted'), events: z.string() })
  .meta({ id: 'UserForgotten' });

export const userHistoryResponseSchema = z
  .object({
    userId: z.string(),
    items: z.array(
      z.object({
        eventId: z.string().nullable(),
        itemId: z.string(),
        type: z.string(),
        value: z.number().nullable(),
        timestamp: z.number().meta({ description: 'Seconds since the epoch.' }),
      }),
    ),
  })
  .meta({ id: 'UserHistory' });

export const modelInfoResponseSchema = z
  .looseObject({
    version: z.string(),
    createdAt: z.string(),
    trainingData: z.looseObject({ snapshot: z.string(), users: z.number().int(), items: z.number().int(), interactions: z.number().int() }),
    metrics: z.record(z.string(), z.unknown()).meta({ description: 'Offline evaluation metrics of the model.' }),
    itemCount: z.number().int(),
    featureCount: z.number().int(),
    uptimeSeconds: z.number().int(),
    loaders: z.array(
      z.looseObject({
        name: z.string(),
        state: z.enum(['loaded', 'loading', 'none']),
        version: z.string().optional(),
        draining: z.number().int(),
        problem: z.looseObject({ kind: z.enum(['no-model', 'rejected', 'failed']) }).optional(),
      }),
    ),
  })
  .meta({ id: 'ModelInfo' });

/** One downloadable file of the served model: a short-lived URL, its size and its sha256. */
const modelFileSchema = z.object({ url: z.string(), bytes: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const modelFilesResponseSchema = z
  .object({
    modelVersion: z.string(),
    expiresAt: z.string().meta({ description: 'When the URLs stop working (ISO 8601).' }),
    files: z.object({ model: modelFileSchema, manifest: modelFileSchema, items: modelFileSchema }),
    chartUrl: z.string().meta({ description: "A short-lived URL of the model's training chart (SVG)." }),
  })
  .meta({ id: 'ModelFiles' });

export const healthResponseSchema = z.object({ status: z.enum(['ok', 'degraded']) }).meta({ id: 'Health' });

/** The OpenAPI document itself (GET /v1/openapi.json): checked by a linter, so only its frame here. */
export const openApiResponseSchema = z
  .looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })
  .meta({ id: 'OpenApiDocument' });
