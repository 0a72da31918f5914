import { S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { eventLine } from '../../../functions/commons/eventLog.ts';
import { fetchModelVersion } from '../../../functions/commons/modelSource.ts';
import { listModelVersions } from '../../../functions/commons/modelVersions.ts';
import { ServingRecommender } from '../../../functions/commons/servingRecommender.ts';
import { CURRENT_MODEL_KEY, MODEL_FILES, modelFileKey } from '../../../functions/commons/storageLayout.ts';
import { writeTombstone } from '../../../functions/commons/tombstones.ts';
import { runRetrain } from '../../../functions/retrain/runRetrain.ts';
import type { RetrainReport } from '../../../functions/retrain/retrainReport.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import {
  freshBucket,
  keysUnder,
  readPointer,
  readText,
  retrainConfig,
  retrainDependencies,
  seedDemo,
  writeEvents,
  writeRawEventObject,
} from './retrainFixtures.ts';

describe('runRetrain against s3rver', () => {
  withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  /** Loads the published version as the serving functions do (pointer → verified files → onnxruntime). */
  async function serve(bucket: string): Promise<{ version: string; recommender: ServingRecommender }> {
    const pointer = await readPointer(s3, bucket);
    if (!pointer) throw new Error('no pointer');
    const fetched = await fetchModelVersion({ s3, bucket }, pointer, ServingRecommender.files(['recommend', 'similar']));
    return { version: pointer.version, recommender: await ServingRecommender.create(fetched, ['recommend', 'similar']) };
  }

  it('publishes the first model: files, report and chart first, the pointer last; serving loads it', async () => {
    const bucket = await freshBucket(s3);
    const demo = await seedDemo(s3, bucket);
    const { deps, metricCount } = retrainDependencies(s3, bucket);
    const report = await runRetrain(deps);

    expect(report.outcome).toBe('published');
    expect(report.gate.passed).toBe(true);
    expect(report.gate.served.state).toBe('none');
    expect(report.gate.reasons[0]).toMatch(/first model/);
    expect(report.data.log.events).toBe(demo.events.length);
    expect(report.data.log.objects).toBe(demo.keys.length);
    expect(report.data.catalogItems).toBe(demo.items.length);
    expect(report.data.trainInteractions + report.data.gateInteractions).toBe(report.data.interactions);
    expect(report.training?.epochs).toBeGreaterThan(0);
    expect(report.training?.ratingHead).toBe(true);
    // The candidate is a real model: it beats recommending the most popular titles to everyone.
    expect(report.gate.candidate?.ndcgAt10).toBeGreaterThan(report.gate.popularity?.ndcgAt10 ?? 1);

    const pointer = await readPointer(s3, bucket);
    expect(pointer).toEqual(report.pointer);
    expect(pointer?.version).toBe(report.version);
    const files = await keysUnder(s3, bucket, `models/${report.version}/`);
    expect(files).toEqual(
      ['items.json', 'manifest.json', 'model.onnx', 'report.json', 'report.svg', 'similar.onnx'].map((name) => modelFileKey(report.version, name)),
    );
    const stored = JSON.parse(await readText(s3, bucket, modelFileKey(report.version, 'report.json'))) as RetrainReport;
    expect(stored.version).toBe(report.version);
    expect(stored.gate).toEqual(report.gate);
    expect(await readText(s3, bucket, modelFileKey(report.version, 'report.svg'))).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);

    const { version, recommender } = await serve(bucket);
    expect(version).toBe(report.version);
    expect(recommender.version).toBe(report.version);
    await recommender.dispose();
    expect(metricCount('ModelsPublished')).toBe(1);
    expect(metricCount('GateRejections')).toBe(0);
  });
});
