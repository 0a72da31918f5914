import { jsonResponse } from '../commons/httpResponse.ts';
import { modelLoaderStatuses } from '../commons/modelLoader.ts';
import { servingHandler } from '../commons/servingHandler.ts';

const startedAt = Date.now();

/**
 * GET /v1/health — liveness: 200 whenever the process can answer, model or not. Where other
 * handlers share the process (the local service), it also lists their model loaders' state.
 */
export const handler = servingHandler<void, undefined>({
  functionName: 'Health',
  routes: { 'GET /v1/health': { parse: () => undefined } },
  handle: () =>
    jsonResponse(200, {
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      models: modelLoaderStatuses(),
    }),
});
