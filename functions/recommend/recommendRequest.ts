import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { BadRequestError } from '../commons/httpErrors.ts';
import type { RecommendRequest } from '../commons/servingRecommender.ts';
import {
  booleanParam,
  countParam,
  countSchema,
  DEFAULT_COUNT,
  genresParam,
  genresSchema,
  historySchema,
  itemIdSchema,
  itemIdsParam,
  MAX_LIST,
  parseInput,
  queryParser,
  preferencesSchema,
  userIdSchema,
  yearParam,
  yearSchema,
} from '../commons/servingRequest.ts';

/** GET /v1/users/{userId}/recommendations: the request without the history (read from the store). */
export interface UserRecommendInput {
  readonly kind: 'user';
  readonly userId: string;
  readonly request: Omit<RecommendRequest, 'history'>;
}

/** POST /v1/recommendations: everything in the body. */
export interface BodyRecommendInput {
  readonly kind: 'body';
  readonly request: RecommendRequest;
}

export type RecommendInput = UserRecommendInput | BodyRecommendInput;

export const parseUserQuery = queryParser({
  count: countParam,
  genre: genresParam,
  yearFrom: yearParam,
  yearTo: yearParam,
  exclude: itemIdsParam,
  excludeSeen: booleanParam(true),
  explain: booleanParam(false),
});

/**
 * `?count=1..100 (10) &genre=…(repeatable) &yearFrom= &yearTo= &exclude=<itemId>(repeatable)
 *  &excludeSeen=true|false (true) &explain=true|false (false)`
 */
export function parseUserRecommendRequest(event: APIGatewayProxyEvent): UserRecommendInput {
  const userId = parseInput(userIdSchema, event.pathParameters?.userId ?? '', 'path.userId');
  const query = parseUserQuery(event);
  checkYears(query.yearFrom, query.yearTo, 'query.yearTo');
  return {
    kind: 'user',
    userId,
    request: {
      count: query.count,
      filter: { genres: query.genre, yearFrom: query.yearFrom, yearTo: query.yearTo },
      exclude: query.exclude,
      excludeSeen: query.excludeSeen,
      explain: query.explain,
    },
  };
}

const filterSchema = z.strictObject({
  genre: genresSchema,
  yearFrom: yearSchema.optional(),
  yearTo: yearSchema.optional(),
  exclude: z.array(itemIdSchema).max(MAX_LIST, `must hold at most ${MAX_LIST} item ids`).default([]),
  excludeSeen: z.boolean().default(true),
});

export const recommendBodySchema = z.strictObject(
  {
    history: historySchema.default([]),
    preferences: preferencesSchema.optional(),
    count: countSchema.default(DEFAULT_COUNT),
    filter: filterSchema.optional(),
    explain: z.boolean().default(false),
  },
  { error: 'must be a JSON object {history?, preferences?, count?, filter?, explain?}' },
);

/** `{history?, preferences?, count?, filter?: {genre?, yearFrom?, yearTo?, exclude?, excludeSeen?}, explain?}` */
export function parseBodyRecommendRequest(_event: APIGatewayProxyEvent, body: unknown): BodyRecommendInput {
  const parsed = parseInput(recommendBodySchema, body, 'body');
  const filter = parsed.filter;
  checkYears(filter?.yearFrom, filter?.yearTo, 'body.filter.yearTo');
  return {
    kind: 'body',
    request: {
      history: parsed.history,
      preferences: parsed.preferences,
      count: parsed.count,
      filter: { genres: filter?.genre ?? [], yearFrom: filter?.yearFrom, yearTo: filter?.yearTo },
      exclude: filter?.exclude ?? [],
      excludeSeen: filter?.excludeSeen ?? true,
      explain: parsed.explain,
    },
  };
}

export function checkYears(yearFrom: number | undefined, yearTo: number | undefined, field: string): void {
  if (yearFrom !== undefined && yearTo !== undefined && yearFrom > yearTo) {
    throw new BadRequestError(`${field}: must not be before yearFrom (${yearFrom})`, field);
  }
}
