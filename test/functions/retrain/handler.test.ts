import type { S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { ConfigError } from '../../../functions/commons/config.ts';
import { metrics } from '../../../functions/commons/observability.ts';
import { createRetrainHandler } from '../../../functions/retrain/handler.ts';
import { loadRetrainConfig } from '../../../functions/retrain/retrainConfig.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { freshBucket, QUICK_TRAINING, readPointer, retrainConfig, seedDemo } from './retrainFixtures.ts';

/** A Lambda context with `remainingMs` left at every call. */
function lambdaContext(remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'marquee-retrain',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:marquee-retrain',
    memoryLimitInMB: '3008',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/marquee-retrain',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const SCHEDULED_EVENT = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-29T03:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/marquee-retrain'],
  detail: {},
};

describe('the retrain handler', () => {
  withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('runs on the schedule event and returns the report, counting a publication', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const added = vi.spyOn(metrics, 'addMetric');
    const handler = createRetrainHandler({
      stores: () => ({ s3, config: retrainConfig(bucket) }),
      overrides: { training: QUICK_TRAINING },
    });
    const report = await handler(SCHEDULED_EVENT, lambdaContext(15 * 60_000));
    expect(report.outcome).toBe('published');
    expect(report.trigger).toBe('aws.events');
    expect((await readPointer(s3, bucket))?.version).toBe(report.version);
    expect(added).toHaveBeenCalledWith('ModelsPublished', 'Count', 1);
  });

  it('counts a gate rejection, and fails the invocation with RetrainFailures when the run fails', async () => {
    const bucket = await freshBucket(s3);
    const added = vi.spyOn(metrics, 'addMetric');
    const handler = createRetrainHandler({
      stores: () => ({ s3, config: retrainConfig(bucket) }),
      overrides: { training: QUICK_TRAINING },
    });
    const empty = await handler({ source: 'marquee.cli' }, lambdaContext(15 * 60_000));
    expect(empty.outcome).toBe('kept');
    expect(added).toHaveBeenCalledWith('GateRejections', 'Count', 1);

    const missing = createRetrainHandler({ stores: () => ({ s3, config: retrainConfig('no-such-bucket-here') }) });
    await expect(missing(SCHEDULED_EVENT, lambdaContext(15 * 60_000))).rejects.toThrow();
    expect(added).toHaveBeenCalledWith('RetrainFailures', 'Count', 1);

    added.mockClear();
    const misconfigured = createRetrainHandler({ stores: () => loadRetrainConfig({}) as never });
    await expect(misconfigured(SCHEDULED_EVENT, lambdaContext(15 * 60_000))).rejects.toBeInstanceOf(ConfigError);
    expect(added).toHaveBeenCalledWith('RetrainFailures', 'Count', 1);
  });
});

describe('the retrain bundle', () => {
  it('imports no onnxruntime (routes.ts: usesOnnxRuntime false): the gate scores with the TypeScript scorer', async () => {
    const result = await build({
      entryPoints: ['functions/retrain/handler.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    });
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
    expect(imports).toContain('@aws-sdk/client-s3');
    expect(imports.filter((path) => path.startsWith('onnxruntime'))).toEqual([]);
  });
});
