import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { putCatalogItems } from '../../../functions/commons/catalogStore.ts';
import { runRetrain } from '../../../functions/retrain/runRetrain.ts';
import { WARM_PATIENCE } from '../../../functions/retrain/servedWarmStart.ts';
import { generateDemoCatalog } from '../../../model/data/demoCatalog.ts';
import type { CatalogItem } from '../../../model/types/catalog.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { freshBucket, retrainConfig, retrainDependencies, seedDemo, writeEvents } from './retrainFixtures.ts';

describe('a retrain starts from the served model', () => {
  withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  /** A served model, then a day of new events of the same viewers and a new title in the catalog. */
  async function servedThenNewDay(): Promise<{ bucket: string; firstVersion: string; firstItems: number }> {
    const bucket = await freshBucket(s3);
    const demo = await seedDemo(s3, bucket);
    const first = await runRetrain(retrainDependencies(s3, bucket).deps);
    expect(first.outcome).toBe('published');
    expect(first.training?.warmStart).toEqual({ cold: 'no served model to start from (none)' });
    const day = generateDemoCatalog({ seed: 8, items: 120, users: 140, interactionsPerUser: 4, startTime: Date.UTC(2025, 0, 1) / 1000 });
    const fresh: CatalogItem = { ...demo.items[0], itemId: 'brand-new', title: 'Brand New' };
    await putCatalogItems(s3, bucket, [fresh]);
    await writeEvents(s3, bucket, [
      ...day.events,
      { userId: day.events[0].userId, itemId: fresh.itemId, type: 'complete', timestamp: Date.UTC(2025, 0, 2) / 1000 },
    ]);
    return { bucket, firstVersion: first.version, firstItems: first.data.items };
  }

  it('maps the served rows onto the new data, stops early and publishes a model that passes the gate', async () => {
    const { bucket, firstVersion, firstItems } = await servedThenNewDay();
    const warm = await runRetrain(retrainDependencies(s3, bucket).deps);
    expect(warm.training?.warmStart).toMatchObject({ from: firstVersion, items: firstItems, newItems: 1, newFeatures: 0 });
    expect(warm.training?.hyperParameters.patience).toBe(WARM_PATIENCE);
    // Selection ends WARM_PATIENCE epochs after its best one (or at maxEpochs).
    const select = warm.training?.log.filter((entry) => entry.phase === 'select') ?? [];
    const best = select.reduce(
      (at, entry) => ((entry.validationNdcgAt10 ?? -1) > (select[at - 1]?.validationNdcgAt10 ?? -1) ? entry.epoch : at),
      0,
    );
    expect(select.length).toBeLessThanOrEqual(best + WARM_PATIENCE);
    expect(warm.gate.served).toMatchObject({ state: 'loaded', version: firstVersion });
    expect(warm.outcome, warm.gate.reasons.join('; ')).toBe('published');
  });

  it('starts cold when told to, with the reason in the report', async () => {
    const { bucket } = await servedThenNewDay();
    const cold = await runRetrain(retrainDependencies(s3, bucket, { config: retrainConfig(bucket, { warmStart: false }) }).deps);
    expect(cold.training?.warmStart).toEqual({ cold: 'warm start disabled (RETRAIN_WARM_START=false)' });
    expect(cold.training?.hyperParameters.patience).toBeGreaterThan(WARM_PATIENCE);
  });
});
