import { availableParallelism } from 'node:os';
import * as z from 'zod';
import type { RecommenderObjective } from '../../model/recommender/hyperParameters.ts';
import { ConfigError } from '../commons/config.ts';

/**
 * Settings of the retrain function, read once from the environment. Only the bucket is required:
 * the function touches no table, so it does not ask for their names (unlike loadConfig).
 */
const positiveInteger = z.coerce.number().int().min(1);
const schema = z.object({
  BUCKET_NAME: z.string().min(3),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  /** Hours an event id is remembered: the event log's duplicate window (as the events function). */
  IDEMPOTENCY_WINDOW_HOURS: positiveInteger.default(24),
  /** A candidate is published only if its gate nDCG@10 ≥ the current model's − this. */
  RETRAIN_GATE_TOLERANCE: z.coerce.number().min(0).max(1).default(0.01),
  /** Fewer positive (user, item) interactions than this: no model is trained. */
  RETRAIN_MIN_INTERACTIONS: positiveInteger.default(1000),
  /** Published versions kept (the current and the previous one are always kept besides). */
  RETRAIN_KEEP_VERSIONS: positiveInteger.default(5),
  /** Gate users evaluated at most (a fixed-seed sample beyond it): evaluation costs users × items × dim per model. */
  RETRAIN_GATE_MAX_USERS: positiveInteger.default(10_000),
  /** Seconds kept free at the end of the run beyond the estimated evaluation, export and publish. */
  RETRAIN_RESERVE_SECONDS: z.coerce.number().min(0).default(60),
  /** Event objects read at once. */
  RETRAIN_READ_CONCURRENCY: positiveInteger.max(256).default(32),
  /** Optional caps on the ranking model: embedding dimension and epochs (trainer defaults otherwise). */
  RETRAIN_DIM: positiveInteger.max(1024).optional(),
  RETRAIN_MAX_EPOCHS: positiveInteger.optional(),
  RETRAIN_SEED: z.coerce.number().int().min(0).default(42),
  /** The ranking model's objective (see chooseObjective for auto). */
  RETRAIN_OBJECTIVE: z.enum(['full', 'sampled', 'auto']).default('auto'),
  /** Training threads; by default one per core of the machine (os.availableParallelism()). */
  RETRAIN_THREADS: positiveInteger.max(64).optional(),
  /** Start training from the served model's parameters where ids and features overlap. */
  RETRAIN_WARM_START: z.enum(['true', 'false']).default('true'),
});

export interface RetrainConfig {
  readonly bucketName: string;
  readonly s3ForcePathStyle: boolean;
  readonly idempotencyWindowSeconds: number;
  readonly gateTolerance: number;
  readonly minInteractions: number;
  readonly keepVersions: number;
  readonly gateMaxUsers: number;
  readonly reserveSeconds: number;
  readonly readConcurrency: number;
  readonly dim?: number;
  readonly maxEpochs?: number;
  readonly seed: number;
  readonly threads: number;
  readonly warmStart: boolean;
  readonly objective: RecommenderObjective;
}

export function loadRetrainConfig(env: NodeJS.ProcessEnv = process.env): RetrainConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`bad retrain configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    bucketName: e.BUCKET_NAME,
    s3ForcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
    idempotencyWindowSeconds: e.IDEMPOTENCY_WINDOW_HOURS * 3_600,
    gateTolerance: e.RETRAIN_GATE_TOLERANCE,
    minInteractions: e.RETRAIN_MIN_INTERACTIONS,
    keepVersions: e.RETRAIN_KEEP_VERSIONS,
    gateMaxUsers: e.RETRAIN_GATE_MAX_USERS,
    reserveSeconds: e.RETRAIN_RESERVE_SECONDS,
    readConcurrency: e.RETRAIN_READ_CONCURRENCY,
    ...(e.RETRAIN_DIM === undefined ? {} : { dim: e.RETRAIN_DIM }),
    ...(e.RETRAIN_MAX_EPOCHS === undefined ? {} : { maxEpochs: e.RETRAIN_MAX_EPOCHS }),
    seed: e.RETRAIN_SEED,
    objective: e.RETRAIN_OBJECTIVE,
    threads: e.RETRAIN_THREADS ?? availableParallelism(),
    warmStart: e.RETRAIN_WARM_START === 'true',
  };
}
