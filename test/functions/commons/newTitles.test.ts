import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { putCatalogItems } from '../../../functions/commons/catalogStore.ts';
import { NewTitles } from '../../../functions/commons/newTitles.ts';
import type { ScoringModel } from '../../../model/types/scoringModel.ts';
import { buildTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

/** NewTitles asks for the model read back from model.onnx only once a new title turns up. */
describe('NewTitles (s3rver)', () => {
  const local = withLocalAws();
  let s3: S3Client;
  const silent = { info: () => undefined, warn: () => undefined };

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  it('reads the model only when a title the model does not hold appears, and ignores titles when it cannot serve them', async () => {
    const { model, files, catalog } = buildTestModel({ version: 'v1', seed: 3 });
    const since = new Date(Date.now() - 1000);
    const known = new Set(files.manifest.itemIds);
    const options = { s3, bucket: local().bucketName, refreshIntervalMs: 0, since, marginMs: 0, logger: silent };
    const getModel = vi.fn(async (): Promise<ScoringModel | undefined> => model);
    const titles = new NewTitles(getModel, files.manifest.vocabulary, (itemId) => known.has(itemId), options);

    await titles.refresh();
    expect(getModel).not.toHaveBeenCalled();
    // A change to a title the model holds needs no model either.
    await putCatalogItems(s3, local().bucketName, [catalog[0]]);
    await titles.refresh();
    expect(getModel).not.toHaveBeenCalled();

    const template = catalog.find((item) => item.genres.length > 0) ?? catalog[0];
    await putCatalogItems(s3, local().bucketName, [{ ...template, itemId: 'new-1', title: 'New' }]);
    await titles.refresh();
    expect(getModel).toHaveBeenCalled();
    expect(titles.get('new-1')?.vector).toHaveLength(model.dim);
    expect(titles.bias).toBe(model.newItemBias ?? 0);

    // A model without featureItemVectors: new titles are ignored, not served.
    const without = new NewTitles(
      async () => undefined,
      files.manifest.vocabulary,
      (itemId) => known.has(itemId),
      options,
    );
    await without.refresh();
    expect(without.size).toBe(0);
    expect(without.get('new-1')).toBeUndefined();
  });

  it('fresh(): a title added while a container was idle is there for its first request after one refresh interval', async () => {
    const { model, files, catalog } = buildTestModel({ version: 'v1', seed: 3 });
    const known = new Set(files.manifest.itemIds);
    const clock = { now: 0 };
    const options = {
      s3,
      bucket: local().bucketName,
      refreshIntervalMs: 60_000,
      since: new Date(Date.now() - 1000),
      marginMs: 0,
      logger: silent,
      now: () => clock.now,
    };
    const titles = new NewTitles(
      async () => model,
      files.manifest.vocabulary,
      (itemId) => known.has(itemId),
      options,
    );
    await titles.fresh();

    const template = catalog.find((item) => item.genres.length > 0) ?? catalog[0];
    await putCatalogItems(s3, local().bucketName, [{ ...template, itemId: 'idle-new', title: 'Added While Idle' }]);
    // Within the interval a request does not wait (and no poll is due yet).
    clock.now += 10_000;
    await titles.fresh();
    expect(titles.get('idle-new')).toBeUndefined();
    // Past it, the first request waits for the poll.
    clock.now += 51_000;
    await titles.fresh();
    expect(titles.get('idle-new')?.item.title).toBe('Added While Idle');
  });
});
