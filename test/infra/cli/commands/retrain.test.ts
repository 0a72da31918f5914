import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../../functions/commons/awsClients.ts';
import type { RetrainReport } from '../../../../functions/retrain/retrainReport.ts';
import { EXIT_KEPT } from '../../../../infra/cli/commands/retrain.ts';
import { ENDPOINTS_FILE } from '../../../../infra/cli/serviceEnvironment.ts';
import { freshBucket, readPointer, seedDemo } from '../../../functions/retrain/retrainFixtures.ts';
import { withLocalAws } from '../../../helpers/withLocalAws.ts';
import { testApp } from '../../stacks/testApp.ts';
import { marquee } from '../marqueeProcess.ts';

describe('marquee retrain against a local service', () => {
  const local = withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  /** A data folder whose endpoints.json names the suite's s3rver and `bucket`, as the local service writes it. */
  async function dataDir(bucket: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-data-'));
    await writeFile(join(dir, ENDPOINTS_FILE), JSON.stringify({ env: { ...local().env, BUCKET_NAME: bucket } }));
    return dir;
  }

  // Small models, so that the CLI's run takes seconds (the settings the function reads).
  const QUICK = { RETRAIN_DIM: '16', RETRAIN_MAX_EPOCHS: '8', RETRAIN_MIN_INTERACTIONS: '500' };

  it('publishes a model (exit 0), then prints the whole report with --json', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const dir = await dataDir(bucket);
    const first = await marquee({ ...QUICK, MARQUEE_DATA_DIR: dir }, 'retrain');
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^published model \S+ on the local service of/);
    expect(first.stdout).toMatch(/first model: none is published/);

    const second = await marquee(QUICK, 'retrain', '--data-dir', dir, '--json');
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as RetrainReport;
    expect(report.trigger).toBe('marquee.cli');
    expect(report.outcome).toBe('published');
    expect(report.training?.hyperParameters).toMatchObject({ dim: 16, maxEpochs: 8 });
    expect((await readPointer(s3, bucket))?.version).toBe(report.version);
  });

  it('exits 3 when the served model is kept, and 2 without a local service', async () => {
    const bucket = await freshBucket(s3);
    const kept = await marquee(QUICK, 'retrain', '--data-dir', await dataDir(bucket));
    expect(kept.code).toBe(EXIT_KEPT);
    expect(kept.stdout).toMatch(/^kept the served model \(none\)/);
    expect(kept.stdout).toMatch(/0 interactions, fewer than the minimum of 500/);

    const none = await marquee({}, 'retrain', '--data-dir', await mkdtemp(join(tmpdir(), 'marquee-empty-')));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no local service found/);
  });

  it('runs the Fargate retrain task’s command line and environment (trainingCompute=fargate) as its image does, on its training threads', async () => {
    const bucket = await freshBucket(s3);
    await seedDemo(s3, bucket);
    const { stacks } = testApp({ trainingCompute: 'fargate', retrainTaskCpu: '2048', retrainTaskMemoryMb: '4096' });
    const [taskDefinition] = Object.values(Template.fromStack(stacks.training).findResources('AWS::ECS::TaskDefinition'));
    const container = (
      taskDefinition.Properties.ContainerDefinitions as { Command: unknown[]; Environment: { Name: string; Value: unknown }[] }[]
    )[0];
    // CloudFormation resolves the bucket reference; here it is the suite's bucket.
    const command = container.Command.map((arg) => (typeof arg === 'string' ? arg : bucket));
    const environment = Object.fromEntries(
      container.Environment.filter((e) => typeof e.Value === 'string').map((e) => [e.Name, e.Value as string]),
    );
    expect(environment.RETRAIN_THREADS).toBe('2');
    const run = await marquee({ ...environment, ...QUICK }, ...command);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RetrainReport;
    expect(report.outcome).toBe('published');
    expect(report.training?.threads).toBe(2);
    expect((await readPointer(s3, bucket))?.version).toBe(report.version);
  });
});
