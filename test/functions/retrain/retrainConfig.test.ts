import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/commons/config.ts';
import { loadRetrainConfig } from '../../../functions/retrain/retrainConfig.ts';

describe('loadRetrainConfig', () => {
  it('needs only the bucket and documents its defaults: one training thread per core, warm starts on', () => {
    expect(loadRetrainConfig({ BUCKET_NAME: 'marquee-data' })).toEqual({
      bucketName: 'marquee-data',
      s3ForcePathStyle: false,
      idempotencyWindowSeconds: 86_400,
      gateTolerance: 0.01,
      minInteractions: 1000,
      keepVersions: 5,
      gateMaxUsers: 10_000,
      reserveSeconds: 60,
      readConcurrency: 32,
      seed: 42,
      threads: availableParallelism(),
      warmStart: true,
      objective: 'auto',
    });
  });

  it('reads every setting from its variable', () => {
    const config = loadRetrainConfig({
      BUCKET_NAME: 'b-1',
      S3_FORCE_PATH_STYLE: 'true',
      IDEMPOTENCY_WINDOW_HOURS: '2',
      RETRAIN_GATE_TOLERANCE: '0.02',
      RETRAIN_MIN_INTERACTIONS: '50',
      RETRAIN_KEEP_VERSIONS: '3',
      RETRAIN_GATE_MAX_USERS: '100',
      RETRAIN_RESERVE_SECONDS: '30',
      RETRAIN_READ_CONCURRENCY: '4',
      RETRAIN_DIM: '32',
      RETRAIN_MAX_EPOCHS: '12',
      RETRAIN_SEED: '7',
      RETRAIN_THREADS: '4',
      RETRAIN_WARM_START: 'false',
      RETRAIN_OBJECTIVE: 'sampled',
    });
    expect(config).toMatchObject({
      s3ForcePathStyle: true,
      idempotencyWindowSeconds: 7200,
      gateTolerance: 0.02,
      minInteractions: 50,
      keepVersions: 3,
      gateMaxUsers: 100,
      reserveSeconds: 30,
      readConcurrency: 4,
      dim: 32,
      maxEpochs: 12,
      seed: 7,
      threads: 4,
      warmStart: false,
      objective: 'sampled',
    });
  });

  it('names every bad setting', () => {
    expect(() => loadRetrainConfig({})).toThrow(ConfigError);
    expect(() => loadRetrainConfig({ BUCKET_NAME: 'bucket', RETRAIN_GATE_TOLERANCE: '-1', RETRAIN_KEEP_VERSIONS: '0' })).toThrow(
      /RETRAIN_GATE_TOLERANCE.*RETRAIN_KEEP_VERSIONS/,
    );
    expect(() => loadRetrainConfig({ BUCKET_NAME: 'bucket', RETRAIN_OBJECTIVE: 'fast' })).toThrow(/RETRAIN_OBJECTIVE/);
  });
});
