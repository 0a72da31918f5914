import type { S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createAwsClients } from '../commons/awsClients.ts';
import { logger, metrics } from '../commons/observability.ts';
import { loadRetrainConfig, type RetrainConfig } from './retrainConfig.ts';
import type { RetrainReport } from './retrainReport.ts';
import { runRetrain, type RetrainDependencies } from './runRetrain.ts';

/**
 * What invokes the function: the EventBridge schedule (a Scheduled Event, `source: aws.events`),
 * `npx marquee retrain` and the local service's schedule (`source: marquee.cli` / `marquee.local`).
 * Nothing in it changes what the run does; `source` is recorded in the report.
 */
export interface RetrainEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
}

export interface RetrainHandlerOptions {
  /** The S3 client and settings; by default the SDK client and the environment's (read at the first run). */
  readonly stores?: () => { s3: S3Client; config: RetrainConfig };
  /** Passed through to runRetrain (tests: small models, a clock). */
  readonly overrides?: Pick<RetrainDependencies, 'training' | 'now'>;
}

/** The run time assumed when the caller gives no Lambda context (a local invoke): Lambda's maximum. */
const DEFAULT_BUDGET_MS = 15 * 60_000;

/**
 * The retrain function: runRetrain (read events → train → gate → publish or keep) under the
 * Lambda context's time budget. Returns the report; throws when the run fails (counted as
 * RetrainFailures), so that the invocation is marked failed and the schedule's retry and
 * dead-letter destination apply. Metrics (Marquee namespace): GateRejections, RetrainFailures,
 * ModelsPublished, InvalidEventLines, CompactionFailures.
 */
export function createRetrainHandler(options: RetrainHandlerOptions = {}) {
  let stores: { s3: S3Client; config: RetrainConfig } | undefined;
  const resolveStores = options.stores ?? defaultStores;

  const retrain = async (event: RetrainEvent | undefined, context: Context | undefined): Promise<RetrainReport> => {
    const started = Date.now();
    try {
      stores ??= resolveStores();
    } catch (error) {
      // A bad configuration fails every run: counted like any failure, so that the alarm sees it.
      metrics.addMetric('RetrainFailures', MetricUnit.Count, 1);
      logger.error('retrain cannot start: bad configuration', { error: (error as Error).message });
      throw error;
    }
    const remainingMs =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? () => context.getRemainingTimeInMillis()
        : () => DEFAULT_BUDGET_MS - (Date.now() - started);
    return runRetrain({
      s3: stores.s3,
      config: stores.config,
      remainingMs,
      logger,
      metrics,
      trigger: typeof event?.source === 'string' ? event.source : 'unknown',
      ...options.overrides,
    });
  };

  return middy<RetrainEvent | undefined, RetrainReport>().use(injectLambdaContext(logger)).use(logMetrics(metrics)).handler(retrain);
}

function defaultStores(): { s3: S3Client; config: RetrainConfig } {
  const config = loadRetrainConfig();
  return { s3: createAwsClients(config).s3, config };
}

export const handler = createRetrainHandler();
