import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { awsClients } from '../commons/awsClients.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { readViewerHistory } from '../commons/readViewerHistory.ts';
import { recommenderLoader } from '../commons/recommenderLoader.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import type { RankRequest, ServingRecommender } from '../commons/servingRecommender.ts';
import { historySchema, itemIdSchema, MAX_LIST, parseInput, preferencesSchema, userIdSchema } from '../commons/servingRequest.ts';
import { UserHistoryStore } from '../commons/userHistoryStore.ts';
import { historySignals } from '../commons/userSignals.ts';

const config = loadConfig();
const loader = recommenderLoader('recommend', config);
const histories = new UserHistoryStore(awsClients(config).dynamo, config.historyTableName, {
  maxLength: config.historyLength,
  ttlSeconds: config.historyTtlSeconds,
});

const bodySchema = z.strictObject(
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

interface RankInput {
  readonly userId?: string;
  readonly request: RankRequest;
}

/** `{userId?, history?, preferences?, itemIds: [1..500 ids], explain?}` */
export function parseRankRequest(_event: APIGatewayProxyEvent, body: unknown): RankInput {
  const parsed = parseInput(bodySchema, body, 'body');
  return {
    userId: parsed.userId,
    request: { history: parsed.history, preferences: parsed.preferences, itemIds: parsed.itemIds, explain: parsed.explain },
  };
}

/**
 * POST /v1/rank — re-ranks the caller's candidates for a user (their stored history), a history,
 * or both (the body's history counts as newer than the stored one), with optional preferences.
 * Candidates the model does not know go last with score 0 and are listed in `unknownItemIds`.
 */
export const handler = servingHandler<RankInput, ServingRecommender>({
  functionName: 'Rank',
  loader,
  routes: { 'POST /v1/rank': { body: true, parse: parseRankRequest } },
  handle: async (input, model) => {
    let request = input.request;
    if (input.userId !== undefined) {
      const stored = historySignals(await readViewerHistory(histories, input.userId));
      request = { ...request, history: [...stored, ...request.history] };
    }
    const result = await model.rank(request);
    return jsonResponse(200, { recommendationId: randomUUID(), ...(input.userId !== undefined ? { userId: input.userId } : {}), ...result });
  },
});
