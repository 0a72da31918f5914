import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliUsageError } from './cliUsageError.ts';

/** The file in the data folder where the running local service records its environment. */
export const ENDPOINTS_FILE = 'endpoints.json';

/** The local service's data folder: MARQUEE_DATA_DIR, else `.marquee/` in the working directory. */
export function serviceDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MARQUEE_DATA_DIR ?? '.marquee');
}

export interface ServiceTarget {
  readonly bucket: string;
  /** For messages: which service the command acts on. */
  readonly where: string;
}

/**
 * Points this process at the service a command acts on, through the variables the SDK and the
 * functions read (AWS_ENDPOINT_URL_S3, credentials, BUCKET_NAME, …):
 * - with `bucket`: a deployed bucket, with the AWS environment as it is (credentials, region and
 *   endpoints the usual AWS ways); BUCKET_NAME is set to it;
 * - otherwise the local service whose data folder is `dataDir` (default serviceDataDir()): its
 *   endpoints.json — the `env` object of infra/local/localAws.ts startLocalAws, as is or under an
 *   `env` key — is loaded into the environment.
 * Throws CliUsageError when there is no local service record.
 */
export async function loadServiceEnvironment(
  options: { readonly bucket?: string; readonly dataDir?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceTarget> {
  if (options.bucket !== undefined) {
    if (options.dataDir !== undefined) throw new CliUsageError('--data-dir is for the local service; leave it out with --bucket');
    if (options.bucket.length < 3) throw new CliUsageError(`--bucket must name a bucket, got ${JSON.stringify(options.bucket)}`);
    env.BUCKET_NAME = options.bucket;
    return { bucket: options.bucket, where: `s3://${options.bucket}` };
  }
  const dir = options.dataDir === undefined ? serviceDataDir(env) : resolve(options.dataDir);
  const file = join(dir, ENDPOINTS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new CliUsageError(
      `no local service found: ${file} does not exist (start it with \`npm start\`, or give --bucket for a deployed bucket)`,
    );
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const values = isObject(record) && isObject(record.env) ? record.env : record;
  if (!isObject(values) || typeof values.BUCKET_NAME !== 'string' || typeof values.AWS_ENDPOINT_URL_S3 !== 'string') {
    throw new CliUsageError(`${file} lacks the S3 endpoint or the bucket of the local service`);
  }
  for (const [key, value] of Object.entries(values)) if (typeof value === 'string') env[key] = value;
  return { bucket: values.BUCKET_NAME, where: `the local service of ${dir} (S3 ${values.AWS_ENDPOINT_URL_S3})` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
