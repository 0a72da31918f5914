/**
 * `npm run bench:serve [-- --json] [--items 1682,50000] [--samples 2000] [--cold-runs 5] [--rating-dim N] [--cpu-prof DIR]`
 *
 * Serving latency and cold start of the Recommend function against a local s3rver, for a
 * MovieLens-100K-sized catalog (1,682 titles) and a generated 50,000-title one, dimension 64.
 *
 * - Models are randomScoringModel (seeded; timing does not depend on trained values), dimension
 *   64, without a rating head unless `--rating-dim` asks for one, exported with exportRecommendGraph / exportSimilarGraph, with an items.json and
 *   a manifest to match, published with publishModel.
 * - Warm: in a child process, the handler is imported and invoked in-process with API Gateway
 *   events `POST /v1/recommendations` (a 20-title history, one preference, count 10). Next to it,
 *   raw `session.run` of an onnxruntime session created from the same model.onnx with the same
 *   session options, on the same graph inputs (the history, its weights, the preference, the
 *   seen titles as `exclude`, k = 10). The two alternate in blocks of 10 so that load from
 *   other processes falls on both alike.
 * - The handler is the function as deployed: functions/recommend/handler.ts bundled by esbuild
 *   with the options of infra/constructs/marqueeFunction.ts (ESM, minified, AWS SDK bundled,
 *   onnxruntime-node external).
 * - Cold start: a fresh plain `node` process per run (no TypeScript loader); the clock starts
 *   right before `import()` of the bundle (Node's own start excluded) and stops at the first 200,
 *   the model having been fetched from s3rver. One unmeasured run first warms the disk cache, as
 *   a deployed bundle's files would be.
 *
 * With `--cpu-prof DIR`, each cold-start process writes a V8 CPU profile (`.cpuprofile`) to DIR,
 * for finding where a cold start's time goes (the profiler slows it down a little).
 *
 * Prints a table, or with --json: {"catalogs": [{"items", "handlerP50Ms", "handlerP99Ms",
 * "ortP50Ms", "ortP99Ms", "coldStartMs"}, …]}. Figures are measured, never asserted.
 */
import { fork, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HANDLER_SOURCE = join(ROOT, 'functions/recommend/handler.ts');
/** Inside node_modules so that the bundle's external onnxruntime-node resolves as in a deployment. */
const BUNDLE_DIR = join(ROOT, 'node_modules/.cache/marquee-bench-serve');
const HANDLER_BUNDLE = join(BUNDLE_DIR, 'recommend.mjs');
const DIM = 64;
const HISTORY = 20;
const COUNT = 10;
/**
 * Handler and raw runs alternate in blocks this long: short enough that a burst of load from
 * other processes (this machine is shared) falls on both alike, long enough that the raw runs
 * mostly find the model's memory in cache as a loop of session.run alone would.
 */
const BLOCK = 10;
const GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
  'Children',
  'Film-Noir',
];

interface CatalogFigures {
  readonly items: number;
  readonly handlerP50Ms: number;
  readonly handlerP99Ms: number;
  readonly ortP50Ms: number;
  readonly ortP99Ms: number;
  readonly coldStartMs: number;
}

interface WarmResult {
  readonly handlerMs: number[];
  readonly ortMs: number[];
}

interface ColdResult {
  readonly coldStartMs: number;
  readonly importMs: number;
  readonly firstResponseMs: number;
  /** From the loader's `model loaded` log line: pointer → model ready, and → last byte downloaded. */
  loadMs?: number;
  downloadMs?: number;
}

type ChildMessage = { kind: 'warm'; result: WarmResult } | { kind: 'cold'; result: ColdResult } | { kind: 'error'; message: string };

/** The request every measurement sends: a history of 20 titles, one preference, count 10. */
function benchRequest(items: number): { history: string[]; body: string } {
  const history = Array.from({ length: HISTORY }, (_, j) => String(1 + ((j * 7919) % items)));
  return { history, body: JSON.stringify({ history, preferences: { genre: 'drama' }, count: COUNT }) };
}

function benchEvent(body: string): APIGatewayProxyEvent {
  return {
    resource: '/v1/recommendations',
    path: '/v1/recommendations',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: { 'Content-Type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'bench',
      resourcePath: '/v1/recommendations',
      httpMethod: 'POST',
      stage: 'bench',
    } as APIGatewayProxyEvent['requestContext'],
  };
}

let requestNumber = 0;
function benchContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'Recommend',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Recommend',
    memoryLimitInMB: '2048',
    awsRequestId: `bench-${++requestNumber}`,
    logGroupName: '/aws/lambda/Recommend',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

// ---------------------------------------------------------------------------------------------
// Child process: one measurement with a fresh module graph.

/**
 * The cold-start child, plain JavaScript run by `node -e` with no TypeScript loader installed:
 * argv = [bundle, event JSON, context JSON].
 */
const COLD_CHILD = `
const [entry, eventJson, contextJson] = process.argv.slice(1);
const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));
const context = () => ({ ...JSON.parse(contextJson), getRemainingTimeInMillis: () => 30000 });
try {
  const event = JSON.parse(eventJson);
  const started = performance.now();
  const { handler } = await import(entry);
  const imported = performance.now();
  let response = await handler(event, context());
  while (response.statusCode === 503) response = await handler(event, context());
  if (response.statusCode !== 200) throw new Error('first response: ' + response.statusCode + ' ' + response.body);
  const answered = performance.now();
  await send({ kind: 'cold', result: { coldStartMs: answered - started, importMs: imported - started, firstResponseMs: answered - imported } });
} catch (error) {
  await send({ kind: 'error', message: String(error && error.stack || error) });
}
process.exit(0);
`;

/**
 * What fresh memory costs in a new process on this machine: milliseconds to first touch 64 MB.
 * Loading a model is mostly that (download buffers, onnxruntime's copies of the initializers,
 * the parsed catalog), and virtual machines differ widely in it.
 */
function firstTouchMsPerMb(): Promise<number> {
  const code =
    'const t = performance.now(); Buffer.allocUnsafeSlow(64 << 20).fill(1); process.stdout.write(String((performance.now() - t) / 64));';
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    proc.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`calibration exited with ${code}`))));
  });
}

/** The warm child (under tsx, for the raw onnxruntime side): one handler, then both loops. */
async function warmChild(items: number, samples: number, entry: string): Promise<void> {
  const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  try {
    const event = benchEvent(benchRequest(items).body);
    const { handler } = (await import(pathToFileURL(entry).href)) as { handler: Handler };
    let response = await handler(event, benchContext());
    // The first request waits for the prefetch; a 503 would mean the model was not there.
    while (response.statusCode === 503) response = await handler(event, benchContext());
    if (response.statusCode !== 200) throw new Error(`first response: ${response.statusCode} ${response.body}`);
    await send({ kind: 'warm', result: await warm(handler, event, items, samples) });
  } catch (error) {
    await send({ kind: 'error', message: (error as Error).stack ?? String(error) });
  }
}

async function warm(handler: Handler, event: APIGatewayProxyEvent, items: number, samples: number): Promise<WarmResult> {
  const ort = await import('onnxruntime-node');
  const { GetObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const { DEFAULT_SESSION_OPTIONS } = await import('../model/onnx/onnxRecommender.ts');
  const { RECOMMEND_GRAPH } = await import('../model/onnx/constants.ts');
  const { modelFileKey } = await import('../functions/commons/storageLayout.ts');

  // The same model.onnx the handler serves, read back from the bucket.
  const s3 = new S3Client({ forcePathStyle: true });
  const object = await s3.send(
    new GetObjectCommand({ Bucket: process.env.BUCKET_NAME, Key: modelFileKey(`bench-${items}`, 'model.onnx') }),
  );
  const session = await ort.InferenceSession.create(await object.Body!.transformToByteArray(), DEFAULT_SESSION_OPTIONS);
  s3.destroy();

  // The graph inputs the handler builds for the request: item id n is index n - 1 (see publish).
  const { history } = benchRequest(items);
  const indices = BigInt64Array.from(history.map((id) => BigInt(Number(id) - 1)));
  const names = RECOMMEND_GRAPH.inputs;
  const feeds = {
    [names.historyItems]: new ort.Tensor('int64', indices, [HISTORY]),
    [names.historyWeights]: new ort.Tensor('float32', new Float32Array(HISTORY).fill(1), [HISTORY]),
    [names.preferences]: new ort.Tensor('int64', BigInt64Array.of(BigInt(GENRES.indexOf('Drama'))), [1]),
    [names.exclude]: new ort.Tensor('int64', indices, [HISTORY]),
    [names.k]: new ort.Tensor('int64', BigInt64Array.of(BigInt(COUNT)), [1]),
  };

  const handlerMs: number[] = [];
  const ortMs: number[] = [];
  const runHandler = async (record: boolean) => {
    const t = performance.now();
    const response = await handler(event, benchContext());
    const ms = performance.now() - t;
    if (response.statusCode !== 200) throw new Error(`warm response: ${response.statusCode} ${response.body}`);
    if (record) handlerMs.push(ms);
  };
  const runOrt = async (record: boolean) => {
    const t = performance.now();
    await session.run(feeds);
    const ms = performance.now() - t;
    if (record) ortMs.push(ms);
  };
  for (let i = 0; i < 300; i++) {
    await runHandler(false);
    await runOrt(false);
  }
  while (handlerMs.length < samples) {
    for (let i = 0; i < BLOCK; i++) await runHandler(true);
    for (let i = 0; i < BLOCK; i++) await runOrt(true);
  }
  await session.release();
  return { handlerMs, ortMs };
}

// ---------------------------------------------------------------------------------------------
// Parent: models, local S3, children.

/**
 * A dim-64 ranking model of `items` titles, with a rating head of `ratingDim` factors when > 0
 * (none by default: the head's factor matrices would otherwise dominate the file size).
 */
async function publishBenchModel(
  s3: import('@aws-sdk/client-s3').S3Client,
  bucket: string,
  items: number,
  ratingDim: number,
): Promise<void> {
  const { randomScoringModel } = await import('../model/recommender/randomScoringModel.ts');
  const { exportRecommendGraph, exportSimilarGraph, buildManifest, Random } = await import('../model/index.ts');
  const { publishModel } = await import('../functions/commons/modelPublisher.ts');
  const features = Math.max(50, Math.round(items / 10));
  const model = randomScoringModel({
    items,
    features,
    dim: DIM,
    seed: items,
    withRating: ratingDim > 0,
    ...(ratingDim > 0 ? { ratingDim } : {}),
  });
  const random = new Random(items + 1);
  const itemIds = Array.from({ length: items }, (_, i) => String(i + 1));
  // Genres first, so that `genre:drama` is index GENRES.indexOf('Drama') (the raw runs use it).
  const vocabulary = [
    ...GENRES.map((g) => `genre:${g.toLowerCase()}`),
    ...Array.from({ length: features - GENRES.length }, (_, f) => `person:person ${f}`),
  ];
  const servingItems = itemIds.map((itemId, i) => {
    const genreCount = 1 + Math.floor(random.next() * 3);
    const genres = [...new Set(Array.from({ length: genreCount }, () => GENRES[Math.floor(random.next() * GENRES.length)]))];
    return {
      itemId,
      title: `Title number ${i + 1}`,
      genres,
      cast: [`Person ${Math.floor(random.next() * features)}`, `Person ${Math.floor(random.next() * features)}`],
      directors: [`Person ${Math.floor(random.next() * features)}`],
      year: 1930 + Math.floor(random.next() * 95),
      tags: [],
      // Zipf-like popularity.
      interactions: Math.floor(10_000 / (1 + i * (0.5 + random.next()))),
    };
  });
  const version = `bench-${items}`;
  const meta = { properties: { 'marquee.version': version } };
  const recommendGraph = exportRecommendGraph(model, meta);
  const similarGraph = exportSimilarGraph(model, meta);
  const manifest = buildManifest({
    version,
    createdAt: new Date().toISOString(),
    trainingData: { snapshot: 'bench', users: 0, items, interactions: 0 },
    hyperParameters: { dim: DIM },
    metrics: {},
    itemIds,
    vocabulary,
    files: { 'model.onnx': recommendGraph, 'similar.onnx': similarGraph },
  });
  await publishModel(s3, bucket, { manifest, recommendGraph, similarGraph, items: { items: servingItems } });
}

/** The Recommend function bundled as infra/constructs/marqueeFunction.ts bundles it for Lambda. */
async function bundleHandler(): Promise<string> {
  const { build } = await import('esbuild');
  await mkdir(BUNDLE_DIR, { recursive: true });
  await build({
    entryPoints: [HANDLER_SOURCE],
    outfile: HANDLER_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __marqueeCreateRequire } from 'node:module'; const require = __marqueeCreateRequire(import.meta.url);",
    },
    minify: true,
    keepNames: true,
    external: ['onnxruntime-node'],
    logLevel: 'warning',
  });
  return HANDLER_BUNDLE;
}

function runChild(
  mode: 'warm' | 'cold',
  items: number,
  samples: number,
  entry: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<WarmResult | ColdResult> {
  return new Promise((resolve, reject) => {
    const options = {
      env: { ...process.env, ...env },
      cwd: ROOT,
      // Logs and EMF metrics go to stdout as in Lambda: discarded for the warm runs, read for the
      // cold ones (the loader's `model loaded` line says where the load time went).
      stdio: ['ignore', mode === 'cold' ? 'pipe' : 'ignore', 'inherit', 'ipc'] as ('ignore' | 'pipe' | 'inherit' | 'ipc')[],
    };
    const proc =
      mode === 'cold'
        ? spawn(
            process.execPath,
            [
              ...nodeArgs,
              '--input-type=module',
              '-e',
              COLD_CHILD,
              '--',
              pathToFileURL(entry).href,
              JSON.stringify(benchEvent(benchRequest(items).body)),
              JSON.stringify(benchContext()),
            ],
            options,
          )
        : fork(
            join(ROOT, 'infra/cli/run-ts.mjs'),
            [fileURLToPath(import.meta.url), '--child', String(items), String(samples), entry],
            options,
          );
    let settled = false;
    let stdout = '';
    proc.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    proc.on('message', (message: ChildMessage) => {
      settled = true;
      if (message.kind === 'error') reject(new Error(message.message));
      else if (message.kind === 'cold') {
        // The IPC message can overtake the last stdout bytes: read them once the process is gone.
        // The cold child exits by itself (a profile, when asked for, is written on exit).
        const timer = setTimeout(() => proc.kill(), 30_000);
        proc.once('close', () => {
          clearTimeout(timer);
          resolve({ ...message.result, ...loadTimings(stdout) });
        });
        return;
      } else resolve(message.result);
      proc.kill();
    });
    proc.on('exit', (code) => {
      if (!settled) reject(new Error(`benchmark child exited with ${code}`));
    });
  });
}

function loadTimings(stdout: string): { loadMs?: number; downloadMs?: number } {
  for (const line of stdout.split('\n')) {
    if (!line.includes('"model loaded"')) continue;
    try {
      const { loadMs, downloadMs } = JSON.parse(line) as { loadMs?: number; downloadMs?: number };
      return { loadMs, downloadMs };
    } catch {
      // not a log line
    }
  }
  return {};
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--child') {
    await warmChild(Number(argv[1]), Number(argv[2]), argv[3]);
    return;
  }
  const json = argv.includes('--json');
  const option = (name: string, fallback: string) => {
    const at = argv.indexOf(name);
    return at >= 0 && argv[at + 1] ? argv[at + 1] : fallback;
  };
  const sizes = option('--items', '1682,50000').split(',').map(Number);
  const samples = Number(option('--samples', '2000'));
  const coldRuns = Number(option('--cold-runs', '5'));
  const ratingDim = Number(option('--rating-dim', '0'));
  const profileDir = option('--cpu-prof', '');
  const coldArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const entry = await bundleHandler();

  const { startLocalAws } = await import('../infra/local/localAws.ts');
  const { S3Client } = await import('@aws-sdk/client-s3');
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-serve-'));
  const local = await startLocalAws({ dataDir: dir });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: local.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const figures: CatalogFigures[] = [];
  const details: string[] = [];
  try {
    for (const items of sizes) {
      log(`catalog of ${items} titles: generating and publishing the model…`);
      await publishBenchModel(s3, local.bucketName, items, ratingDim);
      const env = { ...local.env, MODEL_REFRESH_SECONDS: '60' };
      const loadBefore = loadavg()[0];
      log(`  warm latency (${samples} handler invocations, ${samples} session.run)…`);
      const warmResult = (await runChild('warm', items, samples, entry, env)) as WarmResult;
      log('  cold starts…');
      await runChild('cold', items, 0, entry, env); // unmeasured: disk and transform caches
      const colds: ColdResult[] = [];
      for (let run = 0; run < coldRuns; run++) colds.push((await runChild('cold', items, 0, entry, env, coldArgs)) as ColdResult);
      const coldStartMs = percentile(
        colds.map((c) => c.coldStartMs),
        50,
      );
      const touch = await firstTouchMsPerMb();
      figures.push({
        items,
        handlerP50Ms: round(percentile(warmResult.handlerMs, 50)),
        handlerP99Ms: round(percentile(warmResult.handlerMs, 99)),
        ortP50Ms: round(percentile(warmResult.ortMs, 50)),
        ortP99Ms: round(percentile(warmResult.ortMs, 99)),
        coldStartMs: round(coldStartMs),
      });
      details.push(
        `${items} titles: cold starts ${colds.map((c) => c.coldStartMs.toFixed(0)).join(', ')} ms ` +
          `(import ${colds.map((c) => c.importMs.toFixed(0)).join(', ')}; import → first 200 ${colds.map((c) => c.firstResponseMs.toFixed(0)).join(', ')}, ` +
          `of which model load ${colds.map((c) => c.loadMs ?? '?').join(', ')}, its files downloaded after ${colds.map((c) => c.downloadMs ?? '?').join(', ')}); ` +
          `load average ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}; fresh memory costs ${touch.toFixed(2)} ms/MB here`,
      );
    }
  } finally {
    s3.destroy();
    await local.stop();
    await rm(dir, { recursive: true, force: true });
  }

  if (json) {
    process.stdout.write(`${JSON.stringify({ catalogs: figures })}\n`);
    log(details.join('\n'));
    return;
  }
  const header = ['items', 'handler p50', 'handler p99', 'ORT p50', 'ORT p99', 'p99 ratio', 'cold start'];
  const rows = figures.map((f) => [
    String(f.items),
    `${f.handlerP50Ms.toFixed(3)} ms`,
    `${f.handlerP99Ms.toFixed(3)} ms`,
    `${f.ortP50Ms.toFixed(3)} ms`,
    `${f.ortP99Ms.toFixed(3)} ms`,
    `${(f.handlerP99Ms / f.ortP99Ms).toFixed(2)}×`,
    `${f.coldStartMs.toFixed(0)} ms`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c])).join('  ');
  process.stdout.write(
    `${[line(header), ...rows.map(line), '', ...details, `cores: ${(await import('node:os')).cpus().length}`].join('\n')}\n`,
  );
}

await main(process.argv.slice(2));
