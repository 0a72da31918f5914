import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import type { ZodType } from 'zod';
import { EVENT_WEIGHTS, PREFERENCE_KEYS } from '../../model/constants.ts';
import type { PreferenceValue } from '../../model/data/features.ts';
import { parseIsoDateTime } from '../../model/data/isoDateTime.ts';
import type { InteractionType } from '../../model/types/interactions.ts';
import { BadRequestError } from './httpErrors.ts';
import { fieldPath } from './httpMiddleware.ts';
import { idParamSchema, idSchema, readId } from './idSchema.ts';
import { textSchema } from './textSchema.ts';
import { historySignals, type HistorySignal } from './userSignals.ts';

/**
 * Input schemas shared by the serving handlers, and parsing that turns any schema failure into a
 * 400 naming the field (`query.count`, `body.history[2].type`, `body.preferences.colour`).
 */

export const MAX_COUNT = 100;
export const DEFAULT_COUNT = 10;
export const MAX_HISTORY = 500;
export const MAX_LIST = 500;
export const MAX_GENRES = 20;
const MAX_TEXT_LENGTH = 200;
const MIN_YEAR = 1800;
const MAX_YEAR = 2200;

// ---------------------------------------------------------------------------------------------
// Values

/** An item id (idSchema: the one rule for ids of every route and the CLI). */
export const itemIdSchema = idSchema;

export const userIdSchema = idSchema;

export const countSchema = z
  .number({ error: `must be an integer from 1 to ${MAX_COUNT}` })
  .int(`must be an integer from 1 to ${MAX_COUNT}`)
  .min(1, `must be an integer from 1 to ${MAX_COUNT}`)
  .max(MAX_COUNT, `must be an integer from 1 to ${MAX_COUNT}`);

export const yearSchema = z
  .number({ error: `must be a year from ${MIN_YEAR} to ${MAX_YEAR}` })
  .int(`must be a year from ${MIN_YEAR} to ${MAX_YEAR}`)
  .min(MIN_YEAR, `must be a year from ${MIN_YEAR} to ${MAX_YEAR}`)
  .max(MAX_YEAR, `must be a year from ${MIN_YEAR} to ${MAX_YEAR}`);

const genreSchema = textSchema(MAX_TEXT_LENGTH);

const INTERACTION_TYPES = Object.keys(EVENT_WEIGHTS) as [InteractionType, ...InteractionType[]];

/** An ISO-8601 date-time of a real calendar instant (parseIsoDateTime), as seconds since the epoch. */
const isoTimestampSchema = z.string().transform((text, ctx): number => {
  const seconds = parseIsoDateTime(text);
  if (seconds !== undefined) return seconds;
  ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time of a real calendar date' });
  return z.NEVER;
});

/** A history entry: an item id (a completed view, weight 1), or `{itemId, type, value?, timestamp?}`. */
export const historyObjectSchema = z
  .strictObject({
    itemId: itemIdSchema,
    type: z.enum(INTERACTION_TYPES, { error: `must be one of ${INTERACTION_TYPES.join(', ')}` }),
    value: z.number().finite().optional(),
    timestamp: z.union([z.number().finite(), isoTimestampSchema]).optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.type === 'rating' && (entry.value === undefined || entry.value < 0.5 || entry.value > 5)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a rating needs a value from 0.5 to 5' });
    }
    if (entry.type === 'watch' && entry.value !== undefined && (entry.value < 0 || entry.value > 1)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a watch value is the watched fraction, from 0 to 1' });
    }
  });

export const historyEntrySchema = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'object' || value === null) {
    // The common case, a bare id, without a nested parse.
    const read = readId(value);
    if ('id' in read) return { itemId: read.id, type: 'complete' as const };
    ctx.addIssue({ code: 'custom', message: read.error });
    return z.NEVER;
  }
  const parsed = historyObjectSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path } as never);
  return z.NEVER;
});

/** A request history (oldest first; by timestamp when every entry has one) as weighted signals. */
export const historySchema = z
  .array(historyEntrySchema, { error: 'must be an array of item ids or {itemId, type, value?} objects' })
  .max(MAX_HISTORY, `must hold at most ${MAX_HISTORY} entries`)
  .transform((entries): HistorySignal[] => {
    const timed = entries.every((entry) => 'timestamp' in entry && entry.timestamp !== undefined);
    const ordered = timed
      ? entries
          .map((entry, order) => ({ entry, order, at: (entry as { timestamp: number }).timestamp }))
          .sort((a, b) => a.at - b.at || a.order - b.order)
          .map(({ entry }) => entry)
      : entries;
    return historySignals(ordered);
  });

const preferenceScalar = z.union([textSchema(MAX_TEXT_LENGTH), z.number().finite()], {
  error: 'must be a string, a number, or an array of them',
});

/**
 * Stated preferences `{genre: 'action', actor: 'John Doe', decade: '1990s'}`: keys are matched
 * case-insensitively against the known preference keys, and an unknown key is an error naming it.
 */
export const preferencesSchema = z
  .record(
    z.string(),
    z.union([preferenceScalar, z.array(preferenceScalar).max(50, 'must hold at most 50 values')], {
      error: 'must be a string, a number, or an array of them',
    }),
  )
  .superRefine((preferences, ctx) => {
    for (const key of Object.keys(preferences)) {
      if (!Object.hasOwn(PREFERENCE_KEYS, key.trim().toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown preference '${key}'; known: ${Object.keys(PREFERENCE_KEYS).join(', ')}`,
        });
      }
    }
  })
  .refine((preferences) => Object.keys(preferences).length <= 20, 'must hold at most 20 preferences')
  .transform((preferences) => preferences as Record<string, PreferenceValue>);

export const genresSchema = z
  .union([genreSchema.transform((genre) => [genre]), z.array(genreSchema).max(MAX_GENRES, `must hold at most ${MAX_GENRES} genres`)], {
    error: 'must be a genre or an array of genres',
  })
  .default([]);

// ---------------------------------------------------------------------------------------------
// Query strings

/** A query parameter's values (repeatable parameters come as several values). */
type QueryValues = readonly string[] | undefined;

/**
 * The value schema of each single-valued query parameter (what `single` wraps), so that the API
 * description (functions/openapi/) states a parameter by the rule that parses it.
 */
export const singleValueSchemas = new WeakMap<ZodType, ZodType>();

/** One value at most; a parameter given twice is an error. */
function single<T extends ZodType<unknown, string | undefined>>(schema: T) {
  const param = z
    .array(z.string())
    .max(1, 'must be given once')
    .optional()
    .transform((values) => values?.[0])
    .pipe(schema);
  singleValueSchemas.set(param, schema);
  return param;
}

const integerText = (message: string) =>
  z
    .string()
    .regex(/^[+-]?\d{1,9}$/, message)
    .transform(Number);

export const countParam = single(integerText(`must be an integer from 1 to ${MAX_COUNT}`).pipe(countSchema).default(DEFAULT_COUNT));

/** `count` from 1 to `max`, default `max`: a count bounded by a setting (the history length) rather than MAX_COUNT. */
export function countUpToParam(max: number) {
  const message = `must be an integer from 1 to ${max}`;
  return single(integerText(message).pipe(z.number().int(message).min(1, message).max(max, message)).default(max));
}

export const yearParam = single(integerText(`must be a year from ${MIN_YEAR} to ${MAX_YEAR}`).pipe(yearSchema).optional());

export function booleanParam(fallback: boolean) {
  return single(
    z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .transform((text) => text === 'true' || text === '1')
      .default(fallback),
  );
}

export const genresParam = z
  .array(genreSchema)
  .max(MAX_GENRES, `must hold at most ${MAX_GENRES} genres`)
  .optional()
  .transform((values) => values ?? []);

export const itemIdsParam = z
  .array(idParamSchema)
  .max(MAX_LIST, `must hold at most ${MAX_LIST} item ids`)
  .optional()
  .transform((values) => values ?? []);

/** Every query parameter with all its values (API Gateway gives both single- and multi-value maps). */
export function queryValues(event: APIGatewayProxyEvent): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [key, values] of Object.entries(multi)) if (values) out[key] = values.slice();
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && out[key] === undefined) out[key] = [value];
  }
  return out;
}

/**
 * A parser of the query string with one schema per parameter (each gets the parameter's values,
 * or undefined); an unknown parameter is a 400 naming it (a typo such as `cout` must not be
 * ignored). Build it once per route, at module load: making a zod object schema costs more than
 * a request's whole parse.
 */
export interface QueryParser<S extends Record<string, ZodType<unknown, QueryValues>>> {
  (event: APIGatewayProxyEvent): { [K in keyof S]: z.output<S[K]> };
  /** The schema of each parameter: what the API description states (functions/openapi/). */
  readonly parameters: S;
}

export function queryParser<S extends Record<string, ZodType<unknown, QueryValues>>>(shape: S): QueryParser<S> {
  const schema = z.object(shape);
  const known = Object.keys(shape).join(', ') || 'none';
  const parse = (event: APIGatewayProxyEvent) => {
    const values = queryValues(event);
    for (const key of Object.keys(values)) {
      if (!Object.hasOwn(shape, key))
        throw new BadRequestError(`unknown query parameter '${key}'; this route takes ${known}`, `query.${key}`);
    }
    return parseInput(schema, values, 'query') as { [K in keyof S]: z.output<S[K]> };
  };
  return Object.assign(parse, { parameters: shape });
}

// ---------------------------------------------------------------------------------------------

/**
 * `schema.parse(value)`, with a failure turned into a 400 whose `field` is the path of the first
 * issue under `root` (`body.history[3].type`); an unknown key names the key itself.
 */
export function parseInput<T extends ZodType>(schema: T, value: unknown, root: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path: PropertyKey[] = [root, ...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path.push(issue.keys[0]);
    message = `unknown field '${issue.keys[0]}'`;
  }
  const field = fieldPath(path);
  throw new BadRequestError(`${field}: ${message}`, field, { cause: parsed.error });
}
