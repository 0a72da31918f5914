import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { FUNCTIONS } from '../../../functions/routes.ts';
import { MarqueeFunction } from '../../../infra/constructs/marqueeFunction.ts';
import { FUNCTION_METADATA_KEY, type FunctionMetadata } from '../../../infra/constructs/templateMetadata.ts';
import { readMarqueeConfig } from '../../../infra/stacks/marqueeConfig.ts';
import { addMarqueeStacks, PROJECT_ROOT, stackNames } from '../../../infra/stacks/marqueeStacks.ts';
import { apiGatewayEvent } from '../../helpers/apiGatewayEvent.ts';
import { publishTestModel, type PublishedTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { cdkJsonContext } from '../stacks/testApp.ts';

const run = promisify(execFile);
const MB = 1024 * 1024;
/** Bundling every API function takes a while on a busy machine. */
const BUNDLING_TIMEOUT = 600_000;

interface FunctionAsset {
  readonly dir: string;
  readonly environment: Record<string, unknown>;
}

/** Every file under `dir`, relative to it, with its size. */
function filesOf(dir: string): { readonly path: string; readonly bytes: number }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const full = join(entry.parentPath, entry.name);
      return { path: relative(dir, full), bytes: statSync(full).size };
    });
}

/**
 * Runs the bundled handler as Lambda would: plain Node (no tsx, no vitest), working directory the
 * asset, nothing above it to resolve modules from, the function's environment from the template.
 */
async function invokeAsset(
  asset: FunctionAsset,
  env: Record<string, string>,
  events: readonly APIGatewayProxyEvent[],
): Promise<APIGatewayProxyResult[]> {
  const resultFile = join(asset.dir, '..', `result-${Date.now()}.json`);
  const script = `
    import { writeFileSync } from 'node:fs';
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(asset.dir, 'index.mjs')).href)});
    const events = JSON.parse(process.env.TEST_EVENTS);
    const results = [];
    for (const event of events) {
      const context = {
        functionName: 'Recommend', functionVersion: '$LATEST', memoryLimitInMB: '1024', awsRequestId: crypto.randomUUID(),
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Recommend', logGroupName: '/aws/lambda/Recommend',
        logStreamName: 'asset-test', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 10000,
      };
      results.push(await handler(event, context));
    }
    writeFileSync(process.env.TEST_RESULT_FILE, JSON.stringify(results));
    process.exit(0);
  `;
  await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: asset.dir,
    env: { PATH: process.env.PATH, ...env, TEST_EVENTS: JSON.stringify(events), TEST_RESULT_FILE: resultFile },
    timeout: 60_000,
    maxBuffer: 16 * MB,
  });
  return JSON.parse(readFileSync(resultFile, 'utf8')) as APIGatewayProxyResult[];
}

describe('the synthesized serving asset (what `cdk deploy` uploads)', () => {
  const local = withLocalAws();
  const outdir = mkdtempSync(join(tmpdir(), 'marquee-cdk-out-'));
  const assets = new Map<string, FunctionAsset>();
  let apiStackName: string;

  beforeAll(() => {
    // The app exactly as `cdk synth` builds it (cdk.json context, the real functions/routes.ts),
    // bundling the API stack only: the serving functions live there.
    const context = cdkJsonContext();
    const app = new App({
      outdir,
      context: { ...context, 'aws:cdk:bundling-stacks': [stackNames('dev').api] },
      builtinCloudFormationValidation: false,
    });
    const config = readMarqueeConfig(app.node);
    apiStackName = addMarqueeStacks(app, config).api.stackName;
    const template = app.synth().getStackByName(apiStackName).template as {
      Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> }>;
    };
    for (const resource of Object.values(template.Resources)) {
      const metadata = resource.Metadata?.[FUNCTION_METADATA_KEY] as FunctionMetadata | undefined;
      if (resource.Type !== 'AWS::Lambda::Function' || !metadata) continue;
      const hash = (resource.Properties.Code.S3Key as string).replace(/\.zip$/, '');
      assets.set(metadata.name, { dir: join(outdir, `asset.${hash}`), environment: resource.Properties.Environment.Variables });
    }
  }, BUNDLING_TIMEOUT);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const recommend = (): FunctionAsset => {
    const asset = assets.get('Recommend');
    if (!asset) throw new Error('functions/recommend/handler.ts is missing: no Recommend asset was synthesized');
    return asset;
  };

  it('holds the bundle and onnxruntime for linux/x64 only: no other platform, no GPU provider, no source maps', () => {
    const files = filesOf(recommend().dir).map((file) => file.path);
    expect(files).toContain('index.mjs');
    const native = files.filter((path) => /\.(node|so(\.\d+)*|dylib|dll)$/.test(path)).sort();
    expect(native).toEqual([
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    ]);
    expect(files.filter((path) => /darwin|win32|arm64|cuda|tensorrt|\.map$|\.d\.ts$|index\.meta\.json/i.test(path))).toEqual([]);
    expect(new Set(files.filter((path) => path.startsWith('node_modules/')).map((path) => path.split('/')[1]))).toEqual(
      new Set(['onnxruntime-node', 'onnxruntime-common']),
    );
  });

  it('fits Lambda with room: at most 100 MB unzipped (the limit is 250 MB)', () => {
    const bytes = filesOf(recommend().dir).reduce((sum, file) => sum + file.bytes, 0);
    expect(bytes).toBeGreaterThan(40 * MB); // onnxruntime's linux/x64 library alone is about 46 MB
    expect(bytes).toBeLessThanOrEqual(100 * MB);
  });

  it('keeps the Recommend bundle under 1 MB: V8 compiles all of it in every cold start (~40 ms per MB here)', () => {
    // `import { z } from 'zod'` instead of `import * as z` once pulled in every zod locale: 1.2 MB.
    const bundle = filesOf(recommend().dir).find((file) => file.path === 'index.mjs')!;
    expect(bundle.bytes).toBeGreaterThan(100 * 1024);
    expect(bundle.bytes).toBeLessThanOrEqual(1 * MB);
  });

  it('ships the bundle alone for the functions that do not run the model', () => {
    const withoutOnnx = FUNCTIONS.filter((spec) => !spec.usesOnnxRuntime && spec.routes.length > 0 && assets.has(spec.name));
    expect(withoutOnnx.length).toBeGreaterThan(0);
    for (const spec of withoutOnnx)
      expect(
        filesOf(assets.get(spec.name)!.dir).map((file) => file.path),
        spec.name,
      ).toEqual(['index.mjs']);
  });

  it(
    'bundles byte for byte the same way twice (same asset hash)',
    () => {
      const stack = new Stack(new App({ outdir: join(outdir, 'again'), builtinCloudFormationValidation: false }), 'Again');
      const spec = FUNCTIONS.find((candidate) => candidate.name === 'Recommend')!;
      const again = new MarqueeFunction(stack, 'Recommend', {
        spec,
        projectRoot: PROJECT_ROOT,
        architecture: 'x86_64',
        memorySize: 1024,
        timeout: Duration.seconds(10),
        logRetention: RetentionDays.ONE_MONTH,
        environment: {},
      });
      const { s3Key: key } = stack.resolve((again.function.node.defaultChild as CfnFunction).code) as { s3Key: string };
      expect(`asset.${key.replace(/\.zip$/, '')}`).toBe(relative(outdir, recommend().dir));
    },
    BUNDLING_TIMEOUT,
  );

  describe('run on this machine against s3rver and dynalite, with a real published model', () => {
    let model: PublishedTestModel;
    let environment: Record<string, string>;

    beforeAll(async () => {
      const { s3 } = createAwsClients({ s3ForcePathStyle: true });
      model = await publishTestModel(s3, local().bucketName, { version: 'v-asset', seed: 3 });
      s3.destroy();
      // The template's values, with the stack references (bucket and table names) replaced by the local ones.
      const fromTemplate = Object.fromEntries(
        Object.entries(recommend().environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      environment = { ...fromTemplate, ...local().env, POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' };
    });

    it('answers POST /v1/recommendations and GET /v1/users/{userId}/recommendations with 200', async () => {
      const history = model.catalog.slice(0, 5).map((item) => item.itemId);
      const genre = model.catalog[0].genres[0];
      const [anonymous, unknownUser] = await invokeAsset(recommend(), environment, [
        apiGatewayEvent({ method: 'POST', resource: '/v1/recommendations', body: { history, preferences: { genre }, count: 5 } }),
        apiGatewayEvent({ method: 'GET', resource: '/v1/users/{userId}/recommendations', pathParameters: { userId: 'nobody-yet' } }),
      ]);
      expect(anonymous.statusCode, anonymous.body).toBe(200);
      const body = JSON.parse(anonymous.body) as { modelVersion: string; items: { itemId: string; score: number }[] };
      expect(body.modelVersion).toBe('v-asset');
      expect(body.items).toHaveLength(5);
      const catalogIds = new Set(model.catalog.map((item) => item.itemId));
      for (const item of body.items) {
        expect(catalogIds.has(item.itemId)).toBe(true);
        expect(history).not.toContain(item.itemId);
      }
      expect(unknownUser.statusCode, unknownUser.body).toBe(200);
      expect((JSON.parse(unknownUser.body) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    });
  });
});
