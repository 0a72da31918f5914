import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { publishModel } from '../../../functions/commons/modelPublisher.ts';
import {
  listModelVersions,
  ModelVersionError,
  newModelVersion,
  previousVersion,
  pruneModelVersions,
  rollbackModel,
  versionTime,
} from '../../../functions/commons/modelVersions.ts';
import { CURRENT_MODEL_KEY, modelFileKey } from '../../../functions/commons/storageLayout.ts';
import { buildTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';
import { freshBucket, keysUnder, readPointer, readText } from '../retrain/retrainFixtures.ts';

describe('model version names', () => {
  it('sort by time and give the time back', () => {
    const at = new Date('2026-11-28T23:59:59.500Z');
    const version = newModelVersion(at);
    expect(version).toMatch(/^20261128T235959Z-[0-9a-f]{4}$/);
    expect(versionTime(version)?.toISOString()).toBe('2026-11-28T23:59:59.000Z');
    expect(newModelVersion(new Date('2026-11-29T00:00:00Z')) > version).toBe(true);
    expect(versionTime('v1')).toBeUndefined();
  });
});

describe('model versions in s3rver', () => {
  withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  /** Publishes a test model as `version`, created at `createdAt`; the pointer moves only when asked. */
  async function publish(bucket: string, version: string, createdAt: string, movePointer = false) {
    const { files } = buildTestModel({ version, seed: 3, withRating: false });
    return publishModel(s3, bucket, { ...files, manifest: { ...files.manifest, createdAt } }, { movePointer });
  }

  const day = (d: number) => `2026-01-${String(d).padStart(2, '0')}T00:00:00.000Z`;

  async function rejected(bucket: string, version: string, createdAt: string, reasons: string[]) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: modelFileKey(version, 'report.json'),
        Body: JSON.stringify({ version, createdAt, gate: { passed: false, reasons } }),
      }),
    );
  }

  it('lists published, rejected and incomplete versions by creation time, with the pointer', async () => {
    const bucket = await freshBucket(s3);
    const v2 = await publish(bucket, 'b-second', day(2));
    await publish(bucket, 'a-first', day(1), true);
    await rejected(bucket, 'c-rejected', day(3), ['worse than the served model']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: modelFileKey('20260104T000000Z-abcd', 'model.onnx'), Body: 'partial' }));

    const { current, versions } = await listModelVersions(s3, bucket);
    expect(current?.version).toBe('a-first');
    expect(versions.map((v) => [v.version, v.status, v.createdAt])).toEqual([
      ['a-first', 'published', day(1)],
      ['b-second', 'published', day(2)],
      ['c-rejected', 'rejected', day(3)],
      ['20260104T000000Z-abcd', 'incomplete', '2026-01-04T00:00:00.000Z'],
    ]);
    expect(versions[1].manifestSha256).toBe(v2.sha256);
    expect(versions[1].metrics).toEqual({ testNdcgAt10: 0.5 });
    expect(versions[2].reasons).toEqual(['worse than the served model']);
    expect(previousVersion(versions, 'b-second')?.version).toBe('a-first');
    expect(previousVersion(versions, 'a-first')).toBeUndefined();
  });

  it('keeps the newest versions, the current and the previous one; deletes the rest, manifest first', async () => {
    const bucket = await freshBucket(s3);
    for (let d = 1; d <= 6; d++) await publish(bucket, `v${d}`, day(d), d === 3);
    for (let d = 7; d <= 9; d++) await rejected(bucket, `r${d}`, day(d), ['too few interactions']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: modelFileKey('20200101T000000Z-0001', 'model.onnx'), Body: 'stale' }));
    const recent = newModelVersion(new Date());
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: modelFileKey(recent, 'model.onnx'), Body: 'uploading' }));

    const report = await pruneModelVersions(s3, bucket, { keep: 2 });
    // Newest two published (v5, v6), the current (v3) and the one before it (v2); two newest
    // rejected reports; the incomplete folder young enough to be an upload in progress.
    expect(new Set(report.kept)).toEqual(new Set(['v2', 'v3', 'v5', 'v6', 'r8', 'r9', recent]));
    expect(new Set(report.deleted)).toEqual(new Set(['v1', 'v4', 'r7', '20200101T000000Z-0001']));
    for (const version of report.deleted) expect(await keysUnder(s3, bucket, `models/${version}/`)).toEqual([]);
    expect(await keysUnder(s3, bucket, 'models/v2/')).toHaveLength(4);
    expect((await readPointer(s3, bucket))?.version).toBe('v3');
    // Nothing more to do the second time.
    expect((await pruneModelVersions(s3, bucket, { keep: 2 })).deleted).toEqual([]);
  });

  it('rolls back to the previous version by default, or to a named one, pointing at its manifest', async () => {
    const bucket = await freshBucket(s3);
    const v1 = await publish(bucket, 'v1', day(1));
    await publish(bucket, 'v2', day(2));
    await publish(bucket, 'v3', day(3), true);

    const back = await rollbackModel(s3, bucket);
    expect(back).toEqual({ from: 'v3', to: 'v2', pointer: { version: 'v2', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const manifest = await readText(s3, bucket, modelFileKey('v2', 'manifest.json'));
    expect(back.pointer.sha256).toBe(createHash('sha256').update(manifest).digest('hex'));
    expect(await readPointer(s3, bucket)).toEqual(back.pointer);

    expect((await rollbackModel(s3, bucket)).to).toBe('v1');
    expect(await readPointer(s3, bucket)).toEqual(v1);
    await expect(rollbackModel(s3, bucket)).rejects.toThrow(/no published version is older than the current one \(v1\)/);
    // Forward again, by name.
    expect((await rollbackModel(s3, bucket, { to: 'v3' })).to).toBe('v3');
    await expect(rollbackModel(s3, bucket, { to: 'v3' })).rejects.toThrow(/already current/);
  });

  it('refuses a rollback to a missing, rejected or damaged version and leaves the pointer alone', async () => {
    const bucket = await freshBucket(s3);
    await publish(bucket, 'v1', day(1));
    const current = await publish(bucket, 'v2', day(2), true);
    await rejected(bucket, 'r3', day(3), ['worse']);

    await expect(rollbackModel(s3, bucket, { to: 'nope' })).rejects.toBeInstanceOf(ModelVersionError);
    await expect(rollbackModel(s3, bucket, { to: 'r3' })).rejects.toThrow(/rejected, not a published model/);
    // A flipped byte in v1's graph: its sha256 no longer matches the manifest.
    const { files } = buildTestModel({ version: 'v1', seed: 3, withRating: false });
    const damaged = files.similarGraph.slice();
    damaged[damaged.length >> 1] ^= 0xff;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: modelFileKey('v1', 'similar.onnx'), Body: damaged }));
    await expect(rollbackModel(s3, bucket)).rejects.toThrow(/model version v1 cannot be served: similar.onnx of model v1: sha256/);
    expect(await readPointer(s3, bucket)).toEqual(current);
  });

  it('needs --to when no pointer can be read', async () => {
    const bucket = await freshBucket(s3);
    await publish(bucket, 'v1', day(1));
    await expect(rollbackModel(s3, bucket)).rejects.toThrow(/no model is current/);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: CURRENT_MODEL_KEY, Body: 'garbage' }));
    expect((await rollbackModel(s3, bucket, { to: 'v1' })).to).toBe('v1');
  });
});
