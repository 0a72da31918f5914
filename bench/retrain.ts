// Wall time and peak memory of a full retrain. Prints figures; asserts nothing.
//
//   npm run bench:retrain [-- --json] [-- --sizes 100000,1000000,5000000] [-- --items 5000]
//                         [-- --budget-minutes 15] [-- --max-epochs N] [-- --heap-mb 8192]
//                         [-- --s3-max 1000000]
//
// For each size, a generated demo catalog (--items titles, 40 events per viewer on average, so
// size / 40 viewers) is written to a local s3rver exactly as the service stores it — NDJSON
// objects of 100 events under events/<yyyy>/<mm>/<dd>/<hh>/, titles under catalog/items/ — and
// then one retrain runs in a child process (node --max-old-space-size=--heap-mb, the Lambda's
// process): runRetrain with the Lambda budget of --budget-minutes, reading every object back,
// training with the default hyper-parameters (optionally capped at --max-epochs), evaluating the
// gate and publishing. The child's peak RSS is the retrain's alone (s3rver runs in this process).
// Sizes above --s3-max skip s3rver for the events (writing and reading 50 000 objects through one
// s3rver on a shared machine takes longer than the retrain): the child generates the same events
// in memory and hands them to runRetrain as its event source (RetrainDependencies.readEvents), so
// everything after the read is measured as is; the catalog is still read from s3rver.
// Each run reports wall seconds, CPU seconds (on a shared machine the wall time overstates what a
// dedicated vCPU needs; CPU seconds approximate it), peak RSS, the time of each step, and the
// epochs the time budget allowed.
// With --json: {"runs": [{"events", "seconds", "peakRssMb", …}]} on stdout; progress on stderr.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createAwsClients } from '../functions/commons/awsClients.ts';
import { putCatalogItems } from '../functions/commons/catalogStore.ts';
import { eventLine, type LoggedEvent } from '../functions/commons/eventLog.ts';
import { mapConcurrent } from '../functions/commons/mapConcurrent.ts';
import { eventsBatchKey, keyTime } from '../functions/commons/storageLayout.ts';
import { loadRetrainConfig } from '../functions/retrain/retrainConfig.ts';
import type { RetrainReport } from '../functions/retrain/retrainReport.ts';
import { runRetrain } from '../functions/retrain/runRetrain.ts';
import type { TrainingSnapshot } from '../functions/retrain/trainingSnapshot.ts';
import { EVENT_WEIGHTS } from '../model/constants.ts';
import { generateDemoInteractions } from '../model/data/demoCatalog.ts';
import { InteractionTableBuilder } from '../model/data/interactionTableBuilder.ts';
import { startLocalAws } from '../infra/local/localAws.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const EVENTS_PER_OBJECT = 100;
const EVENTS_PER_USER = 40;

function option(name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** What the child process prints: one retrain run measured. */
interface ChildResult {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly report: RetrainReport;
}

if (args.includes('--child')) await child();
else await parent();

/** One retrain against the bucket named by --bucket (the S3 environment comes from the parent). */
async function child(): Promise<void> {
  const generate = Number(option('--generate', '0'));
  const budgetMs = Number(option('--budget-minutes', '15')) * 60_000;
  const maxEpochs = option('--max-epochs', '');
  const config = loadRetrainConfig({
    ...process.env,
    BUCKET_NAME: option('--bucket', ''),
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
        progress(`    ${level === 'info' ? '' : `${level}: `}${message}${level === 'info' ? '' : ` ${JSON.stringify(attributes)}`}`);
      }
    };
  const report = await runRetrain({
    s3,
    config,
    remainingMs: () => deadline - Date.now(),
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics: { addMetric: () => undefined },
    trigger: 'bench',
    ...(generate > 0 ? { readEvents: async () => generatedSnapshot(generate, Number(option('--items', '5000'))) } : {}),
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

/** The events `seed` would write for `size`, straight into a table (no S3, no JSON). */
function generatedSnapshot(size: number, items: number): TrainingSnapshot {
  const builder = new InteractionTableBuilder(size + size / 4);
  const { eventCount } = generateDemoInteractions(demoOptions(size, items), builder);
  return {
    table: builder.build(),
    log: { objects: 0, events: eventCount, duplicates: 0, invalidLines: 0, tombstoned: 0 },
    invalidSamples: [],
    id: `generated@${size}`,
    objectsWithStaleCopies: 0,
  };
}

function demoOptions(size: number, items: number) {
  return { seed: 11, items, users: Math.max(1, Math.round(size / EVENTS_PER_USER)), interactionsPerUser: EVENTS_PER_USER };
}

async function parent(): Promise<void> {
  const sizes = option('--sizes', '100000,1000000,5000000').split(',').map(Number);
  const items = Number(option('--items', '5000'));
  const s3Max = Number(option('--s3-max', '1000000'));
  const dir = await mkdtemp(join(tmpdir(), 'marquee-bench-retrain-'));
  const local = await startLocalAws({ dataDir: dir });
  Object.assign(process.env, local.env);
  const { s3 } = createAwsClients({ s3ForcePathStyle: true });
  const runs: Record<string, unknown>[] = [];
  try {
    for (const size of sizes) {
      const bucket = `bench-retrain-${size}`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const throughS3 = size <= s3Max;
      progress(
        `${size} events over ${items} titles: ${throughS3 ? 'writing to s3rver' : 'generated in the retrain process (above --s3-max)'}`,
      );
      const seeded = throughS3 ? await seed(s3, bucket, size, items) : await seedCatalog(s3, bucket, size, items);
      progress(`  ${seeded.events} events in ${seeded.objects} objects written in ${seeded.seconds.toFixed(1)} s; retraining`);
      const result = await runChild(bucket, local.env, throughS3 ? [] : ['--generate', String(size), '--items', String(items)]);
      const { report } = result;
      const log = report.training?.log ?? [];
      const median = (phase: string) => {
        const seconds = log
          .filter((entry) => entry.phase === phase)
          .map((entry) => entry.seconds)
          .sort((a, b) => a - b);
        return seconds.length ? round(seconds[Math.floor(seconds.length / 2)]) : null;
      };
      runs.push({
        events: seeded.events,
        seconds: round(result.seconds),
        peakRssMb: Math.round(result.peakRssMb),
        cpuSeconds: round(result.cpuSeconds),
        eventsFrom: throughS3 ? 's3rver' : 'memory',
        objects: seeded.objects,
        users: report.data.users,
        items: report.data.items,
        interactions: report.data.interactions,
        steps: report.seconds,
        selectEpochs: log.filter((entry) => entry.phase === 'select').length,
        refitEpochs: log.filter((entry) => entry.phase === 'refit').length,
        selectEpochSeconds: median('select'),
        refitEpochSeconds: median('refit'),
        stoppedEarly: report.training?.stoppedEarly ?? null,
        outcome: report.outcome,
        gateNdcgAt10: report.gate.candidate?.ndcgAt10 ?? null,
        popularityNdcgAt10: report.gate.popularity?.ndcgAt10 ?? null,
      });
      progress(`  ${JSON.stringify(runs[runs.length - 1])}`);
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
    'events      users  titles   wall s   CPU s  peak RSS MB  read s  train s  select/refit epochs  s/select epoch  s/refit epoch  outcome\n',
  );
  for (const run of runs) {
    const steps = run.steps as RetrainReport['seconds'];
    process.stdout.write(
      `${String(run.events).padEnd(10)}${String(run.users).padStart(7)}${String(run.items).padStart(8)}${String(run.seconds).padStart(9)}` +
        `${String(run.cpuSeconds).padStart(8)}${String(run.peakRssMb).padStart(13)}${String(steps.read).padStart(8)}${String(steps.train).padStart(9)}` +
        `${`${run.selectEpochs}/${run.refitEpochs}${run.stoppedEarly ? ' (budget)' : ''}`.padStart(21)}${String(run.selectEpochSeconds).padStart(16)}` +
        `${String(run.refitEpochSeconds).padStart(15)}  ${run.outcome}\n`,
    );
  }
}

/** Runs the child retrain and returns what it printed. */
function runChild(bucket: string, env: Record<string, string>, extra: readonly string[]): Promise<ChildResult> {
  const heapMb = option('--heap-mb', '8192');
  const childArgs = [
    `--max-old-space-size=${heapMb}`,
    join(import.meta.dirname, '../infra/cli/run-ts.mjs'),
    join(import.meta.dirname, 'retrain.ts'),
    '--child',
    '--bucket',
    bucket,
  ];
  childArgs.push('--budget-minutes', option('--budget-minutes', '15'));
  const maxEpochs = option('--max-epochs', '');
  if (maxEpochs) childArgs.push('--max-epochs', maxEpochs);
  childArgs.push(...extra);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, childArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the retrain child exited with code ${code}`));
      const line = out.trim().split('\n').pop() ?? '';
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

/**
 * Generates about `size` events (generateDemoInteractions straight into columns, no object per
 * event) and writes them in time order as NDJSON objects of 100 events, 32 PUTs at a time, plus the
 * catalog. The event type is read back from each row's weight and rating (a rating carries stars;
 * 1.5 like, 0.25 click, 1 complete, 0 skip, anything else a watch of that fraction), which gives
 * every row the same weight and rating as the generator's event.
 */
async function seed(
  s3: S3Client,
  bucket: string,
  size: number,
  items: number,
): Promise<{ events: number; objects: number; seconds: number }> {
  const started = performance.now();
  const builder = new InteractionTableBuilder(size + size / 4);
  const { items: catalog } = generateDemoInteractions(demoOptions(size, items), builder);
  const table = builder.build();
  const order = new Int32Array(table.size);
  for (let r = 0; r < table.size; r++) order[r] = r;
  order.sort((a, b) => table.timestamps[a] - table.timestamps[b] || a - b);
  const event = (r: number): LoggedEvent => {
    const base = {
      eventId: `e${r}`,
      userId: table.userIds[table.users[r]],
      itemId: table.itemIds[table.items[r]],
      timestamp: table.timestamps[r],
    };
    const rating = table.ratings[r];
    const weight = table.weights[r];
    if (!Number.isNaN(rating)) return { ...base, type: 'rating', value: Math.round(rating * 2) / 2 };
    if (weight === EVENT_WEIGHTS.like) return { ...base, type: 'like' };
    if (weight === EVENT_WEIGHTS.click) return { ...base, type: 'click' };
    if (weight === EVENT_WEIGHTS.complete) return { ...base, type: 'complete' };
    if (weight === 0) return { ...base, type: 'skip' };
    return { ...base, type: 'watch', value: Math.round(weight * 1e4) / 1e4 };
  };
  const batches = Math.ceil(table.size / EVENTS_PER_OBJECT);
  const starts = Array.from({ length: batches }, (_, b) => b * EVENTS_PER_OBJECT);
  let written = 0;
  await mapConcurrent(starts, 32, async (start) => {
    const lines: string[] = [];
    for (let p = start; p < Math.min(start + EVENTS_PER_OBJECT, table.size); p++) lines.push(eventLine(event(order[p])));
    const acceptedAt = new Date(table.timestamps[order[start]] * 1000);
    const key = eventsBatchKey(acceptedAt, `${keyTime(acceptedAt)}-${String(start).padStart(10, '0')}`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${lines.join('\n')}\n`, ContentType: 'application/x-ndjson' }));
    if (++written % 5000 === 0) progress(`  ${written}/${batches} objects`);
  });
  for (let start = 0; start < catalog.length; start += 100) await putCatalogItems(s3, bucket, catalog.slice(start, start + 100));
  return { events: table.size, objects: batches, seconds: (performance.now() - started) / 1000 };
}

/** Only the catalog of the demo data for `size` (its events are generated by the child). */
async function seedCatalog(
  s3: S3Client,
  bucket: string,
  size: number,
  items: number,
): Promise<{ events: number; objects: number; seconds: number }> {
  const started = performance.now();
  const { items: catalog, eventCount } = generateDemoInteractions(demoOptions(size, items), new InteractionTableBuilder(size + size / 4));
  for (let start = 0; start < catalog.length; start += 100) await putCatalogItems(s3, bucket, catalog.slice(start, start + 100));
  return { events: eventCount, objects: 0, seconds: (performance.now() - started) / 1000 };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
