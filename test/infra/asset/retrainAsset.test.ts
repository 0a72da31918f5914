import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import type { RetrainReport } from '../../../functions/retrain/retrainReport.ts';
import { TRAINING_WORKER_FILE } from '../../../infra/constructs/bundleTrainingWorker.ts';
import { FUNCTION_METADATA_KEY, type FunctionMetadata } from '../../../infra/constructs/templateMetadata.ts';
import { readMarqueeConfig } from '../../../infra/stacks/marqueeConfig.ts';
import { addMarqueeStacks, stackNames } from '../../../infra/stacks/marqueeStacks.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { freshBucket, seedDemo } from '../../functions/retrain/retrainFixtures.ts';
import { cdkJsonContext } from '../stacks/testApp.ts';

const run = promisify(execFile);
const BUNDLING_TIMEOUT = 600_000;

interface RetrainAsset {
  readonly dir: string;
  readonly environment: Record<string, string>;
}

/**
 * Runs the bundled retrain handler as Lambda would: plain Node (no tsx, no vitest), working
 * directory the asset (a temporary folder: no node_modules above it to load tsx or sources from).
 */
async function invokeAsset(asset: RetrainAsset, env: Record<string, string>): Promise<RetrainReport> {
  const resultFile = join(asset.dir, '..', `retrain-result-${Date.now()}.json`);
  const script = `
    import { writeFileSync } from 'node:fs';
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(asset.dir, 'index.mjs')).href)});
    const context = {
      functionName: 'Retrain', functionVersion: '$LATEST', memoryLimitInMB: '3008', awsRequestId: crypto.randomUUID(),
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Retrain', logGroupName: '/aws/lambda/Retrain',
      logStreamName: 'asset-test', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 600000,
    };
    writeFileSync(process.env.TEST_RESULT_FILE, JSON.stringify(await handler({ source: 'asset-test' }, context)));
    process.exit(0);
  `;
  // A script file, not `node -e`: worker threads inherit the process's execArgv, and
  // --input-type would stop them from loading their file.
  const scriptFile = join(asset.dir, '..', `invoke-retrain-${Date.now()}.mjs`);
  writeFileSync(scriptFile, script);
  await run(process.execPath, [scriptFile], {
    cwd: asset.dir,
    env: { PATH: process.env.PATH, ...env, TEST_RESULT_FILE: resultFile },
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(readFileSync(resultFile, 'utf8')) as RetrainReport;
}

describe('the synthesized retrain asset (what `cdk deploy` uploads)', () => {
  const local = withLocalAws();
  const outdir = mkdtempSync(join(tmpdir(), 'marquee-cdk-out-'));
  let asset: RetrainAsset | undefined;

  beforeAll(() => {
    const context = cdkJsonContext();
    const app = new App({
      outdir,
      context: { ...context, 'aws:cdk:bundling-stacks': [stackNames('dev').training] },
      builtinCloudFormationValidation: false,
    });
    const trainingStackName = addMarqueeStacks(app, readMarqueeConfig(app.node)).training.stackName;
    const template = app.synth().getStackByName(trainingStackName).template as {
      Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> }>;
    };
    for (const resource of Object.values(template.Resources)) {
      const metadata = resource.Metadata?.[FUNCTION_METADATA_KEY] as FunctionMetadata | undefined;
      if (resource.Type !== 'AWS::Lambda::Function' || metadata?.name !== 'Retrain') continue;
      const hash = (resource.Properties.Code.S3Key as string).replace(/\.zip$/, '');
      const variables = Object.entries(resource.Properties.Environment.Variables as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      );
      asset = { dir: join(outdir, `asset.${hash}`), environment: Object.fromEntries(variables) };
    }
  }, BUNDLING_TIMEOUT);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const retrain = (): RetrainAsset => {
    if (!asset) throw new Error('no Retrain function was synthesized in the Training stack');
    return asset;
  };

  it('ships the training worker beside the bundle, and nothing else', () => {
    expect(readdirSync(retrain().dir).sort()).toEqual(['index.mjs', TRAINING_WORKER_FILE].sort());
    // The bundled trainer starts its workers from the file beside it.
    expect(readFileSync(join(retrain().dir, 'index.mjs'), 'utf8')).toContain(`"./${TRAINING_WORKER_FILE}"`);
  });

  it('trains on two worker-thread-backed threads from the bundle alone and publishes', async () => {
    const { s3 } = createAwsClients({ s3ForcePathStyle: true });
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    s3.destroy();
    const report = await invokeAsset(retrain(), {
      ...retrain().environment,
      ...local().env,
      BUCKET_NAME: bucket,
      RETRAIN_THREADS: '2',
      RETRAIN_DIM: '16',
      RETRAIN_MAX_EPOCHS: '3',
      RETRAIN_MIN_INTERACTIONS: '500',
      RETRAIN_RESERVE_SECONDS: '5',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    expect(report.training?.error).toBeUndefined();
    expect(report.training?.threads).toBe(2);
    expect(report.training?.epochs).toBeGreaterThan(0);
    expect(report.outcome, report.gate.reasons.join('; ')).toBe('published');
  }, 300_000);
});
