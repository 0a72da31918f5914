import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import type { RankRequest } from '../commons/servingRecommender.ts';
import { historySchema, itemIdSchema, MAX_LIST, parseInput, preferencesSchema, userIdSchema } from '../commons/servingRequest.ts';

/** POST /v1/rank: `{userId?, history?, preferences?, itemIds, explain?}`. */
export const rankBodySchema = z.strictObject(
  {
    userId: userIdSchema.optional(),
    history: historySchema.default([]),
    preferences: preferencesSchema.optional(),
    itemIds: z
      .array(itemIdSchema, { error: 'must be an array of item ids' })
      .min(1, 'must hold at least one item id')
      .max(MAX_LIST, `must hold at most ${MAX_LIST} item ids`),
    explain: z.boolean().default(false),
  },
  { error: 'must be a JSON object {userId?, history?, preferences?, itemIds, explain?}' },
);

export interface RankInput {
  readonly userId?: string;
  readonly request: RankRequest;
}

/** `{userId?, history?, preferences?, itemIds: [1..500 ids], explain?}` */
export function parseRankRequest(_event: APIGatewayProxyEvent, body: unknown): RankInput {
  const parsed = parseInput(rankBodySchema, body, 'body');
  return {
    userId: parsed.userId,
    request: { history: parsed.history, preferences: parsed.preferences, itemIds: parsed.itemIds, explain: parsed.explain },
  };
}
