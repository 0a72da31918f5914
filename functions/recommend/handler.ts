import { randomUUID } from 'node:crypto';
import { awsClients } from '../commons/awsClients.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { readViewerHistory } from '../commons/readViewerHistory.ts';
import { recommenderLoader } from '../commons/recommenderLoader.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import type { RecommendRequest, ServingRecommender } from '../commons/servingRecommender.ts';
import { UserHistoryStore } from '../commons/userHistoryStore.ts';
import { historySignals } from '../commons/userSignals.ts';
import { parseBodyRecommendRequest, parseUserRecommendRequest, type RecommendInput } from './recommendRequest.ts';

const config = loadConfig();
// Module load is the cold start: the model download starts here, beside the rest of the init.
const loader = recommenderLoader('recommend', config);
const histories = new UserHistoryStore(awsClients(config).dynamo, config.historyTableName, {
  maxLength: config.historyLength,
  ttlSeconds: config.historyTtlSeconds,
});

/**
 * GET /v1/users/{userId}/recommendations — top-k from the user's recent history (the history
 * store); an unknown user or one without usable history gets popular titles (`personalized: false`).
 * POST /v1/recommendations — top-k from the history and preferences in the body.
 */
export const handler = servingHandler<RecommendInput, ServingRecommender>({
  functionName: 'Recommend',
  loader,
  routes: {
    'GET /v1/users/{userId}/recommendations': { parse: parseUserRecommendRequest },
    'POST /v1/recommendations': { body: true, parse: parseBodyRecommendRequest },
  },
  handle: async (input, model) => {
    let request: RecommendRequest;
    if (input.kind === 'user') {
      request = { ...input.request, history: historySignals(await readViewerHistory(histories, input.userId)) };
    } else {
      request = input.request;
    }
    const result = await model.recommend(request);
    return jsonResponse(200, {
      recommendationId: randomUUID(),
      ...(input.kind === 'user' ? { userId: input.userId } : {}),
      ...result,
    });
  },
});
