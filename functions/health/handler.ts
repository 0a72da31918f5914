import { awsClients } from '../commons/awsClients.ts';
import { loadConfig } from '../commons/config.ts';
import { jsonResponse } from '../commons/httpResponse.ts';
import { modelLoaderStatuses } from '../commons/modelLoader.ts';
import { logger } from '../commons/observability.ts';
import { servingHandler } from '../commons/servingHandler.ts';
import { ServingReadiness } from '../commons/servingReadiness.ts';

/** The pointer is read again at most this often (or every refresh interval, when shorter). */
const READINESS_TTL_MS = 5_000;

export interface HealthDependencies {
  /** Tells whether serving has a model (created on first use). */
  readonly readiness: () => Pick<ServingReadiness, 'status'>;
}

/**
 * GET /v1/health — no key needed, so it says only `{status}`: `ok`, or `degraded` (still 200: the
 * service answers) while a serving function has no model to serve. Versions, uptime and loader
 * state are on the keyed GET /v1/model.
 */
export function createHealthHandler(dependencies: HealthDependencies) {
  return servingHandler<void, undefined>({
    functionName: 'Health',
    routes: { 'GET /v1/health': { parse: () => undefined } },
    handle: async () => jsonResponse(200, { status: await dependencies.readiness().status() }),
  });
}

let readiness: Pick<ServingReadiness, 'status'> | undefined;

/** From the function's configuration; without one, nothing can be served: degraded. */
function defaultReadiness(): Pick<ServingReadiness, 'status'> {
  if (!readiness) {
    try {
      const config = loadConfig();
      const ttlMs = Math.min(READINESS_TTL_MS, config.modelRefreshSeconds * 1000);
      readiness = new ServingReadiness({ s3: awsClients(config).s3, bucket: config.bucketName, ttlMs, loaders: modelLoaderStatuses });
    } catch (error) {
      logger.error('health degraded: the function has no usable configuration', { error: error as Error });
      readiness = { status: async () => 'degraded' };
    }
  }
  return readiness;
}

export const handler = createHealthHandler({ readiness: defaultReadiness });
