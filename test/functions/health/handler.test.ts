import { build } from 'esbuild';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { ModelLoaderStatus } from '../../../functions/commons/modelLoader.ts';
import { logger } from '../../../functions/commons/observability.ts';
import { ServingReadiness } from '../../../functions/commons/servingReadiness.ts';
import { CURRENT_MODEL_KEY } from '../../../functions/commons/storageLayout.ts';
import { createHealthHandler, handler } from '../../../functions/health/handler.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

const health = apiGatewayEvent({ method: 'GET', resource: '/v1/health' });

describe('Health handler', () => {
  it('answers 200 {status: "degraded"} and nothing else with no configuration (no model can be served)', async () => {
    const result = await invoke(handler, health);
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ status: 'degraded' });
  });

  it('405 for another method', async () => {
    const result = await invoke(handler, apiGatewayEvent({ method: 'DELETE', resource: '/v1/health' }));
    expect(result.statusCode).toBe(405);
  });
});

describe('Health handler against s3rver: says only {status}, degraded while serving has no model', () => {
  const local = withLocalAws();
  let s3: S3Client;
  beforeAll(() => {
    logger.setLogLevel('SILENT');
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  /** A health handler over the local bucket, with a hand-driven clock and this process's loaders given. */
  function healthOf(loaders: ModelLoaderStatus[] = []) {
    const clock = { now: 0 };
    const readiness = new ServingReadiness({ s3, bucket: local().bucketName, ttlMs: 5_000, loaders: () => loaders, now: () => clock.now });
    const status = async () => {
      const result = await invoke(createHealthHandler({ readiness: () => readiness }), health);
      expect(result.statusCode).toBe(200);
      expect(Object.keys(result.body)).toEqual(['status']);
      return result.body.status;
    };
    return { status, clock };
  }

  it('degraded before a model is published, ok once one is, degraded when the pointer names a version that cannot be served', async () => {
    const { status, clock } = healthOf();
    expect(await status()).toBe('degraded');

    const published = await publishTestModel(s3, local().bucketName, { version: 'h1', seed: 3 });
    // Cached until the next read of the pointer…
    expect(await status()).toBe('degraded');
    clock.now += 5_000;
    expect(await status()).toBe('ok');

    // …a pointer to a version that is not there, or whose manifest does not match it.
    await s3.send(
      new PutObjectCommand({
        Bucket: local().bucketName,
        Key: CURRENT_MODEL_KEY,
        Body: JSON.stringify({ version: 'h-missing', sha256: 'a'.repeat(64) }),
      }),
    );
    clock.now += 5_000;
    expect(await status()).toBe('degraded');
    await s3.send(
      new PutObjectCommand({
        Bucket: local().bucketName,
        Key: CURRENT_MODEL_KEY,
        Body: JSON.stringify({ ...published.pointer, sha256: 'b'.repeat(64) }),
      }),
    );
    clock.now += 5_000;
    expect(await status()).toBe('degraded');

    await s3.send(new PutObjectCommand({ Bucket: local().bucketName, Key: CURRENT_MODEL_KEY, Body: JSON.stringify(published.pointer) }));
    clock.now += 5_000;
    expect(await status()).toBe('ok');
  });

  it('degraded while a serving function of this process (the local service) has no model', async () => {
    await publishTestModel(s3, local().bucketName, { version: 'h2', seed: 3 });
    const loaders: ModelLoaderStatus[] = [
      { name: 'recommend-model', state: 'loaded', version: 'h2', draining: 0 },
      { name: 'similar-model', state: 'none', draining: 0 },
    ];
    expect(await healthOf(loaders).status()).toBe('degraded');
    expect(await healthOf(loaders.slice(0, 1)).status()).toBe('ok');
  });
});

describe('function bundles', () => {
  /** The packages a handler's bundle imports at run time (everything else bundled in). */
  async function externalImports(entry: string): Promise<string[]> {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    });
    return Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  }

  it.each(['functions/health/handler.ts', 'functions/popular/handler.ts', 'functions/modelInfo/handler.ts'])(
    '%s does not import onnxruntime (routes.ts: usesOnnxRuntime false)',
    async (entry) => {
      const imports = await externalImports(entry);
      expect(imports.length).toBeGreaterThan(0);
      expect(imports.filter((path) => path.startsWith('onnxruntime'))).toEqual([]);
    },
  );

  it.each(['functions/recommend/handler.ts', 'functions/similar/handler.ts', 'functions/rank/handler.ts'])(
    '%s imports onnxruntime-node',
    async (entry) => {
      expect(await externalImports(entry)).toContain('onnxruntime-node');
    },
  );
});
