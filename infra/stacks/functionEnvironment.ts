import type { MarqueeConfig } from './marqueeConfig.ts';

/** Powertools' service name and metrics namespace; functions/commons/observability.ts uses the same. */
export const SERVICE_NAME = 'marquee';
export const METRICS_NAMESPACE = 'Marquee';

/**
 * The variables every function gets from the configuration (functions/commons/config.ts reads
 * them; names of the bucket and tables come from MarqueeFunction's bind methods).
 */
export function functionEnvironment(config: MarqueeConfig): Record<string, string> {
  return {
    MODEL_REFRESH_SECONDS: String(config.modelRefreshSeconds),
    HISTORY_LENGTH: String(config.historyLength),
    HISTORY_TTL_DAYS: String(config.historyTtlDays),
    IDEMPOTENCY_WINDOW_HOURS: String(config.idempotencyWindowHours),
    /** For the handlers' Access-Control-Allow-Origin (API Gateway answers only the preflight); absent: CORS off. */
    ...(config.corsAllowOrigins.length > 0 ? { CORS_ALLOW_ORIGINS: config.corsAllowOrigins.join(',') } : {}),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
  };
}
