import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../../functions/commons/awsClients.ts';
import type { ModelVersionListing } from '../../../../functions/commons/modelVersions.ts';
import { publishModel } from '../../../../functions/commons/modelPublisher.ts';
import { modelFileKey } from '../../../../functions/commons/storageLayout.ts';
import { ENDPOINTS_FILE } from '../../../../infra/cli/serviceEnvironment.ts';
import { freshBucket, readPointer } from '../../../functions/retrain/retrainFixtures.ts';
import { buildTestModel } from '../../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../../helpers/withLocalAws.ts';
import { marquee } from '../marqueeProcess.ts';

describe('marquee model list|rollback against a local service', () => {
  const local = withLocalAws();
  let s3: S3Client;

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  async function setup() {
    const bucket = await freshBucket(s3);
    const dir = await mkdtemp(join(tmpdir(), 'marquee-data-'));
    await writeFile(join(dir, ENDPOINTS_FILE), JSON.stringify({ env: { ...local().env, BUCKET_NAME: bucket } }));
    const publish = (version: string, day: number, movePointer: boolean) => {
      const { files } = buildTestModel({ version, seed: 3, withRating: false });
      const manifest = {
        ...files.manifest,
        createdAt: `2026-02-0${day}T10:00:00.000Z`,
        metrics: { ndcgAt10: 0.1 * day, recallAt10: 0.2, coverageAt10: 0.3 },
      };
      return publishModel(s3, bucket, { ...files, manifest }, { movePointer });
    };
    return { bucket, dir, publish };
  }

  it('lists the versions with their metrics and marks the current one', async () => {
    const { bucket, dir, publish } = await setup();
    await publish('v1', 1, false);
    await publish('v2', 2, true);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: modelFileKey('v3', 'report.json'),
        Body: JSON.stringify({ createdAt: '2026-02-03T10:00:00.000Z', gate: { reasons: ['worse than the served model'] } }),
      }),
    );

    const table = await marquee({}, 'model', 'list', '--data-dir', dir);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[1]).toMatch(/^\s+version\s+created\s+status\s+nDCG@10\s+recall@10\s+coverage@10\s+interactions$/);
    expect(lines[2]).toMatch(/^\s+v1\s+2026-02-01 10:00:00\s+published\s+0\.1000\s+0\.2000\s+0\.3000\s+\d+$/);
    expect(lines[3]).toMatch(/^\*\s+v2\s+2026-02-02 10:00:00\s+current\s+0\.2000/);
    expect(lines[4]).toMatch(/^\s+v3\s+2026-02-03 10:00:00\s+rejected$/);
    expect(table.stdout).toContain('v3: worse than the served model');

    const json = await marquee({ MARQUEE_DATA_DIR: dir }, 'model', 'list', '--json');
    const listing = JSON.parse(json.stdout) as ModelVersionListing;
    expect(listing.current?.version).toBe('v2');
    expect(listing.versions.map((v) => v.version)).toEqual(['v1', 'v2', 'v3']);
  });

  it('rolls back to the previous version, or to a named one, and refuses what it cannot do', async () => {
    const { bucket, dir, publish } = await setup();
    const v1 = await publish('v1', 1, false);
    await publish('v2', 2, true);

    const back = await marquee({}, 'model', 'rollback', '--data-dir', dir);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(`models/current.json now points at v1 (was v2) on the local service of ${dir} (S3 ${local().s3Endpoint})\n`);
    expect(await readPointer(s3, bucket)).toEqual(v1);

    const none = await marquee({}, 'model', 'rollback', '--data-dir', dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no published version is older than the current one \(v1\)/);

    const forward = await marquee({}, 'model', 'rollback', '--to', 'v2', '--data-dir', dir, '--json');
    expect(forward.code).toBe(0);
    expect(JSON.parse(forward.stdout)).toMatchObject({ from: 'v1', to: 'v2' });

    const unknown = await marquee({}, 'model', 'rollback', '--to', 'v9', '--data-dir', dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no model version v9/);
    const usage = await marquee({}, 'model', 'drop', '--data-dir', dir);
    expect(usage.code).toBe(2);
  });
});
