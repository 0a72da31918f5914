import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../functions/commons/awsClients.ts';
import { InvalidModelError, NoModelPublishedError } from '../../../functions/commons/modelErrors.ts';
import { publishModel } from '../../../functions/commons/modelPublisher.ts';
import { fetchModelVersion, openModelVersion, readModelPointer } from '../../../functions/commons/modelSource.ts';
import { encodeServingItems } from '../../../functions/commons/servingItems.ts';
import { CURRENT_MODEL_KEY, modelFileKey } from '../../../functions/commons/storageLayout.ts';
import { buildTestModel } from '../../helpers/publishTestModel.ts';
import { withLocalAws } from '../../helpers/withLocalAws.ts';

describe('model source (s3rver)', () => {
  const local = withLocalAws();
  let s3: S3Client;
  const source = () => ({ s3, bucket: local().bucketName });

  beforeAll(() => {
    s3 = createAwsClients({ s3ForcePathStyle: true }).s3;
  });

  it('reads the pointer, or says that nothing is published', async () => {
    await expect(readModelPointer(source())).rejects.toBeInstanceOf(NoModelPublishedError);
    const { files } = buildTestModel({ version: 'v1', seed: 3 });
    const pointer = await publishModel(s3, local().bucketName, files);
    expect(await readModelPointer(source())).toEqual({ pointer, key: `v1:${pointer.sha256}` });
  });

  it('fetches a version with every file checked', async () => {
    const { files } = buildTestModel({ version: 'v1', seed: 3 });
    const pointer = await publishModel(s3, local().bucketName, files);
    const fetched = await fetchModelVersion(source(), pointer, ['model.onnx', 'items.json']);
    expect(fetched.manifest).toEqual(files.manifest);
    expect(Buffer.from(fetched.files.get('model.onnx')!).equals(Buffer.from(files.recommendGraph))).toBe(true);
    expect(Buffer.from(fetched.files.get('items.json')!).toString('utf8')).toBe(encodeServingItems(files.items));
    expect(fetched.bytes).toBeGreaterThan(files.recommendGraph.length);
  });

  it('hands over each file as it is checked: a bad graph fails alone, the other files still arrive', async () => {
    const { files } = buildTestModel({ version: 'v2', seed: 3 });
    const pointer = await publishModel(s3, local().bucketName, files, { movePointer: false });
    const flipped = files.similarGraph.slice();
    flipped[10] ^= 0x40;
    await s3.send(new PutObjectCommand({ Bucket: local().bucketName, Key: modelFileKey('v2', 'similar.onnx'), Body: flipped }));
    const download = await openModelVersion(source(), pointer, ['model.onnx', 'similar.onnx', 'items.json']);
    await expect(download.file('similar.onnx')).rejects.toThrow(/similar\.onnx of model v2: sha256 [0-9a-f]{64}, the manifest says/);
    await expect(download.file('similar.onnx')).rejects.toBeInstanceOf(InvalidModelError);
    expect((await download.file('model.onnx')).length).toBe(files.recommendGraph.length);
    expect((await download.settled).bytes).toBeGreaterThan(files.recommendGraph.length + files.similarGraph.length);
    await expect(fetchModelVersion(source(), pointer, ['model.onnx', 'similar.onnx'])).rejects.toBeInstanceOf(InvalidModelError);
  });

  it('rejects a manifest that does not match the pointer, and a missing file', async () => {
    const { files } = buildTestModel({ version: 'v3', seed: 3 });
    const pointer = await publishModel(s3, local().bucketName, files, { movePointer: false });
    await expect(openModelVersion(source(), { ...pointer, sha256: '0'.repeat(64) }, [])).rejects.toThrow(/the pointer says 0{64}/);
    await s3.send(new DeleteObjectCommand({ Bucket: local().bucketName, Key: modelFileKey('v3', 'items.json') }));
    const download = await openModelVersion(source(), pointer, ['items.json']);
    await expect(download.file('items.json')).rejects.toThrow('model v3 has no items.json');
    await s3.send(
      new PutObjectCommand({
        Bucket: local().bucketName,
        Key: CURRENT_MODEL_KEY,
        Body: JSON.stringify({ version: '../etc', sha256: pointer.sha256 }),
      }),
    );
    await expect(readModelPointer(source())).rejects.toThrow(/not a model pointer/);
  });
});
