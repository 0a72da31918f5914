import { manifestLoader } from '../commons/catalogLoader.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { modelLoaderStatuses } from '../commons/modelLoader.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import { queryParser } from '../commons/servingRequest.ts';
import type { ModelManifest } from '../../model/onnx/manifest.ts';

// ModelInfo reads the manifest alone: no graph, no items.json.
const loader = manifestLoader(loadConfig());
// GET /v1/model takes no query parameters: any is a 400 naming it.
const parseNoQuery = queryParser({});
const startedAt = Date.now();

/**
 * GET /v1/model (keyed) — the served model: version, creation (training) time, training data,
 * offline metrics, sizes; and this container's uptime and model loaders (the version each
 * serves, and why the pointer's version is not served, if it is not).
 */
export const handler = servingHandler<void, ModelManifest>({
  functionName: 'ModelInfo',
  loader,
  routes: { 'GET /v1/model': { parse: (event) => void parseNoQuery(event) } },
  handle: (_input, manifest) =>
    jsonResponse(200, {
      version: manifest.version,
      createdAt: manifest.createdAt,
      trainingData: manifest.trainingData,
      metrics: manifest.metrics,
      itemCount: manifest.itemIds.length,
      featureCount: manifest.vocabulary.length,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      loaders: modelLoaderStatuses(),
    }),
});
