import { randomUUID } from 'node:crypto';
import { awsClients } from '../commons/awsClients.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { readViewerHistory } from '../commons/readViewerHistory.ts';
import { recommenderLoader } from '../commons/recommenderLoader.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import type { ServingRecommender } from '../commons/servingRecommender.ts';
import { UserHistoryStore } from '../commons/userHistoryStore.ts';
import { historySignals } from '../commons/userSignals.ts';
import { parseRankRequest, type RankInput } from './rankRequest.ts';

const config = loadConfig();
const loader = recommenderLoader('recommend', config);
const histories = new UserHistoryStore(awsClients(config).dynamo, config.historyTableName, {
  maxLength: config.historyLength,
  ttlSeconds: config.historyTtlSeconds,
});

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
    return jsonResponse(200, {
      recommendationId: randomUUID(),
      ...(input.userId !== undefined ? { userId: input.userId } : {}),
      ...result,
    });
  },
});
