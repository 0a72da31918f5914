import { randomUUID } from 'node:crypto';
import { loadConfig } from '../commons/config.ts';
import { NotFoundError } from '../commons/httpErrors.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { recommenderLoader } from '../commons/recommenderLoader.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import type { ServingRecommender, SimilarRequest } from '../commons/servingRecommender.ts';
import { parseSimilarRequest } from './similarRequest.ts';

const loader = recommenderLoader('similar', loadConfig());

/**
 * GET /v1/items/{itemId}/similar — "more like this": the titles closest to the item in the model
 * (cosine of item vectors), with the same filters and popular padding as recommendations. Titles
 * added through the catalog API after the model are answered and merged in by their content vector
 * (see NewTitles); 404 when neither the model nor the new titles know the item.
 */
export const handler = servingHandler<SimilarRequest, ServingRecommender>({
  functionName: 'Similar',
  loader,
  routes: { 'GET /v1/items/{itemId}/similar': { parse: parseSimilarRequest } },
  handle: async (request, model) => {
    const result = await model.similar(request);
    if (!result)
      throw new NotFoundError(`item ${request.itemId} is not in model ${model.version} nor among the titles added since`, 'path.itemId');
    return jsonResponse(200, { recommendationId: randomUUID(), itemId: request.itemId, ...result });
  },
});
