import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { buildTrainingData } from '../../model/data/trainingData.ts';
import { TrainingError } from '../../model/errors.ts';
import { exportedScoringModel, exportRecommendGraph } from '../../model/onnx/exportRecommendGraph.ts';
import { exportSimilarGraph } from '../../model/onnx/exportSimilarGraph.ts';
import { buildManifest } from '../../model/onnx/manifest.ts';
import { DEFAULT_RATING_HYPER_PARAMETERS, type RatingHyperParameters } from '../../model/rating/ratingHyperParameters.ts';
import { trainRatingModel } from '../../model/rating/trainRatingModel.ts';
import type { RatingModel } from '../../model/rating/types.ts';
import { DEFAULT_RECOMMENDER_HYPER_PARAMETERS, type RecommenderHyperParameters } from '../../model/recommender/hyperParameters.ts';
import type { EpochLog } from '../../model/recommender/trainRecommender.ts';
import { trainModel, type TrainedModel } from '../../model/trainModel.ts';
import type { BuiltTrainingData } from '../../model/data/trainingData.ts';
import type { CatalogItem } from '../../model/types/catalog.ts';
import { compactEvents } from '../commons/eventCompaction.ts';
import { publishModel } from '../commons/modelPublisher.ts';
import { newModelVersion, pruneModelVersions, REPORT_FILES } from '../commons/modelVersions.ts';
import { buildServingItems } from '../commons/servingItems.ts';
import { modelFileKey } from '../commons/storageLayout.ts';
import { listTombstones } from '../commons/tombstones.ts';
import { readCatalogSnapshot } from './catalogSnapshot.ts';
import {
  candidateScorer,
  decideGate,
  evaluateOnGate,
  firstNonFinite,
  popularityScorer,
  servedModelScorer,
  splitGate,
  type GateMetrics,
  type GateSplit,
} from './qualityGate.ts';
import type { RetrainConfig } from './retrainConfig.ts';
import { chooseObjective } from '../../model/recommender/chooseObjective.ts';
import { evaluationMs, firstEpochMs, ratingHeadMs } from './retrainCosts.ts';
import type { RetrainGateReport, RetrainReport, RetrainTrainingReport } from './retrainReport.ts';
import { readServedModel, type ServedModel } from './servedModel.ts';
import { servedWarmStart } from './servedWarmStart.ts';
import { TrainingBudget } from './trainingBudget.ts';
import { renderTrainingChart } from './trainingChart.ts';
import { readTrainingSnapshot, type TrainingSnapshot, type TrainingSnapshotOptions } from './trainingSnapshot.ts';

/** What the run logs through: Powertools' Logger, or the CLI's progress lines. */
export interface RetrainLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** Where the run counts: Powertools' Metrics (namespace Marquee), or nothing (the CLI). */
export interface RetrainMetrics {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}

export interface RetrainDependencies {
  readonly s3: S3Client;
  readonly config: RetrainConfig;
  /** Milliseconds left in the run (the Lambda context's getRemainingTimeInMillis). */
  readonly remainingMs: () => number;
  readonly logger: RetrainLogger;
  readonly metrics: RetrainMetrics;
  /** What started the run (the event's source). */
  readonly trigger?: string;
  readonly now?: () => Date;
  /**
   * Where the interactions come from: by default the event log (readTrainingSnapshot). Another
   * source yields the same snapshot (benchmarks generate one in memory; a container task could read
   * a consolidated copy).
   */
  readonly readEvents?: (s3: S3Client, bucket: string, options: TrainingSnapshotOptions) => Promise<TrainingSnapshot>;
  /** Trainer settings over the configuration's (tests, benchmarks). */
  readonly training?: {
    readonly ranking?: Partial<RecommenderHyperParameters>;
    /** false: no rating head. */
    readonly rating?: Partial<RatingHyperParameters> | false;
  };
}

/** Milliseconds the export and upload of a model are allowed, at least, when the run decides to publish. */
const PUBLISH_MIN_MS = 10_000;

/**
 * One retrain run, the same for the schedule, `npx marquee retrain` and the local service:
 *
 * 1. Read the event log (every live object, read ahead; duplicates, tombstoned users and malformed
 *    lines skipped and counted) into compact columns, and the catalog.
 * 2. Compact forgotten users' events out of events/ when the read met any (or stale copies of an
 *    interrupted compaction): a failure there is reported and counted, and does not stop the run.
 * 3. Build the training data: weights by event type; of a user's several events on one title the
 *    latest wins whole (a later dislike removes the pair); negative signals are dropped.
 * 4. Hold out the newest 10 % of each user's interactions as the gate set; train the candidate on
 *    the rest within the time budget.
 * 5. Evaluate the candidate, the served model and popularity on the gate set; decide (qualityGate).
 * 6. Passed: publish the candidate — the model trained without the gate set, exactly the one the
 *    gate measured (a refit on everything would publish an unmeasured model and double the
 *    training time; the held-out newest events still reach users at serving time through their
 *    history, and the next run trains on them). Files and report first, models/current.json last.
 *    Rejected: leave the pointer alone, store the report under the candidate's version.
 * 7. Delete versions beyond the retention count (never the current or the previous one).
 *
 * Returns the report. Throws only for failures (S3 errors, bugs): those count as RetrainFailures,
 * and nothing half-published is ever visible, since the pointer is written last.
 */
export async function runRetrain(deps: RetrainDependencies): Promise<RetrainReport> {
  try {
    return await retrain(deps);
  } catch (error) {
    deps.metrics.addMetric('RetrainFailures', MetricUnit.Count, 1);
    deps.logger.error('retrain failed; the served model is unchanged', { error: errorText(error) });
    throw error;
  }
}

async function retrain(deps: RetrainDependencies): Promise<RetrainReport> {
  const { s3, config, logger } = deps;
  const bucket = config.bucketName;
  const now = deps.now ?? (() => new Date());
  const started = now();
  const clock = stopwatch();
  const version = newModelVersion(started);
  logger.info('retrain started', { version, trigger: deps.trigger ?? 'unknown', remainingMs: deps.remainingMs() });

  // 1–3. Read, compact, build the training data (the raw table is released once the data is built).
  const { served, catalog, data, split, dataReport, compaction, readSeconds, compactionSeconds } = await readData(deps, clock);

  // 4. Train, when there is enough data and time.
  const hyperParameters: RecommenderHyperParameters = {
    ...DEFAULT_RECOMMENDER_HYPER_PARAMETERS,
    seed: config.seed,
    ...(config.dim === undefined ? {} : { dim: config.dim }),
    ...(config.maxEpochs === undefined ? {} : { maxEpochs: config.maxEpochs }),
    objective: config.objective,
    ...deps.training?.ranking,
  };
  const servedDim = served.kind === 'loaded' ? [served.model.dim] : [];
  const evaluationPriorMs = evaluationMs(split.evaluatedUsers, data.itemIds.length, [hyperParameters.dim, ...servedDim]);
  const trainUsers = split.train.userIds.length;
  const enoughData = data.userItems.length >= config.minInteractions && split.gateUsers > 0;
  let trained: TrainedModel | undefined;
  let training: RetrainTrainingReport | undefined;
  if (enoughData) {
    ({ trained, training } = trainCandidate(deps, split, served, hyperParameters, {
      evaluationPriorMs,
      evaluationShare: (2 * split.evaluatedUsers) / Math.max(1, trainUsers),
    }));
  }
  const trainSeconds = clock.lap();

  // 5. Gate.
  let candidateMetrics: GateMetrics | undefined;
  let servedMetrics: GateMetrics | undefined;
  let popularity: GateMetrics | undefined;
  let mapping: RetrainGateReport['served']['mapping'];
  if (trained && training && training.epochs > 0) {
    candidateMetrics = evaluateOnGate(split, candidateScorer(trained.model, split.train));
    popularity = evaluateOnGate(split, popularityScorer(split.train));
    if (served.kind === 'loaded') {
      const scorer = servedModelScorer(served, split.train);
      servedMetrics = evaluateOnGate(split, scorer.score);
      mapping = scorer.mapping;
    }
  }
  const evaluateSeconds = clock.lap();
  const decision = decideGate({
    interactions: data.userItems.length,
    minInteractions: config.minInteractions,
    tolerance: config.gateTolerance,
    epochs: training?.error ? 0 : (training?.epochs ?? 0),
    ...(training?.error ? { nonFinite: training.error } : trained ? nonFiniteOf(trained) : {}),
    gateUsers: split.gateUsers,
    ...(candidateMetrics ? { candidate: candidateMetrics } : {}),
    served:
      served.kind === 'loaded'
        ? { kind: 'loaded', version: served.pointer.version, ...(servedMetrics ? { metrics: servedMetrics } : {}) }
        : served.kind === 'unreadable'
          ? { kind: 'unreadable', reason: served.reason }
          : { kind: 'none' },
  });
  let reasons = [...decision.reasons];
  let passed = decision.passed;
  if (passed && deps.remainingMs() < PUBLISH_MIN_MS) {
    passed = false;
    reasons = [`time budget: ${Math.round(deps.remainingMs() / 1000)} s left, too little to publish safely`, ...reasons];
  }
  const gate: RetrainGateReport = {
    passed,
    reasons,
    tolerance: config.gateTolerance,
    minInteractions: config.minInteractions,
    ...(candidateMetrics ? { candidate: candidateMetrics } : {}),
    served: {
      state: served.kind,
      ...(served.kind === 'none'
        ? {}
        : served.kind === 'loaded'
          ? { version: served.pointer.version }
          : served.version
            ? { version: served.version }
            : {}),
      ...(servedMetrics ? { metrics: servedMetrics } : {}),
      ...(mapping ? { mapping } : {}),
    },
    ...(popularity ? { popularity } : {}),
  };
  logger.info(passed ? 'gate passed' : 'gate rejected the candidate', {
    version,
    reasons,
    candidateNdcgAt10: candidateMetrics?.ndcgAt10,
    servedNdcgAt10: servedMetrics?.ndcgAt10,
  });

  // 6. Publish or keep. Training and evaluation held the event loop for minutes: let it handle the
  // socket closes that arrived meanwhile, so the client's pool drops connections S3 has closed
  // before the uploads ask it for one.
  await settleIo();
  const previousVersion = served.kind === 'loaded' ? served.pointer.version : served.kind === 'unreadable' ? served.version : undefined;
  const base = {
    version,
    createdAt: started.toISOString(),
    trigger: deps.trigger ?? 'unknown',
    data: dataReport,
    compaction,
    ...(training ? { training } : {}),
    gate,
    ...(previousVersion ? { previousVersion } : {}),
  };
  const seconds = (publish: number) => ({
    read: readSeconds,
    compaction: compactionSeconds,
    train: trainSeconds,
    evaluate: evaluateSeconds,
    publish,
    total: clock.total(),
  });
  let report: RetrainReport;
  if (passed && trained && training) {
    const publishing: RetrainReport = { ...base, outcome: 'published', finishedAt: now().toISOString(), seconds: seconds(0) };
    const pointer = await publishCandidate(s3, bucket, publishing, trained, data, catalog.items);
    report = { ...publishing, pointer, seconds: seconds(clock.lap()), finishedAt: now().toISOString() };
    deps.metrics.addMetric('ModelsPublished', MetricUnit.Count, 1);
    logger.info('model published', { version, pointer });
  } else {
    report = { ...base, outcome: 'kept', finishedAt: now().toISOString(), seconds: seconds(0) };
    deps.metrics.addMetric('GateRejections', MetricUnit.Count, 1);
    try {
      await putReport(s3, bucket, report);
    } catch (error) {
      logger.warn('the report of the rejected candidate could not be stored', { version, error: errorText(error) });
    }
    report = { ...report, seconds: seconds(clock.lap()) };
  }

  // 7. Retention.
  try {
    const { deleted } = await pruneModelVersions(s3, bucket, { keep: config.keepVersions, now: now() });
    if (deleted.length > 0) logger.info('old model versions deleted', { deleted });
    report = { ...report, pruned: deleted };
  } catch (error) {
    logger.warn('old model versions could not be deleted; the next run retries', { error: errorText(error) });
  }
  logger.info('retrain finished', { version, outcome: report.outcome, seconds: report.seconds });
  return report;
}

/** Steps 1–3 of runRetrain: the events, catalog and served model read, compaction, the training data and its gate split. */
async function readData(deps: RetrainDependencies, clock: ReturnType<typeof stopwatch>) {
  const { s3, config, logger } = deps;
  const bucket = config.bucketName;
  const tombstones = await listTombstones(s3, bucket);
  const [snapshot, catalog, served] = await Promise.all([
    (deps.readEvents ?? readTrainingSnapshot)(s3, bucket, {
      tombstones,
      windowSeconds: config.idempotencyWindowSeconds,
      concurrency: config.readConcurrency,
    }),
    readCatalogSnapshot(s3, bucket, { concurrency: config.readConcurrency }),
    readServedModel(s3, bucket),
  ]);
  const readSeconds = clock.lap();
  logger.info('event log read', {
    ...snapshot.log,
    snapshot: snapshot.id,
    catalogItems: catalog.items.length,
    served: servedLabel(served),
  });
  if (snapshot.log.invalidLines > 0) {
    deps.metrics.addMetric('InvalidEventLines', MetricUnit.Count, snapshot.log.invalidLines);
    logger.warn('malformed event lines skipped', { count: snapshot.log.invalidLines, first: snapshot.invalidSamples });
  }

  let compaction: RetrainReport['compaction'];
  if (snapshot.log.tombstoned > 0 || snapshot.objectsWithStaleCopies > 0) {
    try {
      compaction = await compactEvents(s3, bucket, tombstones);
      logger.info('events compacted', { ...compaction });
    } catch (error) {
      compaction = { error: errorText(error) };
      deps.metrics.addMetric('CompactionFailures', MetricUnit.Count, 1);
      logger.warn('event compaction failed; forgotten users stay excluded from training and the next run retries', compaction);
    }
  } else {
    compaction = { skipped: 'no event of a forgotten user and no stale copy was read' };
  }
  const compactionSeconds = clock.lap();

  const data = buildTrainingData(snapshot.table, catalog.items);
  const split = splitGate(data, { maxUsers: config.gateMaxUsers, seed: config.seed });
  const dataReport: RetrainReport['data'] = {
    snapshot: snapshot.id,
    ...(snapshot.newestKey ? { newestKey: snapshot.newestKey } : {}),
    log: snapshot.log,
    invalidSamples: snapshot.invalidSamples,
    forgottenUsers: tombstones.size,
    catalogItems: catalog.items.length,
    catalogInvalid: catalog.invalid,
    users: data.userIds.length,
    items: data.itemIds.length,
    interactions: data.userItems.length,
    superseded: data.stats.duplicates,
    negatives: data.stats.negatives,
    trainInteractions: split.train.userItems.length,
    gateInteractions: split.gateInteractions,
    gateUsers: split.gateUsers,
    evaluatedUsers: split.evaluatedUsers,
  };
  return { served, catalog, data, split, dataReport, compaction, readSeconds, compactionSeconds };
}

/**
 * Trains the candidate within the time budget; a diverged training is reported, not thrown. The
 * ranking model comes first and gets the budget (less what evaluation and publishing need); the
 * rating head (predicted stars, a secondary output) trains after it only if the time left holds
 * it, otherwise the candidate has none and the report says `skipped`.
 */
function trainCandidate(
  deps: RetrainDependencies,
  split: GateSplit,
  served: ServedModel,
  configured: RecommenderHyperParameters,
  evaluation: { evaluationPriorMs: number; evaluationShare: number },
): { trained?: TrainedModel; training: RetrainTrainingReport } {
  const { config, logger } = deps;
  const train = split.train;
  const warm = servedWarmStart(served, train, configured, config.warmStart);
  const { hyperParameters } = warm;
  logger.info('training starts', { warmStart: warm.report });
  const reserveMs = config.reserveSeconds * 1000;
  const validation = hyperParameters.validationFraction > 0;
  // A selection epoch holds a training step and a validation pass over the users: scaled to the
  // gate's users and models it bounds the evaluation from above, measured on this machine.
  const afterTrainingMs = (selectEpochMs: number | undefined) =>
    reserveMs + (selectEpochMs === undefined ? evaluation.evaluationPriorMs : evaluation.evaluationShare * selectEpochMs);
  const budget = new TrainingBudget({
    remainingMs: deps.remainingMs,
    afterTrainingMs,
    firstEpochMs: firstEpochMs(train.userIds.length, scoredTitles(hyperParameters, train.itemIds.length), hyperParameters.dim),
    patience: hyperParameters.patience,
    maxEpochs: hyperParameters.maxEpochs,
    validation,
    refit: validation && hyperParameters.refit,
  });
  const ratingOption = deps.training?.rating;
  const wantsRating = ratingOption !== false && train.userRatings.some((r) => !Number.isNaN(r));
  const report = (fields: Partial<RetrainTrainingReport>, log: readonly EpochLog[]): RetrainTrainingReport => ({
    hyperParameters,
    epochs: 0,
    stoppedEarly: budget.stoppedEarly,
    ratingHead: false,
    trainSeconds: 0,
    threads: config.threads,
    warmStart: warm.report,
    log,
    ...fields,
  });
  if (!budget.canStart()) {
    logger.warn('no time left to train an epoch', { remainingMs: deps.remainingMs() });
    return { training: { ...report({ ratingHead: wantsRating ? 'skipped' : false }, []), stoppedEarly: true } };
  }
  const started = performance.now();
  const log: EpochLog[] = [];
  let ranking: TrainedModel;
  let rating: RatingModel | undefined;
  let selectEpochMs: number | undefined;
  try {
    ranking = trainModel(train, {
      ranking: hyperParameters,
      rating: false,
      seed: hyperParameters.seed,
      threads: config.threads,
      ...(warm.initialParameters ? { initialParameters: warm.initialParameters } : {}),
      shouldStop: budget.shouldStop,
      onRankingEpoch: (entry) => {
        log.push(entry);
        budget.onEpoch(entry);
        if (entry.phase === 'select') selectEpochMs = Math.max(selectEpochMs ?? 0, entry.seconds * 1000);
        logger.info('epoch', { ...entry });
      },
    });
    if (wantsRating) {
      const needMs = ratingHeadMs(train.userItems.length, ratingOption ?? {});
      if (deps.remainingMs() - afterTrainingMs(selectEpochMs) >= needMs) {
        // The estimate can be far off on a busy machine: the head also stops at the budget.
        rating = trainRatingModel(train, {
          ...ratingOption,
          seed: hyperParameters.seed,
          shouldStop: () => deps.remainingMs() - afterTrainingMs(selectEpochMs) < 0,
        });
      } else {
        logger.warn('rating head skipped: the time left does not hold it', {
          estimatedMs: Math.round(needMs),
          remainingMs: deps.remainingMs(),
        });
      }
    }
  } catch (error) {
    if (!(error instanceof TrainingError)) throw error;
    logger.warn('training diverged', { error: error.message });
    return { training: report({ error: error.message }, log) };
  }
  // The candidate is the model as exported (its item matrices rounded to float16, as model.onnx
  // stores them), so the gate measures, and the finiteness check sees, exactly what is published.
  const trained: TrainedModel = {
    ...ranking,
    model: exportedScoringModel(rating ? { ...ranking.model, rating: rating.head } : ranking.model),
    ...(rating ? { rating } : {}),
    trainSeconds: (performance.now() - started) / 1000,
  };
  return {
    trained,
    training: report(
      {
        // As trained: `objective` resolved to what chooseObjective picked.
        hyperParameters: trained.ranking.hyperParameters,
        epochs: trained.ranking.epochs,
        ...(trained.ranking.validationNdcgAt10 === undefined ? {} : { validationNdcgAt10: trained.ranking.validationNdcgAt10 }),
        stoppedEarly: budget.stoppedEarly,
        ratingHead: rating ? true : wantsRating ? 'skipped' : false,
        ...(rating ? { ratingHyperParameters: { ...DEFAULT_RATING_HYPER_PARAMETERS, ...(ratingOption || {}) } } : {}),
        trainSeconds: trained.trainSeconds,
      },
      log,
    ),
  };
}

/**
 * Exports the candidate (already exportedScoringModel: the export encodes it unchanged) and
 * publishes it with its report: files first, models/current.json last.
 */
async function publishCandidate(
  s3: S3Client,
  bucket: string,
  report: RetrainReport,
  trained: TrainedModel,
  data: BuiltTrainingData,
  catalog: readonly CatalogItem[],
) {
  const { version, gate, training } = report;
  const meta = { properties: { 'marquee.version': version } };
  const recommendGraph = exportRecommendGraph(trained.model, meta);
  const similarGraph = exportSimilarGraph(trained.model, meta);
  const candidate = gate.candidate as GateMetrics;
  const manifest = buildManifest({
    version,
    createdAt: report.createdAt,
    trainingData: {
      snapshot: report.data.snapshot,
      users: data.userIds.length,
      items: data.itemIds.length,
      interactions: report.data.trainInteractions,
    },
    hyperParameters: { ranking: trained.ranking.hyperParameters, rating: training?.ratingHyperParameters ?? null },
    metrics: {
      ...candidate,
      validationNdcgAt10: training?.validationNdcgAt10 ?? null,
      rankingEpochs: trained.ranking.epochs,
      trainSeconds: trained.trainSeconds,
      stoppedEarly: training?.stoppedEarly ?? false,
      baseline: gate.served.metrics && gate.served.version ? { version: gate.served.version, ...gate.served.metrics } : null,
      popularity: gate.popularity ?? null,
    },
    itemIds: data.itemIds,
    vocabulary: data.vocabulary,
    files: { 'model.onnx': recommendGraph, 'similar.onnx': similarGraph },
  });
  return publishModel(s3, bucket, {
    manifest,
    recommendGraph,
    similarGraph,
    // Popularity over all the data, the gate set included: what is popular now.
    items: buildServingItems(data, catalog),
    reports: reportFiles(report),
  });
}

async function putReport(s3: S3Client, bucket: string, report: RetrainReport): Promise<void> {
  for (const [name, body] of Object.entries(reportFiles(report))) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: modelFileKey(report.version, name),
        Body: body,
        ContentType: name.endsWith('.svg') ? 'image/svg+xml' : 'application/json',
      }),
    );
  }
}

function reportFiles(report: RetrainReport): Record<string, string> {
  const { gate, data } = report;
  const metric = (m: GateMetrics | undefined) => (m ? m.ndcgAt10.toFixed(4) : 'n/a');
  const notes = [
    `${report.outcome === 'published' ? 'published' : 'kept the served model'}: ${gate.reasons.join('; ')}`,
    `gate nDCG@10 (${data.evaluatedUsers} users): candidate ${metric(gate.candidate)}, ` +
      `${gate.served.metrics ? `served ${gate.served.version} ${metric(gate.served.metrics)}` : `served model: ${gate.served.state}`}, popularity ${metric(gate.popularity)}`,
    `${data.interactions} interactions of ${data.users} users on ${data.items} titles; ${data.log.invalidLines} malformed lines skipped`,
  ];
  return {
    [REPORT_FILES.json]: `${JSON.stringify(report, null, 2)}\n`,
    [REPORT_FILES.chart]: renderTrainingChart(report.training?.log ?? [], { title: `Model ${report.version}: training`, notes }),
  };
}

function nonFiniteOf(trained: TrainedModel): { nonFinite?: string } {
  const where = firstNonFinite(trained.model);
  return where === undefined ? {} : { nonFinite: where };
}

function servedLabel(served: ServedModel): string {
  return served.kind === 'loaded' ? served.pointer.version : served.kind;
}

/** One turn of the event loop's I/O phase (and the timers before it). */
function settleIo(): Promise<void> {
  return new Promise((resolve) => setTimeout(() => setImmediate(resolve), 0));
}

function stopwatch() {
  const start = performance.now();
  let last = start;
  return {
    /** Seconds since the previous lap. */
    lap(): number {
      const t = performance.now();
      const seconds = (t - last) / 1000;
      last = t;
      return round(seconds);
    },
    total: () => round((performance.now() - start) / 1000),
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Titles an epoch scores per user: the catalog (full softmax) or the shared negatives (sampled). */
function scoredTitles(hp: RecommenderHyperParameters, titles: number): number {
  const negatives = hp.negatives + hp.batchNegatives;
  return chooseObjective(hp.objective, { titles, negatives }) === 'full' ? titles : Math.min(titles, negatives);
}
