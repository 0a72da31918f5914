import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { ServiceUnavailableError } from '../../../functions/commons/httpErrors.ts';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ModelLoader, withModel, type ModelContext, type ModelLoaderOptions } from '../../../functions/commons/modelLoader.ts';
import { publishModel } from '../../../functions/commons/modelPublisher.ts';
import { ServingRecommender } from '../../../functions/commons/servingRecommender.ts';
import { CURRENT_MODEL_KEY, modelFileKey } from '../../../functions/commons/storageLayout.ts';
import { buildManifest, exportRecommendGraph, exportSimilarGraph } from '../../../model/index.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';
import { lambdaContext } from '../../helpers/apiGatewayEvent.ts';
import { buildTestModel, publishTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

describe('ModelLoader against s3rver', () => {
  const local = withLocalAws();
  let s3: S3Client;
  let bucket: string;
  const loaders: ModelLoader<unknown>[] = [];

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
    bucket = local().bucketName;
  });

  afterEach(async () => {
    await Promise.all(loaders.splice(0).map((loader) => loader.close()));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY }));
  });

  /** A loader with a hand-driven clock, spies for logs and metrics, and the real recommender build. */
  function makeLoader(overrides: Partial<ModelLoaderOptions<ServingRecommender>> = {}) {
    const clock = { now: 0 };
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const metrics = { addMetric: vi.fn() };
    const disposed: string[] = [];
    const loader = new ModelLoader<ServingRecommender>({
      name: 'test',
      s3,
      bucket,
      files: ServingRecommender.files(['recommend']),
      build: (version) => ServingRecommender.create(version, ['recommend']),
      dispose: async (model) => {
        disposed.push(model.version);
        await model.dispose();
      },
      refreshIntervalMs: 60_000,
      retryIntervalMs: 5_000,
      now: () => clock.now,
      logger,
      metrics,
      ...overrides,
    });
    loaders.push(loader as ModelLoader<unknown>);
    const failures = () => metrics.addMetric.mock.calls.filter(([name]) => name === 'ModelLoadFailures').length;
    return { loader, clock, logger, metrics, disposed, failures };
  }

  async function currentVersion(loader: ModelLoader<ServingRecommender>): Promise<string> {
    const lease = await loader.acquire();
    lease.release();
    return lease.version;
  }

  /** Publishes `version` with one byte of model.onnx flipped after the manifest was hashed. */
  async function publishCorrupt(version: string, seed: number): Promise<void> {
    const { files } = buildTestModel({ version, seed });
    const pointer = await publishModel(s3, bucket, files, { movePointer: false });
    const corrupt = files.recommendGraph.slice();
    corrupt[corrupt.length >> 1] ^= 0xff;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: modelFileKey(version, 'model.onnx'), Body: corrupt }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: JSON.stringify(pointer) }));
  }

  it('loads the published version at prefetch and serves it; reports 503 with Retry-After when nothing is published', async () => {
    const empty = makeLoader();
    empty.loader.prefetch();
    const error = await empty.loader.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).statusCode).toBe(503);
    expect(Number((error as ServiceUnavailableError).headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(empty.failures()).toBe(0);

    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const { loader, metrics, logger } = makeLoader();
    loader.prefetch();
    expect(loader.status().state).toBe('loading');
    expect(await currentVersion(loader)).toBe('v1');
    expect(loader.status()).toMatchObject({ state: 'loaded', version: 'v1' });
    expect(metrics.addMetric).toHaveBeenCalledWith('ModelLoadMs', 'Milliseconds', expect.any(Number));
    expect(logger.info).toHaveBeenCalledWith('model loaded', expect.objectContaining({ modelVersion: 'v1', coldStart: true }));
  });

  it('with no model, retries at most once per retry interval and recovers by itself once a model appears', async () => {
    const { loader, clock } = makeLoader({ retryIntervalMs: 5_000 });
    await expect(loader.acquire()).rejects.toBeInstanceOf(ServiceUnavailableError);
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    clock.now += 2_000;
    // Within the retry interval: no new attempt, and Retry-After says how long is left.
    const error = (await loader.acquire().catch((e: unknown) => e)) as ServiceUnavailableError;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.headers['Retry-After']).toBe('3');
    clock.now += 3_000;
    expect(await currentVersion(loader)).toBe('v1');
  });

  it('a busy container checks every half refresh interval in the background and swaps to the new version', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const { loader, clock } = makeLoader({ refreshIntervalMs: 60_000 });
    expect(await currentVersion(loader)).toBe('v1');
    await publishTestModel(s3, bucket, { version: 'v2', seed: 5 });
    clock.now += 29_000;
    expect(await currentVersion(loader)).toBe('v1');
    expect(loader.status().state).toBe('loaded');
    clock.now += 1_000;
    // This request still gets v1: the served version was confirmed half an interval ago, and the
    // check it starts runs in the background.
    expect(await currentVersion(loader)).toBe('v1');
    await loader.refresh();
    expect(await currentVersion(loader)).toBe('v2');
  });

  it('after an idle spell the first request waits for the check: no version is served past the refresh interval', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const { loader, clock } = makeLoader({ refreshIntervalMs: 60_000 });
    expect(await currentVersion(loader)).toBe('v1');
    await publishTestModel(s3, bucket, { version: 'v2', seed: 5 });
    // Nothing asked for a whole interval: the pointer moved meanwhile, so v1 may no longer be served.
    clock.now += 61_000;
    expect(await currentVersion(loader)).toBe('v2');
    // An unchanged pointer costs the idle request one read, and it keeps its version.
    clock.now += 120_000;
    expect(await currentVersion(loader)).toBe('v2');
    expect(loader.status()).toMatchObject({ state: 'loaded', version: 'v2' });
    expect(loader.status().problem).toBeUndefined();
  });

  it('keeps a replaced version until the last request holding it releases it', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const { loader, disposed } = makeLoader();
    const held = await loader.acquire();
    await publishTestModel(s3, bucket, { version: 'v2', seed: 5 });
    expect(await loader.refresh()).toBe('loaded');
    const next = await loader.acquire();
    expect(next.version).toBe('v2');
    expect(held.version).toBe('v1');
    expect(disposed).toEqual([]);
    expect(loader.status().draining).toBe(1);
    // The held version still answers.
    const answer = await held.model.recommend({
      history: [{ itemId: 'm1', weight: 1 }],
      count: 3,
      filter: { genres: [] },
      exclude: [],
      excludeSeen: true,
      explain: false,
    });
    expect(answer.modelVersion).toBe('v1');
    expect(answer.items).toHaveLength(3);
    held.release();
    held.release(); // idempotent
    await vi.waitFor(() => expect(disposed).toEqual(['v1']));
    expect(loader.status().draining).toBe(0);
    next.release();
    expect(disposed).toEqual(['v1']);
  });

  it('rejects a corrupt new version: the old one keeps serving, the failure is logged once and counted', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const { loader, clock, logger, failures } = makeLoader({ refreshIntervalMs: 60_000, retryIntervalMs: 5_000 });
    expect(await currentVersion(loader)).toBe('v1');
    await publishCorrupt('v2', 5);
    expect(await loader.refresh()).toBe('rejected');
    expect(await currentVersion(loader)).toBe('v1');
    expect(failures()).toBe(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      'model rejected',
      expect.objectContaining({ modelVersion: 'v2', servingVersion: 'v1', reason: expect.stringMatching(/sha256/) }),
    );
    expect(loader.status()).toMatchObject({
      version: 'v1',
      problem: { kind: 'rejected', version: 'v2', reason: expect.stringMatching(/sha256/) },
    });
    // The same pointer is not downloaded again before its backoff (first the retry interval)…
    clock.now += 4_000;
    expect(await loader.refresh()).toBe('skipped');
    expect(failures()).toBe(1);
    // …and after it, a retry that fails again is counted but not logged as an error again.
    clock.now += 1_000;
    expect(await loader.refresh()).toBe('rejected');
    expect(failures()).toBe(2);
    expect(logger.error).toHaveBeenCalledTimes(1);
    // A good version published later is taken at once.
    await publishTestModel(s3, bucket, { version: 'v3', seed: 3 });
    expect(await loader.refresh()).toBe('loaded');
    expect(await currentVersion(loader)).toBe('v3');
  });

  it('retries a rejected version with a backoff doubling up to the refresh interval; a version fixed in place is served, and Retry-After says when', async () => {
    const { loader, clock, failures } = makeLoader({ refreshIntervalMs: 60_000, retryIntervalMs: 5_000 });
    // The pointer names a version whose files are not there (yet): "missing version".
    const { files } = buildTestModel({ version: 'v-late', seed: 3 });
    const pointer = await publishModel(s3, bucket, files, { movePointer: false });
    for (const name of ['manifest.json', 'model.onnx', 'items.json'])
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: modelFileKey('v-late', name) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: JSON.stringify(pointer) }));

    const retryAfters: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const error = (await loader.acquire().catch((e: unknown) => e)) as ServiceUnavailableError;
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toMatch(/model v-late failed its checks .*has no manifest\.json.*tried again in \d+ s/);
      expect(failures()).toBe(attempt);
      const seconds = Number(error.headers['Retry-After']);
      retryAfters.push(seconds);
      // Just before the time Retry-After gave, a request does not make it try again…
      clock.now += seconds * 1000 - 1;
      await expect(loader.acquire()).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(failures()).toBe(attempt);
      // …the next request at that time does (the loop's next acquire).
      clock.now += 1;
    }
    expect(retryAfters).toEqual([5, 10, 20, 40, 60, 60]);
    expect(loader.status().problem).toMatchObject({ kind: 'rejected', version: 'v-late', retryInSeconds: expect.any(Number) });

    // Fixed in place: the same pointer, now with its files, is served at the next retry.
    await publishModel(s3, bucket, files, { movePointer: false });
    clock.now += 60_000;
    expect(await currentVersion(loader)).toBe('v-late');
    expect(loader.status().problem).toBeUndefined();
  });

  it('before any model is published, the 503 says so and how to get one', async () => {
    const { loader } = makeLoader();
    const error = (await loader.acquire().catch((e: unknown) => e)) as ServiceUnavailableError;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toMatch(/no recommendation model has been published yet: train one with `npx marquee retrain`/);
    expect(error.message).not.toMatch(/retry shortly/);
    expect(error.headers['Retry-After']).toBe('5');
    expect(loader.status()).toMatchObject({ state: 'none', problem: { kind: 'no-model', retryInSeconds: 5 } });
  });

  it('rejects a truncated file, a manifest that does not match the pointer, and items.json of other items', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const { loader, failures, logger } = makeLoader();
    expect(await currentVersion(loader)).toBe('v1');
    const lastReason = () => (logger.error.mock.calls.at(-1)![1] as { reason: string }).reason;

    const truncated = buildTestModel({ version: 'v-truncated', seed: 5 });
    const pointer = await publishModel(s3, bucket, truncated.files, { movePointer: false });
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: modelFileKey('v-truncated', 'model.onnx'),
        Body: truncated.files.recommendGraph.subarray(0, 1000),
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: JSON.stringify(pointer) }));
    expect(await loader.refresh()).toBe('rejected');
    expect(lastReason()).toMatch(/model\.onnx of model v-truncated: 1000 bytes/);

    const other = buildTestModel({ version: 'v-pointer', seed: 5 });
    const otherPointer = await publishModel(s3, bucket, other.files, { movePointer: false });
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: JSON.stringify({ ...otherPointer, sha256: 'a'.repeat(64) }) }),
    );
    expect(await loader.refresh()).toBe('rejected');
    expect(lastReason()).toMatch(/manifest of model v-pointer: sha256 .* the pointer says a{64}/);

    const items = buildTestModel({ version: 'v-items', seed: 5 });
    const reversed = { items: [...items.files.items.items].reverse() };
    await publishModel(s3, bucket, { ...items.files, items: reversed });
    expect(await loader.refresh()).toBe('rejected');
    expect(lastReason()).toMatch(/items\.json of model v-items: entry 0 does not describe item /);

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: '{"version": "v1"' }));
    expect(await loader.refresh()).toBe('rejected');
    expect(lastReason()).toMatch(/current\.json is not JSON/);

    expect(failures()).toBe(4);
    expect(await currentVersion(loader)).toBe('v1');
  });

  it('rejects graphs whose size differs from the manifest even when every hash matches', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const { loader, logger } = makeLoader();
    expect(await currentVersion(loader)).toBe('v1');
    const good = buildTestModel({ version: 'v-big', seed: 3 });
    const itemCount = good.files.manifest.itemIds.length;
    const bigger = randomScoringModel({ items: itemCount + 1, features: good.files.manifest.vocabulary.length, dim: 8, seed: 1 });
    const recommendGraph = exportRecommendGraph(bigger);
    const similarGraph = exportSimilarGraph(bigger);
    const { files: _files, formatVersion: _format, ...fields } = good.files.manifest;
    const manifest = buildManifest({ ...fields, files: { 'model.onnx': recommendGraph, 'similar.onnx': similarGraph } });
    await publishModel(s3, bucket, { ...good.files, manifest, recommendGraph, similarGraph });
    expect(await loader.refresh()).toBe('rejected');
    expect(logger.error).toHaveBeenCalledWith(
      'model rejected',
      expect.objectContaining({ reason: expect.stringMatching(/more than the manifest/) }),
    );
    expect(await currentVersion(loader)).toBe('v1');
  });

  it('counts a transient S3 failure and keeps serving; the next check loads normally', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    // A client whose endpoint refuses connections: the failure a real server cannot be asked to produce.
    const unreachable = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, maxAttempts: 1 });
    const broken = makeLoader({ s3: unreachable });
    await expect(broken.loader.acquire()).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(broken.failures()).toBe(1);
    expect(broken.logger.warn).toHaveBeenCalledWith('model load failed', expect.anything());
    unreachable.destroy();

    const { loader } = makeLoader();
    expect(await currentVersion(loader)).toBe('v1');
  });

  it('withModel hands each request its version on a context of its own, and releases it even when the handler fails', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    const disposed: string[] = [];
    const loader = new ModelLoader<{ version: string }>({
      name: 'manifest-only',
      s3,
      bucket,
      files: [],
      build: async (version) => ({ version: version.manifest.version }),
      dispose: (model) => void disposed.push(model.version),
      refreshIntervalMs: 60_000,
    });
    loaders.push(loader as ModelLoader<unknown>);
    const shared = lambdaContext();
    const handler = middy<unknown, string, Error, Context & ModelContext<{ version: string }>>()
      .use(withModel(loader))
      .handler(async (event, context) => {
        if (event === 'fail') throw new Error('boom');
        return `${context.modelVersion}/${context.model.version}`;
      });
    expect(await handler('ok', shared as Context & ModelContext<{ version: string }>)).toBe('v1/v1');
    expect('model' in shared).toBe(false);
    await expect(handler('fail', shared as Context & ModelContext<{ version: string }>)).rejects.toThrow('boom');
    await publishTestModel(s3, bucket, { version: 'v2', seed: 5 });
    expect(await loader.refresh()).toBe('loaded');
    // No request holds v1 any more, the failed one included: released at once.
    await vi.waitFor(() => expect(disposed).toEqual(['v1']));
  });

  it('a request waits for a cold load no longer than it may, gets 503, and the load carries on', async () => {
    await publishTestModel(s3, bucket, { version: 'v1', seed: 3 });
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const loader = new ModelLoader<{ version: string }>({
      name: 'slow',
      s3,
      bucket,
      files: [],
      build: async (version) => {
        await gate;
        return { version: version.manifest.version };
      },
      refreshIntervalMs: 60_000,
      logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      metrics: { addMetric: vi.fn() },
    });
    loaders.push(loader as ModelLoader<unknown>);
    loader.prefetch();
    const error = (await loader.acquire(50).catch((e: unknown) => e)) as ServiceUnavailableError;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.headers['Retry-After']).toBe('1');
    expect(loader.status().state).toBe('loading');
    finish();
    const lease = await loader.acquire(5_000);
    expect(lease.version).toBe('v1');
    lease.release();
  });
});
