import { randomUUID } from 'node:crypto';
import { catalogLoader } from '../commons/catalogLoader.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import type { ServingCatalog } from '../commons/servingCatalog.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import { parsePopularRequest, type PopularInput } from './popularRequest.ts';

// Popular runs no graph: it loads the manifest and items.json only, and never imports onnxruntime.
const loader = catalogLoader(loadConfig());

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
