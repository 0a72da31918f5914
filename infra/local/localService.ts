import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CATALOG_ITEMS_PREFIX, CURRENT_MODEL_KEY, EVENTS_PREFIX } from '../../functions/commons/storageLayout.ts';
import type { RetrainReport } from '../../functions/retrain/retrainReport.ts';
import { resolveApiKey, type ApiKey } from './apiKey.ts';
import { ApiRouter } from './apiRouter.ts';
import { seedDemo, type DemoSeedOptions } from './demoSeed.ts';
import { processAlive, readEndpoints, removeEndpoints, writeEndpoints } from './endpointsFile.ts';
import { functionEnvironment, sharedEnvironment } from './functionEnvironment.ts';
import { loadFunction, type LoadedFunction } from './inProcessFunctions.ts';
import { LocalApi, type AccessLogEntry } from './localApi.ts';
import { allowPlaygroundOrigin } from './allowPlaygroundOrigin.ts';
import { playgroundPages } from './playgroundPages.ts';
import { DEFAULT_PORT, LOCAL_CONTEXT_DEFAULTS, PROJECT_ROOT, TEMPLATE_CACHE_FILE } from './localDefaults.ts';
import { startLocalAws } from './localAws.ts';
import { LocalHttpServer } from './localHttpServer.ts';
import { runRetrainFunction, type RetrainProgress } from './retrainRunner.ts';
import { RetrainSchedule } from './retrainSchedule.ts';
import { readServiceDefinition, type ServiceDefinition, type TemplateFunction } from './serviceDefinition.ts';
import { loadServiceTemplates } from './serviceTemplates.ts';
import { StatusLine } from './statusLine.ts';
import { makeDataDir } from './dataDir.ts';
import { accessLine } from './accessLine.ts';

/** The file in the data folder recording the demo seeding (its options, and whether it finished). */
const SEED_FILE = 'demo-seed.json';

export interface LocalServiceOptions {
  /** Where s3/, dynamodb/, api-key and endpoints.json live. */
  readonly dataDir: string;
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Context over cdk.json's and LOCAL_CONTEXT_DEFAULTS (`-c key=value`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Variables over every function's environment (`--env NAME=VALUE`). */
  readonly env?: Readonly<Record<string, string>>;
  /** The demo loaded into an empty store; false: start empty. Default seed 7, the generator's sizes. */
  readonly demo?: DemoSeedOptions | false;
  /** Run the retrain function every this many milliseconds (off when absent). */
  readonly retrainEveryMs?: number;
  /** The process environment (MARQUEE_API_KEY). */
  readonly processEnv?: NodeJS.ProcessEnv;
  readonly projectRoot?: string;
  /** Lines for the person running it. Default: stdout. */
  readonly log?: (line: string) => void;
  /** Progress (a bar on a terminal). */
  readonly status?: StatusLine;
  /** Powertools log level of the API's functions, over the template's (default WARN; the Retrain function logs as the template says). */
  readonly functionLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** One line per request (default: printed through `log`); null: none. */
  readonly accessLog?: ((entry: AccessLogEntry) => void) | null;
  /** Aborting stops the start where it is (a seeding batch or the first training), closing what it opened. */
  readonly signal?: AbortSignal;
}

export interface LocalService {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly apiKey: ApiKey;
  /** The stores' environment (endpoints.json's `env`). */
  readonly storesEnv: Readonly<Record<string, string>>;
  readonly definition: ServiceDefinition;
  /** What the start did on the way. */
  readonly startup: StartupReport;
  /** One retrain run now, as the schedule runs it. */
  retrain(): Promise<RetrainReport>;
  /** Stops cleanly: requests in flight answered, a running retrain aborted, servers closed. */
  stop(): Promise<void>;
}

export interface StartupReport {
  readonly templateCached: boolean;
  readonly seeded?: { readonly items: number; readonly users: number; readonly events: number; readonly seconds: number };
  readonly firstModel?: {
    readonly outcome: RetrainReport['outcome'];
    readonly version: string;
    readonly seconds: number;
    readonly reasons: readonly string[];
  };
  readonly seconds: number;
}

/** The local service's start failed for a reason the user can act on. */
export class LocalServiceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalServiceError';
  }
}

/**
 * The whole service on this machine, in one process, routed from the synthesized CDK template:
 *
 * 1. The CDK app is synthesized (in a child process, or read from the cache beside the data)
 *    while s3rver and dynalite start on the data folder, with the bucket and tables.
 * 2. endpoints.json records the stores, so the CLI (`marquee retrain`, `model`, `history`,
 *    `import`, `invoke`) can act on them from here on.
 * 3. The functions the API integrates with are imported from source in this process, with the
 *    environment of their template definition (references to the bucket and tables bound to the
 *    local ones), and the API is assembled: the template's resources and methods, API keys on
 *    the methods that require one, API Gateway's error responses as the template customises them.
 * 4. An empty store gets the demo catalog through `POST /v1/items` and `POST /v1/events` (as a
 *    client would send it), and a store without a model gets one from the retrain function
 *    (the template's, run in a worker thread as its schedule would run it).
 * 5. The API listens once the serving functions have loaded the model; the retrain schedule,
 *    if asked for, starts.
 *
 * Handler modules keep process-wide state (SDK clients, model loaders), so a process runs one
 * local service in its lifetime.
 */
export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const started = performance.now();
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const status = options.status ?? new StatusLine(process.stderr, false);
  await makeDataDir(dataDir);

  const previous = await readEndpoints(dataDir);
  if (previous?.service && previous.service.pid !== process.pid && processAlive(previous.service.pid)) {
    throw new LocalServiceError(
      `a local service (process ${previous.service.pid}${previous.service.url ? `, ${previous.service.url}` : ''}) already runs on ${dataDir}; stop it first or use another --data-dir`,
    );
  }

  // A start stopped while loading the demo left part of it: the stores hold nothing else (the API
  // was not listening yet), so they are emptied and the demo loads again whole.
  if ((await readSeedRecord(dataDir))?.state === 'loading') {
    log(`the last start in ${dataDir} was stopped while loading the demo catalog: loading it again from the start`);
    await Promise.all(['s3', 'dynamodb', SEED_FILE].map((name) => rm(join(dataDir, name), { recursive: true, force: true })));
  }
  status.text('synthesizing the CDK app and starting the local stores…', true);
  const context = { ...LOCAL_CONTEXT_DEFAULTS, ...options.context };
  const [templatesResult, awsResult, apiKeyResult] = await Promise.allSettled([
    loadServiceTemplates({ projectRoot, context, cacheFile: join(dataDir, TEMPLATE_CACHE_FILE) }),
    startLocalAws({ dataDir }),
    resolveApiKey(dataDir, options.processEnv ?? process.env),
  ]);
  if (templatesResult.status === 'rejected' || awsResult.status === 'rejected' || apiKeyResult.status === 'rejected') {
    status.clear();
    if (awsResult.status === 'fulfilled') await awsResult.value.stop();
    const failed = [templatesResult, awsResult, apiKeyResult].find((result) => result.status === 'rejected') as PromiseRejectedResult;
    throw failed.reason;
  }
  const [templates, aws, apiKey] = [templatesResult.value, awsResult.value, apiKeyResult.value];
  if (aws.recreatedTables.length > 0) {
    log(
      `note: ${aws.recreatedTables.join(', ')} had an older key schema and was created anew; \`npx marquee history rebuild\` restores the history from the event log`,
    );
  }
  let server: LocalHttpServer | undefined;
  let schedule: RetrainSchedule | undefined;
  const stopAll = async () => {
    await schedule?.stop();
    await server?.close();
    await aws.stop();
    await removeEndpoints(dataDir);
  };
  try {
    options.signal?.throwIfAborted();
    const startedAt = new Date().toISOString();
    await writeEndpoints(dataDir, { env: aws.env, service: { pid: process.pid, state: 'starting', startedAt } });
    const definition = readServiceDefinition(templates.templates);
    if (definition.unknownFunctions.length > 0)
      log(`note: no source for ${definition.unknownFunctions.join(', ')} (no marquee function metadata)`);
    const environments = new Map([...definition.functions.values()].map((fn) => [fn.name, functionEnvironment(fn, aws.env, options.env)]));

    // The API's functions share this process, and so its environment (their modules read it as they load).
    const apiFunctionNames = [
      ...new Set(definition.routes.flatMap((route) => (route.integration.kind === 'function' ? [route.integration.function] : []))),
    ];
    // Their INFO logs (a line per accepted batch, …) are CloudWatch's business; locally the access log says it.
    const apiLogLevel = { POWERTOOLS_LOG_LEVEL: options.functionLogLevel ?? 'WARN' };
    const shared = sharedEnvironment(
      apiFunctionNames.map((name) => ({ ...environments.get(name), ...(options.env?.POWERTOOLS_LOG_LEVEL ? {} : apiLogLevel) })),
    );
    if (shared.conflicts.length > 0)
      log(`note: the API's functions differ in ${shared.conflicts.join(', ')}; in one process they share the first one's value`);
    Object.assign(process.env, shared.env);
    const loaded = new Map<string, LoadedFunction>();
    const load = async (names: readonly string[]) => {
      for (const name of names) {
        const spec = definition.functions.get(name);
        if (spec && !loaded.has(name)) loaded.set(name, await loadFunction(projectRoot, spec));
      }
    };
    const stage = inferStage(Object.keys(templates.templates.stacks)) ?? 'local';
    const accessLog = options.accessLog === undefined ? (entry: AccessLogEntry) => log(accessLine(entry)) : options.accessLog;
    let serving = false;
    const api = new LocalApi({
      router: new ApiRouter(definition.routes),
      functions: loaded,
      gatewayResponses: definition.gatewayResponses,
      apiKey: apiKey.value,
      stage,
      onResponse: (entry) => {
        if (entry.error)
          log(
            `${entry.function ?? 'API'} failed (${entry.method} ${entry.resource ?? '(no route)'} → ${entry.statusCode}): ${entry.error.errorType}: ${entry.error.message}`,
          );
        if (serving && accessLog) accessLog(entry);
      },
    });

    const retrainSpec = retrainFunction(definition);
    const retrain = async (
      detailType: string,
      signal?: AbortSignal,
      onProgress?: (progress: RetrainProgress) => void,
    ): Promise<RetrainReport> => {
      if (!retrainSpec) throw new LocalServiceError('the template has no scheduled retrain function');
      return runRetrainFunction({
        projectRoot,
        fn: retrainSpec,
        env: environments.get(retrainSpec.name) ?? {},
        detailType,
        ...(onProgress ? { onProgress } : {}),
        onLog: (entry) =>
          log(
            `Retrain ${String(entry.level ?? '').toLowerCase()}: ${String(entry.message)}${entry.error ? ` (${String(entry.error)})` : ''}`,
          ),
        ...(signal ? { signal } : {}),
      });
    };

    const startup: { templateCached: boolean; seeded?: StartupReport['seeded']; firstModel?: StartupReport['firstModel'] } = {
      templateCached: templates.cached,
    };
    const s3 = new S3Client({
      region: aws.env.AWS_REGION,
      endpoint: aws.env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: aws.env.AWS_ACCESS_KEY_ID, secretAccessKey: aws.env.AWS_SECRET_ACCESS_KEY },
    });
    try {
      const store = await storeState(s3, aws.bucketName);
      const demo = options.demo === false ? undefined : { seed: 7, ...options.demo };
      if (demo && !store.hasCatalog && !store.hasEvents && !store.hasModel) {
        await writeSeedRecord(dataDir, { state: 'loading', options: demo });
        await load(['Items', 'Events']);
        const seedStarted = performance.now();
        const seeded = await seedDemo(
          (request) => api.handle(request),
          apiKey.value,
          demo,
          (done, total) => status.bar('loading the demo catalog', done, total, 'requests'),
          options.signal,
        );
        const seconds = (performance.now() - seedStarted) / 1000;
        status.done(
          `demo catalog loaded: ${seeded.items} titles, ${seeded.users} viewers, ${seeded.events} events through the API (${seconds.toFixed(1)} s)`,
        );
        await writeSeedRecord(dataDir, { state: 'loaded', options: demo });
        startup.seeded = { items: seeded.items, users: seeded.users, events: seeded.events, seconds };
        store.hasEvents = true;
      }
      if (!store.hasModel && store.hasEvents && retrainSpec) {
        const trainStarted = performance.now();
        let line = 'training the first model';
        status.text(line, true);
        const report = await retrain('Marquee Local Start', options.signal, (progress) => {
          line = progress.epoch
            ? `training the first model: ${progress.epoch.phase} epoch ${progress.epoch.epoch}${progress.epoch.validationNdcgAt10 === undefined ? '' : `, validation nDCG@10 ${progress.epoch.validationNdcgAt10.toFixed(3)}`}`
            : `training the first model: ${progress.step}`;
          status.text(`${line}  (${((performance.now() - trainStarted) / 1000).toFixed(0)} s)`);
        });
        const seconds = (performance.now() - trainStarted) / 1000;
        startup.firstModel = { outcome: report.outcome, version: report.version, seconds, reasons: report.gate.reasons };
        status.done(
          report.outcome === 'published'
            ? `first model ${report.version} trained and published (${seconds.toFixed(1)} s)`
            : `no model published (${report.gate.reasons.join('; ')}): recommendations answer 503 until a retrain publishes one`,
        );
      }
    } finally {
      s3.destroy();
    }

    // The rest of the API's functions; the serving ones load the model as they import (cold start).
    options.signal?.throwIfAborted();
    status.text('loading the functions…', true);
    await load(apiFunctionNames);
    await modelsLoaded();
    status.clear();
    options.signal?.throwIfAborted();

    const pages = await playgroundPages(projectRoot);
    server = await LocalHttpServer.listen({
      api,
      pages,
      port: options.port ?? DEFAULT_PORT,
      ...(options.host ? { host: options.host } : {}),
    });
    await allowBrowserDownloads(aws.env, aws.bucketName, server.port);
    serving = true;
    await writeEndpoints(dataDir, { env: aws.env, service: { pid: process.pid, state: 'ready', url: server.url, startedAt } });
    if (options.retrainEveryMs !== undefined && retrainSpec) {
      schedule = new RetrainSchedule(
        options.retrainEveryMs,
        async (signal) => {
          log('scheduled retrain started');
          try {
            const report = await retrain('Scheduled Event', signal);
            log(
              `scheduled retrain: ${report.outcome === 'published' ? `published ${report.version}` : `kept the served model (${report.gate.reasons.join('; ')})`}`,
            );
          } catch (error) {
            log(`scheduled retrain failed: ${(error as Error).message}`);
            throw error;
          }
        },
        () => log('scheduled retrain skipped: the previous run is still going'),
      );
      schedule.start();
    }
    const listening = server;
    return {
      url: listening.url,
      port: listening.port,
      dataDir,
      apiKey,
      storesEnv: aws.env,
      definition,
      startup: { ...startup, seconds: (performance.now() - started) / 1000 },
      retrain: () => retrain('Marquee Local Retrain'),
      stop: stopAll,
    };
  } catch (error) {
    status.clear();
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** The playground's on-device mode downloads the model from s3rver through the presigned URLs of GET /v1/model/files. */
async function allowBrowserDownloads(env: Record<string, string>, bucket: string, port: number): Promise<void> {
  const s3 = new S3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  try {
    await allowPlaygroundOrigin(s3, bucket, port);
  } finally {
    s3.destroy();
  }
}

/** The function the template's schedule invokes (the retrain function). */
function retrainFunction(definition: ServiceDefinition): TemplateFunction | undefined {
  const name = definition.schedules[0]?.function;
  return name === undefined ? undefined : definition.functions.get(name);
}

/** `Marquee-dev-Api` → `dev`. */
function inferStage(stackNames: readonly string[]): string | undefined {
  for (const name of stackNames) {
    const match = /^Marquee-(.+)-Api$/.exec(name);
    if (match) return match[1];
  }
  return undefined;
}

async function storeState(s3: S3Client, bucket: string): Promise<{ hasModel: boolean; hasCatalog: boolean; hasEvents: boolean }> {
  const any = async (prefix: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }))).KeyCount ?? 0) > 0;
  const hasModel = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY })).then(
    () => true,
    (error: Error) => {
      if (error.name === 'NotFound' || error.name === 'NoSuchKey') return false;
      throw error;
    },
  );
  const [hasCatalog, hasEvents] = await Promise.all([any(CATALOG_ITEMS_PREFIX), any(EVENTS_PREFIX)]);
  return { hasModel, hasCatalog, hasEvents };
}

interface SeedRecord {
  readonly state: 'loading' | 'loaded';
  readonly options: DemoSeedOptions;
}

async function readSeedRecord(dataDir: string): Promise<SeedRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dataDir, SEED_FILE), 'utf8')) as SeedRecord;
  } catch {
    return undefined;
  }
}

async function writeSeedRecord(dataDir: string, record: SeedRecord): Promise<void> {
  await writeFile(join(dataDir, SEED_FILE), `${JSON.stringify(record)}\n`);
}

/** Waits until no serving function is still loading its model (at most a minute). */
async function modelsLoaded(): Promise<void> {
  const { modelLoaderStatuses } = await import('../../functions/commons/modelLoader.ts');
  const until = Date.now() + 60_000;
  while (modelLoaderStatuses().some((loader) => loader.state === 'loading') && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
