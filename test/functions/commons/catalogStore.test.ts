import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { catalogChangesSince, getCatalogItem, getCatalogItems, putCatalogItems } from '../../../functions/commons/catalogStore.ts';
import { itemFeatureNames } from '../../../model/data/features.ts';
import type { CatalogItem } from '../../../model/types/catalog.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { objectsUnder } from '../events/localStores.ts';

const item = (itemId: string, extra: Partial<CatalogItem> = {}): CatalogItem => ({
  itemId,
  title: `Title ${itemId}`,
  genres: ['Drama'],
  cast: ['Ann Lee'],
  directors: [],
  tags: [],
  ...extra,
});

describe('catalogStore against s3rver', () => {
  const local = withLocalAws();
  const s3 = () => createAwsClients({ s3ForcePathStyle: true }).s3;
  const bucket = () => local().bucketName;

  beforeEach(async () => {
    for (const o of await objectsUnder(s3(), bucket(), 'catalog/'))
      await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: o.key }));
  });

  it('stores items, reads them back, and lists the changes since a time, oldest first', async () => {
    const t1 = new Date('2026-04-01T10:00:00.000Z');
    const t2 = new Date('2026-04-01T10:00:00.001Z');
    const t3 = new Date('2026-04-01T11:30:00.000Z');
    await putCatalogItems(s3(), bucket(), [item('a'), item('b', { year: 1999 })], t1);
    const { change } = await putCatalogItems(s3(), bucket(), [item('c')], t2);
    await putCatalogItems(s3(), bucket(), [item('a', { title: 'A again' })], t3);

    expect(await getCatalogItem(s3(), bucket(), 'b')).toEqual({ ...item('b', { year: 1999 }), updatedAt: t1.toISOString() });
    expect((await getCatalogItem(s3(), bucket(), 'a'))?.title).toBe('A again');
    expect(await getCatalogItem(s3(), bucket(), 'missing')).toBeUndefined();
    expect((await getCatalogItems(s3(), bucket(), ['c', 'missing', 'b'])).map((i) => i.itemId)).toEqual(['c', 'b']);

    expect((await catalogChangesSince(s3(), bucket(), new Date(0))).map((c) => c.itemIds)).toEqual([['a', 'b'], ['c'], ['a']]);
    const since = await catalogChangesSince(s3(), bucket(), t2);
    expect(since.map((c) => [c.changedAt, c.itemIds])).toEqual([
      [t2.toISOString(), ['c']],
      [t3.toISOString(), ['a']],
    ]);
    expect(since[0].key).toBe(change.key);
    expect(await catalogChangesSince(s3(), bucket(), new Date(t3.getTime() + 1))).toEqual([]);
  });

  it('stores what the model needs to place a new title: its content features', async () => {
    await putCatalogItems(s3(), bucket(), [
      item('new', { genres: ['Sci-Fi'], cast: ['Jo Park'], directors: ['Lu Chen'], year: 2026, tags: ['space'] }),
    ]);
    const stored = await getCatalogItem(s3(), bucket(), 'new');
    expect(itemFeatureNames(stored!)).toEqual(['genre:sci-fi', 'person:jo park', 'person:lu chen', 'year:2020s', 'tag:space']);
  });

  it('ignores change records it cannot read', async () => {
    await s3().send(new PutObjectCommand({ Bucket: bucket(), Key: 'catalog/changes/20260401T000000000Z-junk.json', Body: 'not json' }));
    await s3().send(
      new PutObjectCommand({ Bucket: bucket(), Key: 'catalog/changes/20260401T000000001Z-other.json', Body: '{"hello": 1}' }),
    );
    await putCatalogItems(s3(), bucket(), [item('ok')], new Date('2026-04-01T00:00:00.002Z'));
    expect((await catalogChangesSince(s3(), bucket(), new Date(0))).map((c) => c.itemIds)).toEqual([['ok']]);
  });
});
