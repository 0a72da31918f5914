import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { tombstoneKey } from '../../../functions/commons/storageLayout.ts';
import { listTombstones, writeTombstone } from '../../../functions/commons/tombstones.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

describe('tombstones in s3rver', () => {
  const local = withLocalAws();
  const s3 = () => createAwsClients({ s3ForcePathStyle: true }).s3;

  it('lists every tombstoned user id, whatever characters it holds, with when it was forgotten', async () => {
    const ids = ['plain', 'with space', 'a/b?c&d', 'ünï', '%41'];
    for (const id of ids)
      expect(await writeTombstone(s3(), local().bucketName, id, new Date('2026-01-01T00:00:00Z'))).toEqual({
        userId: id,
        forgottenAt: '2026-01-01T00:00:00.000Z',
      });
    // A key tombstoneKey never writes (not URI-decodable) is ignored.
    await s3().send(new PutObjectCommand({ Bucket: local().bucketName, Key: 'tombstones/%E0%A4%A', Body: '{}' }));
    expect(await listTombstones(s3(), local().bucketName)).toEqual(new Map(ids.map((id) => [id, Date.parse('2026-01-01T00:00:00Z')])));
    expect(tombstoneKey('a/b?c&d')).toBe('tombstones/a%2Fb%3Fc%26d');
  });

  it('counts a tombstone without a readable time from when it was written', async () => {
    const before = Date.now() - 2000;
    await s3().send(new PutObjectCommand({ Bucket: local().bucketName, Key: tombstoneKey('no-time'), Body: 'not json' }));
    const at = (await listTombstones(s3(), local().bucketName)).get('no-time');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now() + 2000);
  });
});
