import * as z from 'zod';

/**
 * Every setting of the functions, read once from the environment (which CDK and the local
 * service set alike). Endpoints are not here: the AWS SDK reads AWS_ENDPOINT_URL_S3 and
 * AWS_ENDPOINT_URL_DYNAMODB itself.
 */
const schema = z.object({
  BUCKET_NAME: z.string().min(3),
  HISTORY_TABLE_NAME: z.string().min(3),
  IDEMPOTENCY_TABLE_NAME: z.string().min(3).default('marquee-idempotency'),
  /** Path-style S3 addressing, for local S3-compatible servers. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  /** Seconds between checks of models/current.json by a warm container. */
  MODEL_REFRESH_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Newest interactions kept per user in the history table. */
  HISTORY_LENGTH: z.coerce.number().int().min(1).max(1000).default(200),
  /** Days a user's history lives after its last event. */
  HISTORY_TTL_DAYS: z.coerce.number().int().min(1).default(180),
  /** Hours an event id is remembered for idempotency. */
  IDEMPOTENCY_WINDOW_HOURS: z.coerce.number().int().min(1).default(24),
});

export interface ServiceConfig {
  readonly bucketName: string;
  readonly historyTableName: string;
  readonly idempotencyTableName: string;
  readonly s3ForcePathStyle: boolean;
  readonly modelRefreshSeconds: number;
  readonly historyLength: number;
  readonly historyTtlSeconds: number;
  readonly idempotencyWindowSeconds: number;
}

/** Thrown when the environment lacks a setting or holds a bad one: a deployment error, not a client's. */
export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`bad function configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    bucketName: e.BUCKET_NAME,
    historyTableName: e.HISTORY_TABLE_NAME,
    idempotencyTableName: e.IDEMPOTENCY_TABLE_NAME,
    s3ForcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
    modelRefreshSeconds: e.MODEL_REFRESH_SECONDS,
    historyLength: e.HISTORY_LENGTH,
    historyTtlSeconds: e.HISTORY_TTL_DAYS * 86_400,
    idempotencyWindowSeconds: e.IDEMPOTENCY_WINDOW_HOURS * 3_600,
  };
}
