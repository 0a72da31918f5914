import type { Node } from 'constructs';
import * as z from 'zod';

/**
 * Every deployment setting, read from CDK context (`cdk.json` or `cdk deploy -c key=value`).
 * Values given with `-c` arrive as strings, so numbers are coerced. Defaults live here only.
 */
const retentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const memoryMb = z.coerce.number().int().min(128).max(10_240);

const schema = z.object({
  /** Deployment name: part of every stack name and the API stage, so stages live side by side. */
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'lowercase letters, digits and dashes, starting with a letter, at most 20')
    .default('dev'),
  /** Lambda architecture; onnxruntime's binary for it is the only one shipped. */
  architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
  /** EventBridge schedule expression of the retrain run. */
  retrainSchedule: z
    .string()
    .regex(
      /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/,
      'an EventBridge expression such as "rate(1 day)" or "cron(0 3 * * ? *)"',
    )
    .default('rate(1 day)'),
  /** Functions that run the ONNX model (Recommend, Similar, Rank). */
  servingMemoryMb: memoryMb.default(1024),
  /** The other API functions. */
  functionMemoryMb: memoryMb.default(512),
  /** 3008 MB is the most a new account may use until its quota is raised; up to 10240. */
  retrainMemoryMb: memoryMb.default(3008),
  retrainTimeoutMinutes: z.coerce.number().int().min(1).max(15).default(15),
  /**
   * Where the scheduled retrain runs: `lambda` (the retrain function, up to 15 minutes and 10 GB)
   * or `fargate` (the same trainer as an ECS Fargate task, for data past one Lambda; its image is
   * built by `cdk deploy`, which then needs Docker).
   */
  trainingCompute: z.enum(['lambda', 'fargate']).default('lambda'),
  /** The Fargate retrain task's vCPU (in 1024ths) and memory; the trainer uses one thread per vCPU. */
  retrainTaskCpu: z.coerce
    .number()
    .int()
    .refine((cpu) => [1024, 2048, 4096, 8192, 16384].includes(cpu), 'one of 1024, 2048, 4096, 8192, 16384')
    .default(4096),
  retrainTaskMemoryMb: z.coerce.number().int().min(2048).max(122_880).default(16_384),
  /** The Fargate retrain task's time budget (a Lambda's is its timeout). */
  retrainTaskBudgetMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(120),
  /** Days CloudWatch keeps function and API access logs. */
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine((days) => (retentionDays as readonly number[]).includes(days), `one of ${retentionDays.join(', ')}`)
    .default(30),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** Days a replaced or deleted object version is kept in the bucket. */
  noncurrentVersionDays: z.coerce.number().int().min(1).default(30),
  /** Seconds between a warm serving container's checks of models/current.json. */
  modelRefreshSeconds: z.coerce.number().int().min(0).default(60),
  historyLength: z.coerce.number().int().min(1).max(1000).default(200),
  historyTtlDays: z.coerce.number().int().min(1).default(180),
  idempotencyWindowHours: z.coerce.number().int().min(1).default(24),
  /** Usage plan (per API key): steady requests/second, burst, and requests per day. */
  throttleRatePerSecond: z.coerce.number().positive().default(100),
  throttleBurst: z.coerce.number().int().positive().default(200),
  quotaPerDay: z.coerce.number().int().positive().default(1_000_000),
  /**
   * Origins browsers may call the API from (CORS); none by default, so CORS is off: the API is
   * for client backends holding a key. A comma-separated string from the command line; `*` only
   * when named.
   */
  corsAllowOrigins: z
    .union([z.array(z.string()), z.string().transform((origins) => origins.split(','))])
    .transform((origins) => origins.map((origin) => origin.trim()).filter((origin) => origin.length > 0))
    .pipe(z.array(z.string().regex(/^(\*|https?:\/\/[^/\s*]+)$/, 'each origin is * or scheme://host[:port], without a path')))
    .default([]),
  /**
   * Deploys GET /v1/model/files: presigned URLs of the served model's files, for inference on the
   * device. Off by default in the cloud (the model is then downloadable by any key holder); on
   * locally (infra/local/localDefaults.ts).
   */
  modelDownloads: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).default(false),
  /** The p99 API latency above which the latency alarm fires. */
  latencyAlarmMs: z.coerce.number().int().positive().default(1000),
  /** Where alarms are sent, if anywhere (an SNS e-mail subscription the owner confirms). */
  alarmEmail: z.email().optional(),
});

export type MarqueeConfig = z.output<typeof schema>;

/** The context keys, for documentation and error messages. */
export const CONFIG_KEYS = Object.keys(schema.shape) as readonly (keyof MarqueeConfig)[];

/** Thrown when a context value is missing its shape: a deployment error, reported with every bad key. */
export class MarqueeConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MarqueeConfigError';
  }
}

/** Parses already-collected values (tests, tools). */
export function parseMarqueeConfig(values: Readonly<Record<string, unknown>>): MarqueeConfig {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new MarqueeConfigError(`bad CDK context: ${problems}`);
  }
  return parsed.data;
}

/** The configuration from a construct tree's context. */
export function readMarqueeConfig(node: Node): MarqueeConfig {
  const values: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value !== undefined && value !== '') values[key] = value;
  }
  return parseMarqueeConfig(values);
}
