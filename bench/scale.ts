// Whole retrains at scale on catalogs with planted taste structure. Prints figures; asserts nothing.
//
//   npm run bench:scale [-- --json] [-- --quick] [-- --sizes 1,2,3,4] [-- --threads 1,2]
//                       [-- --budget-minutes 20] [-- --objective full|sampled|auto] [-- --max-epochs N]
//   npm run bench:scale -- --warm [--sizes 1] [--threads 2]      warm against cold start on a day of new events
//
// Sizes (dimension 64, 40 events per viewer): 1 = 1 M events / 25 k viewers / 5 k titles,
// 2 = 1 M / 25 k / 50 k, 3 = 5 M / 125 k / 50 k, 4 = 20 M / 500 k / 50 k; --quick = sizes 1 and 2
// at one thread. Each size is generated (model/data/plantedCatalog.ts) and written to a local
// s3rver as the service stores it (NDJSON objects under events/, one JSON object per title under
// catalog/items/, bench/plantedBucket.ts). Each run is one real retrain, runRetrain as the Lambda
// runs it, in a child process (so its peak RSS, process.resourceUsage().maxRSS, is the run's own;
// s3rver stays in this process): read the event log and catalog, build the training data, select
// the epoch count, refit, evaluate the candidate, the served model and popularity on the gate set,
// publish. Runs start cold (models/ is emptied before each). `trainSeconds` is the whole retrain's
// wall time, `epochSeconds` the median selection epoch. The load average is recorded with each run
// (the machine is shared: wall times are noisy).
//
// --warm: days 0–28 of the size are written and retrained (the served model), then the last day's
// events and its new titles (1 % of the catalog) are added, and the retrain runs twice from the
// same served model: warm (starting from its parameters, the default) and cold
// (RETRAIN_WARM_START=false). Both report their time, epochs and gate outcome.
//
// With --json: {"runs": [{"events", "viewers", "titles", "objective", "threads", "epochSeconds",
// "epochs", "trainSeconds", "peakRssMb", "gateNdcgAt10", …}]} on stdout; progress on stderr.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createAwsClients } from '../functions/commons/awsClients.ts';
import { CURRENT_MODEL_KEY, MODELS_PREFIX } from '../functions/commons/storageLayout.ts';
import { loadRetrainConfig } from '../functions/retrain/retrainConfig.ts';
import type { RetrainReport } from '../functions/retrain/retrainReport.ts';
import { runRetrain } from '../functions/retrain/runRetrain.ts';
import { PlantedCatalog } from '../model/data/plantedCatalog.ts';
import { startLocalAws } from '../infra/local/localAws.ts';
import { writePlantedCatalog, writePlantedEvents } from './plantedBucket.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const EVENTS_PER_VIEWER = 40;
const SIZES = [
  { events: 1_000_000, viewers: 25_000, titles: 5_000 },
  { events: 1_000_000, viewers: 25_000, titles: 50_000 },
  { events: 5_000_000, viewers: 125_000, titles: 50_000 },
  { events: 20_000_000, viewers: 500_000, titles: 50_000 },
] as const;
const DAYS = 30;

function option(name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}

function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** What the child prints: one retrain measured. */
interface ChildResult {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly report: RetrainReport;
}

if (args.includes('--child')) await child();
else await parent();

async function child(): Promise<void> {
  const budgetMs = Number(option('--budget-minutes', '20')) * 60_000;
  const maxEpochs = option('--max-epochs', '');
  const objective = option('--objective', '');
  const config = loadRetrainConfig({
    ...process.env,
    BUCKET_NAME: option('--bucket', ''),
    RETRAIN_THREADS: option('--threads', '1'),
    ...(objective ? { RETRAIN_OBJECTIVE: objective } : {}),
    ...(maxEpochs ? { RETRAIN_MAX_EPOCHS: maxEpochs } : {}),
  });
  const { s3 } = createAwsClients(config);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const deadline = Date.now() + budgetMs;
  const log =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      if (message === 'epoch') {
        const { phase, epoch, validationNdcgAt10, seconds } = attributes as Record<string, number | undefined>;
        progress(
          `    ${String(phase)} epoch ${epoch}  ${Number(seconds).toFixed(1)} s${validationNdcgAt10 === undefined ? '' : `  val nDCG@10 ${validationNdcgAt10.toFixed(4)}`}`,
        );
      } else {
        progress(`    ${level === 'info' ? '' : `${level}: `}${message} ${JSON.stringify(attributes).slice(0, 400)}`);
      }
    };
  const report = await runRetrain({
    s3,
    config,
    remainingMs: () => deadline - Date.now(),
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics: { addMetric: () => undefined },
    trigger: 'bench:scale',
  });
  const used = process.cpuUsage(cpu);
  const result: ChildResult = {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    report,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  s3.destroy();
}

async function parent(): Promise<void> {
  const quick = args.includes('--quick');
  const warm = args.includes('--warm');
  const sizes = option('--sizes', quick ? '1,2' : warm ? '1' : '1,2,3,4')
    .split(',')
    .map((s) => SIZES[Number(s) - 1]);
  const threads = option('--threads', quick ? '1' : warm ? '2' : '1,2')
    .split(',')
    .map(Number);
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-scale-'));
  const local = await startLocalAws({ dataDir: dir });
  Object.assign(process.env, local.env);
  const { s3 } = createAwsClients({ s3ForcePathStyle: true });
  const runs: Record<string, unknown>[] = [];
  try {
    for (const [index, size] of sizes.entries()) {
      const bucket = `bench-scale-${index}-${size.events}-${size.titles}`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const catalog = new PlantedCatalog({
        seed: 7,
        titles: size.titles,
        viewers: size.viewers,
        eventsPerViewer: EVENTS_PER_VIEWER,
        days: DAYS,
        lastDayTitles: warm ? Math.round(size.titles / 100) : 0,
      });
      let clock = performance.now();
      const events = catalog.events();
      progress(
        `${events.size} events of ${size.viewers} viewers on ${size.titles} titles generated in ${seconds(clock)} s; writing to s3rver`,
      );
      clock = performance.now();
      const baseTitles = warm ? size.titles - Math.round(size.titles / 100) : size.titles;
      await writePlantedCatalog(s3, bucket, catalog, baseTitles);
      const written = await writePlantedEvents(s3, bucket, catalog, events, { fromDay: 0, toDay: warm ? DAYS - 1 : DAYS }, (n) =>
        progress(`  ${n} objects`),
      );
      progress(`  ${written.events} events in ${written.objects} objects and ${baseTitles} titles written in ${seconds(clock)} s`);
      const shape = { events: written.events, viewers: size.viewers, titles: size.titles };
      if (!warm) {
        for (const t of threads) {
          await emptyModels(s3, bucket);
          runs.push(await measured(bucket, local.env, t, { ...shape, start: 'cold' }));
        }
      } else {
        const t = threads[0];
        runs.push(await measured(bucket, local.env, t, { ...shape, start: 'cold', phase: 'served (days 0–28)' }));
        const pointer = await readText(s3, bucket, CURRENT_MODEL_KEY);
        clock = performance.now();
        await writePlantedCatalog(s3, bucket, catalog);
        const day = await writePlantedEvents(s3, bucket, catalog, events, { fromDay: DAYS - 1, toDay: DAYS });
        progress(`  last day: ${day.events} events, ${size.titles - baseTitles} new titles written in ${seconds(clock)} s`);
        const all = { ...shape, events: written.events + day.events };
        runs.push(await measured(bucket, local.env, t, { ...all, start: 'warm', phase: '+1 day' }));
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: pointer, ContentType: 'application/json' }));
        runs.push(await measured(bucket, local.env, t, { ...all, start: 'cold', phase: '+1 day' }, { RETRAIN_WARM_START: 'false' }));
      }
      await rm(join(dir, 's3', bucket), { recursive: true, force: true });
    }
  } finally {
    s3.destroy();
    await local.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ runs })}\n`);
    return;
  }
  process.stdout.write(
    'events     viewers  titles  threads  start  epochs  s/epoch  retrain s  peak RSS MB  gate nDCG@10  outcome  load\n',
  );
  for (const run of runs) {
    process.stdout.write(
      `${String(run.events).padEnd(11)}${String(run.viewers).padStart(7)}${String(run.titles).padStart(8)}${String(run.threads).padStart(9)}` +
        `${String(run.start).padStart(7)}${String(run.epochs).padStart(8)}${String(run.epochSeconds).padStart(9)}${String(run.trainSeconds).padStart(11)}` +
        `${String(run.peakRssMb).padStart(13)}${String(run.gateNdcgAt10).padStart(14)}  ${String(run.outcome).padEnd(9)}${String(run.load)}\n`,
    );
  }
}

/** One child retrain, as a row of the output. */
async function measured(
  bucket: string,
  env: Record<string, string>,
  threads: number,
  shape: Record<string, unknown>,
  extraEnv: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const loadBefore = loadavg()[0];
  progress(`  retrain: ${JSON.stringify(shape)}, ${threads} thread(s), load ${loadBefore.toFixed(2)}`);
  const result = await runChild(bucket, { ...env, ...extraEnv }, threads);
  const { report } = result;
  const log = report.training?.log ?? [];
  const select = log
    .filter((entry) => entry.phase === 'select')
    .map((entry) => entry.seconds)
    .sort((a, b) => a - b);
  const row = {
    ...shape,
    objective: report.training?.hyperParameters.objective ?? null,
    threads,
    epochSeconds: select.length ? round(select[Math.floor(select.length / 2)]) : null,
    epochs: report.training?.epochs ?? 0,
    selectEpochs: select.length,
    refitEpochs: log.filter((entry) => entry.phase === 'refit').length,
    trainSeconds: round(result.seconds),
    // The ranking model's epochs alone (selection, validation and refit; no rating head).
    rankingSeconds: round(log.reduce((sum, entry) => sum + entry.seconds, 0)),
    ratingHead: report.training?.ratingHead ?? null,
    peakRssMb: Math.round(result.peakRssMb),
    gateNdcgAt10: report.gate.candidate ? round4(report.gate.candidate.ndcgAt10) : null,
    servedNdcgAt10: report.gate.served.metrics ? round4(report.gate.served.metrics.ndcgAt10) : null,
    popularityNdcgAt10: report.gate.popularity ? round4(report.gate.popularity.ndcgAt10) : null,
    outcome: report.outcome,
    stoppedEarly: report.training?.stoppedEarly ?? null,
    warmStart: report.training?.warmStart ?? null,
    steps: report.seconds,
    cpuSeconds: round(result.cpuSeconds),
    interactions: report.data.interactions,
    load: `${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
  };
  progress(`  ${JSON.stringify(row)}`);
  return row;
}

function runChild(bucket: string, env: Record<string, string>, threads: number): Promise<ChildResult> {
  const childArgs = [
    join(import.meta.dirname, '../infra/cli/run-ts.mjs'),
    join(import.meta.dirname, 'scale.ts'),
    '--child',
    '--bucket',
    bucket,
    '--threads',
    String(threads),
  ];
  for (const name of ['--budget-minutes', '--max-epochs', '--objective']) {
    const value = option(name, '');
    if (value) childArgs.push(name, value);
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, childArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the retrain child exited with code ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildResult);
    });
  });
}

/** Deletes every object under models/, so that the next retrain starts cold. */
async function emptyModels(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: MODELS_PREFIX }));
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key as string }));
    if (keys.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Body ? await Body.transformToString('utf8') : '';
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
