import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RebuildReport } from '../../../functions/commons/historyRebuild.ts';
import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { optionalNumber, parseOptions } from '../parseOptions.ts';

export const HISTORY_COMMAND = {
  name: 'history',
  usage:
    'marquee history rebuild [--data-dir <dir>] [--bucket <name> --table <name>] [--history-length N] [--ttl-days N] [--window-hours N] [--json]',
  summary:
    "rebuild: restores the viewers' history table from the event log in S3 (newest entries per viewer, forgotten events left out), after DynamoDB writes were lost.",
  options: {
    'data-dir': SHARED_OPTIONS.dataDir,
    bucket: SHARED_OPTIONS.bucket,
    table: SHARED_OPTIONS.table,
    'history-length': {
      type: 'string',
      value: 'N',
      description: 'newest entries kept per viewer',
      defaultText: 'HISTORY_LENGTH, else 200',
      example: '100',
    },
    'ttl-days': {
      type: 'string',
      value: 'N',
      description: 'days an entry lives in the table',
      defaultText: 'HISTORY_TTL_DAYS, else 180',
      example: '30',
    },
    'window-hours': {
      type: 'string',
      value: 'N',
      description: 'hours of event ids remembered for idempotency',
      defaultText: 'IDEMPOTENCY_WINDOW_HOURS, else 24',
      example: '48',
    },
    json: SHARED_OPTIONS.json,
  },
  examples: ['npx marquee history rebuild', 'npx marquee history rebuild --bucket my-bucket --table my-history-table --json'],
} as const satisfies CommandSpec;

/** The file in the data folder where the running local service records its endpoints: the `env` of startLocalAws, as is or as `{"env": {…}}`. */
export const LOCAL_ENDPOINTS_FILE = 'endpoints.json';

/** The local service's data folder: MARQUEE_DATA_DIR, else `.marquee/` in the working directory. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MARQUEE_DATA_DIR ?? '.marquee');
}

interface Target {
  readonly where: string;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
  readonly bucket: string;
  readonly table: string;
  /** The environment the settings (history length, TTL, window) are read from. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * `marquee history rebuild`: restores the user-history table from the event log in S3 (every
 * events/ object; the newest HISTORY_LENGTH entries per user; tombstoned users skipped), after
 * DynamoDB writes were lost. Acts on the local service of the data folder (its endpoints.json), or
 * on AWS with --bucket and --table and the usual AWS credentials and region.
 */
export async function historyCommand(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'rebuild') throw new CliUsageError(action === undefined ? 'which action? (rebuild)' : `unknown action ${action}`);
  const values = parseOptions(rest, HISTORY_COMMAND.options);
  // The AWS SDK and the stores load only when this command runs, not with every CLI command.
  const [{ loadConfig }, { rebuildHistory }, { UserHistoryStore }] = await Promise.all([
    import('../../../functions/commons/config.ts'),
    import('../../../functions/commons/historyRebuild.ts'),
    import('../../../functions/commons/userHistoryStore.ts'),
  ]);
  const target = await resolveTarget(values.bucket, values.table, values['data-dir']);
  const config = loadConfig({ ...target.env, BUCKET_NAME: target.bucket, HISTORY_TABLE_NAME: target.table });
  const maxLength = positiveInteger(optionalNumber(values, 'history-length'), 'history-length') ?? config.historyLength;
  const ttlDays = positiveInteger(optionalNumber(values, 'ttl-days'), 'ttl-days');
  const windowHours = positiveInteger(optionalNumber(values, 'window-hours'), 'window-hours');
  const ttlSeconds = ttlDays === undefined ? config.historyTtlSeconds : ttlDays * 86_400;
  const windowSeconds = windowHours === undefined ? config.idempotencyWindowSeconds : windowHours * 3_600;
  const json = values.json === true;
  const progress = !json && process.stderr.isTTY === true;

  let report: RebuildReport;
  try {
    report = await rebuildHistory({
      s3: target.s3,
      bucket: target.bucket,
      history: new UserHistoryStore(target.dynamo, target.table, { maxLength, ttlSeconds }),
      maxLength,
      ttlSeconds,
      windowSeconds,
      onProgress: progress
        ? (done, total) => void (done % 500 === 0 || done === total ? process.stderr.write(`\rusers ${done}/${total}`) : 0)
        : undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code === 'ECONNREFUSED') {
      process.stderr.write(`marquee history: cannot reach ${target.where} (${(error as Error).message}); is the service running?\n`);
      return 1;
    }
    throw error;
  } finally {
    target.s3.destroy();
    target.dynamo.destroy();
  }
  if (progress) process.stderr.write('\n');
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : summary(report, target.where));
  return report.usersFailed > 0 ? 1 : 0;
}

async function resolveTarget(bucket: string | undefined, table: string | undefined, dataDir: string | undefined): Promise<Target> {
  const [{ DynamoDBClient }, { S3Client }, { DynamoDBDocumentClient }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/lib-dynamodb'),
  ]);
  if (bucket !== undefined || table !== undefined) {
    if (!bucket || !table) throw new CliUsageError('--bucket and --table go together (AWS mode)');
    if (dataDir !== undefined) throw new CliUsageError('--data-dir is for the local service; leave it out with --bucket and --table');
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    return {
      where: `s3://${bucket} and table ${table}`,
      s3: new S3Client({ ...(region ? { region } : {}), forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }),
      dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(region ? { region } : {}), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      bucket,
      table,
      env: process.env,
    };
  }
  const dir = dataDir === undefined ? defaultDataDir() : resolve(dataDir);
  const file = join(dir, LOCAL_ENDPOINTS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new CliUsageError(
      `no local service found: ${file} does not exist (start it with \`npm start\`, or give --bucket and --table for AWS)`,
    );
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  // The `env` of startLocalAws, under an `env` key or as is.
  const outer = record as { env?: unknown } | null;
  const env = (typeof outer?.env === 'object' && outer.env !== null ? outer.env : record) as Record<string, string> | null;
  const s3Endpoint = env?.AWS_ENDPOINT_URL_S3;
  const dynamoEndpoint = env?.AWS_ENDPOINT_URL_DYNAMODB;
  if (!env || !s3Endpoint || !dynamoEndpoint || !env.BUCKET_NAME || !env.HISTORY_TABLE_NAME) {
    throw new CliUsageError(`${file} lacks the endpoints, bucket or table of the local service`);
  }
  const region = env.AWS_REGION ?? 'us-east-1';
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : undefined;
  return {
    where: `the local service of ${dir} (S3 ${s3Endpoint}, DynamoDB ${dynamoEndpoint})`,
    s3: new S3Client({ region, endpoint: s3Endpoint, forcePathStyle: env.S3_FORCE_PATH_STYLE !== 'false', credentials, maxAttempts: 2 }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint: dynamoEndpoint, credentials, maxAttempts: 2 }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    bucket: env.BUCKET_NAME,
    table: env.HISTORY_TABLE_NAME,
    env: { ...process.env, ...env },
  };
}

function positiveInteger(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1))
    throw new CliUsageError(`--${name} must be a positive integer, got ${value}`);
  return value;
}

function summary(report: RebuildReport, where: string): string {
  const { log } = report;
  return [
    `history rebuilt on ${where}`,
    `  event log   ${log.objects} objects, ${log.events} events (${log.duplicates} duplicate, ${log.invalidLines} malformed, ${log.tombstoned} of forgotten users skipped)`,
    `  users       ${report.users}: ${report.usersRestored} restored (${report.entriesRestored} entries), ${report.usersUpToDate} up to date, ${report.usersExpired} past the TTL`,
    `  forgotten   ${report.tombstonedUsers} users kept out`,
    ...(report.usersFailed > 0 ? [`  FAILED      ${report.usersFailed} users (first: ${report.firstError})`] : []),
    '',
  ].join('\n');
}
