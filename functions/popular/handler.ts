import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { catalogLoader } from '../commons/catalogLoader.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import type { ServingCatalog } from '../commons/servingCatalog.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import { countParam, genresParam, queryParser } from '../commons/servingRequest.ts';

// Popular runs no graph: it loads the manifest and items.json only, and never imports onnxruntime.
const loader = catalogLoader(loadConfig());

interface PopularInput {
  readonly count: number;
  readonly genres: string[];
}

const parsePopularQuery = queryParser({ genre: genresParam, count: countParam });

/** `?genre=…(repeatable: any of them) &count=1..100 (10)` */
export function parsePopularRequest(event: APIGatewayProxyEvent): PopularInput {
  const query = parsePopularQuery(event);
  return { count: query.count, genres: query.genre };
}

/**
 * GET /v1/popular — the titles with the most interactions in the served model's training data,
 * optionally only those of the given genres (case-insensitive); never padded with other genres.
 */
export const handler = servingHandler<PopularInput, ServingCatalog>({
  functionName: 'Popular',
  loader,
  routes: { 'GET /v1/popular': { parse: parsePopularRequest } },
  handle: (input, catalog) =>
    jsonResponse(200, {
      recommendationId: randomUUID(),
      modelVersion: catalog.version,
      personalized: false,
      items: catalog.popularItems(input.count, catalog.filter({ genres: input.genres }), new Set(), false),
    }),
});
