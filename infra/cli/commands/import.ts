import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliUsageError } from '../cliUsageError.ts';
import { type CommandSpec, SHARED_OPTIONS } from '../commandSpec.ts';
import { parseOptions } from '../parseOptions.ts';
import { serviceDataDir } from '../serviceEnvironment.ts';

export const IMPORT_COMMAND = {
  name: 'import',
  usage: 'marquee import --movielens <folder> [--data-dir <dir> | --bucket <name> --table <name>] [--force] [--json]',
  summary:
    'Loads MovieLens 100K (u.data + u.item) or a CSV release such as ml-latest-small (ratings.csv + movies.csv) into the local service (or a deployed one): titles into the catalog, ratings into the event log, the history rebuilt.',
  options: {
    movielens: { type: 'string', value: '<folder>', description: 'the MovieLens folder (required)', example: '../shared/datasets/ml-100k' },
    'data-dir': SHARED_OPTIONS.dataDir,
    bucket: SHARED_OPTIONS.bucket,
    table: SHARED_OPTIONS.table,
    force: { type: 'boolean', default: false, description: 'import ratings already imported into this data folder again' },
    json: SHARED_OPTIONS.json,
  },
  examples: ['npx marquee import --movielens ../shared/datasets/ml-100k && npx marquee retrain'],
} as const satisfies CommandSpec;

/** In the data folder: the MovieLens files already imported there (by the sha256 of their ratings). */
const IMPORTS_FILE = 'imports.json';

/**
 * `marquee import --movielens <folder>`: loads MovieLens 100K (`u.data` + `u.item`) or a CSV
 * release such as ml-latest-small (`ratings.csv` + `movies.csv`) into the local service of the
 * data folder — titles into the catalog, ratings into the event log, the history table rebuilt
 * (infra/local/movieLensImport.ts) — so that `marquee retrain` trains on real data. With
 * --bucket and --table it loads a deployed service's bucket and history table instead (AWS
 * credentials and region the usual ways). The same ratings are not imported twice into one data
 * folder unless --force.
 */
export async function importCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions(args, IMPORT_COMMAND.options);
  if (!values.movielens)
    throw new CliUsageError('--movielens <folder> is required (the folder of u.data + u.item, or ratings.csv + movies.csv)');
  const aws = values.bucket !== undefined || values.table !== undefined;
  if (aws && (!values.bucket || !values.table)) throw new CliUsageError('--bucket and --table go together (a deployed service)');
  if (aws && values['data-dir'] !== undefined)
    throw new CliUsageError('--data-dir is for the local service; leave it out with --bucket and --table');
  const json = values.json === true;

  const [
    { findMovieLensFiles, importMovieLens, MovieLensImportError },
    { loadConfig },
    { UserHistoryStore },
    { S3Client },
    { DynamoDBClient },
    { DynamoDBDocumentClient },
    { StatusLine },
  ] = await Promise.all([
    import('../../local/movieLensImport.ts'),
    import('../../../functions/commons/config.ts'),
    import('../../../functions/commons/userHistoryStore.ts'),
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('../../local/statusLine.ts'),
  ]);
  let files: Awaited<ReturnType<typeof findMovieLensFiles>>;
  try {
    files = await findMovieLensFiles(resolve(values.movielens));
  } catch (error) {
    if (error instanceof MovieLensImportError) throw new CliUsageError(error.message, { cause: error });
    throw error;
  }
  const ratingsHash = createHash('sha256')
    .update(await readFile(files.ratings))
    .digest('hex');

  const dataDir = aws ? undefined : resolve(values['data-dir'] ?? serviceDataDir());
  let env: Record<string, string | undefined>;
  let where: string;
  let close = async (): Promise<void> => undefined;
  if (dataDir) {
    const imported = await readImports(dataDir);
    const previous = imported.find((entry) => entry.ratingsSha256 === ratingsHash);
    if (previous && values.force !== true) {
      process.stderr.write(
        `marquee import: ${files.ratings} was imported into ${dataDir} on ${previous.importedAt}; --force imports it again\n`,
      );
      return 1;
    }
    const { openLocalStores } = await import('../../local/localStores.ts');
    const stores = await openLocalStores(dataDir);
    env = { ...stores.env };
    where = `the local service of ${dataDir}${stores.origin === 'service' ? ' (running)' : ''}`;
    close = stores.close;
  } else {
    env = { ...process.env, BUCKET_NAME: values.bucket, HISTORY_TABLE_NAME: values.table };
    where = `s3://${values.bucket} and table ${values.table}`;
  }

  const config = loadConfig(env as NodeJS.ProcessEnv);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const credentials =
    dataDir && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : undefined;
  const common = { ...(region ? { region } : {}), ...(credentials ? { credentials } : {}) };
  const s3 = new S3Client({
    ...common,
    ...(dataDir ? { endpoint: env.AWS_ENDPOINT_URL_S3 } : {}),
    forcePathStyle: config.s3ForcePathStyle,
  });
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...common, ...(dataDir ? { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB } : {}) }),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  const status = new StatusLine(process.stderr, !json && process.stderr.isTTY === true);
  const labels = { catalog: 'titles', events: 'ratings', history: 'user histories' } as const;
  try {
    const started = performance.now();
    const report = await importMovieLens({
      files,
      s3,
      bucket: config.bucketName,
      history: new UserHistoryStore(dynamo, config.historyTableName, {
        maxLength: config.historyLength,
        ttlSeconds: config.historyTtlSeconds,
      }),
      historyLength: config.historyLength,
      historyTtlSeconds: config.historyTtlSeconds,
      onProgress: (step, done, total) => status.bar(labels[step].padEnd(14), done, total),
    });
    status.clear();
    if (dataDir)
      await writeImports(dataDir, [
        ...(await readImports(dataDir)),
        { ratings: files.ratings, ratingsSha256: ratingsHash, importedAt: new Date().toISOString() },
      ]);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      json
        ? `${JSON.stringify({ ...report, seconds })}\n`
        : [
            `imported ${files.layout === 'ml-100k' ? 'MovieLens 100K' : 'MovieLens (CSV)'} into ${where} in ${seconds.toFixed(1)} s`,
            `  catalog     ${report.titles} titles`,
            `  events      ${report.events} ratings of ${report.users} users in ${report.eventObjects} objects under events/`,
            `  histories   ${report.history.usersRestored} users restored, ${report.history.usersUpToDate} up to date${report.history.usersFailed ? `, ${report.history.usersFailed} FAILED (${report.history.firstError})` : ''}`,
            `next: npx marquee retrain${dataDir && values['data-dir'] ? ` --data-dir ${values['data-dir']}` : ''}   (then recommendations for MovieLens users, e.g. /v1/users/1/recommendations)`,
            '',
          ].join('\n'),
    );
    return report.history.usersFailed > 0 ? 1 : 0;
  } catch (error) {
    status.clear();
    if (error instanceof MovieLensImportError) {
      // Malformed input (an id or title the API would refuse): nothing was stored.
      process.stderr.write(`marquee import: ${error.message}\n`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code === 'ECONNREFUSED') {
      process.stderr.write(`marquee import: cannot reach ${where}: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  } finally {
    s3.destroy();
    dynamo.destroy();
    await close();
  }
}

interface ImportRecord {
  readonly ratings: string;
  readonly ratingsSha256: string;
  readonly importedAt: string;
}

async function readImports(dataDir: string): Promise<ImportRecord[]> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, IMPORTS_FILE), 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as ImportRecord[]) : [];
  } catch {
    return [];
  }
}

async function writeImports(dataDir: string, records: readonly ImportRecord[]): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, IMPORTS_FILE), `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
}
