import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportError } from '../../../model/errors.ts';
import { exportedScoringModel } from '../../../model/onnx/exportRecommendGraph.ts';
import { verifyFile } from '../../../model/onnx/manifest.ts';
import { readScoringModel } from '../../../model/onnx/readScoringModel.ts';
import { writeModelFiles } from '../../../model/onnx/writeModelFiles.ts';
import { randomScoringModel } from '../../../model/recommender/randomScoringModel.ts';

describe('writeModelFiles', () => {
  const model = exportedScoringModel(randomScoringModel({ items: 4, features: 2, dim: 3, seed: 3, withRating: true }));
  const manifestFields = {
    version: 'v-test',
    createdAt: '2026-11-28T10:00:00.000Z',
    trainingData: { snapshot: 'demo', users: 2, items: 4, interactions: 6 },
    hyperParameters: { dim: 3 },
    metrics: { ndcgAt10: 0.5 },
    itemIds: ['a', 'b', 'c', 'd'],
    vocabulary: ['genre:drama', 'year:1990s'],
  };
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquee-model-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes both graphs and a manifest that verifies them', async () => {
    const target = join(dir, 'models', 'v-test');
    const manifest = await writeModelFiles(target, { model, manifestFields });
    expect(JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const name of ['model.onnx', 'similar.onnx']) {
      const bytes = new Uint8Array(await readFile(join(target, name)));
      expect(() => verifyFile(manifest, name, bytes)).not.toThrow();
    }
    expect(readScoringModel(new Uint8Array(await readFile(join(target, 'model.onnx'))))).toEqual(model);
  });

  it('refuses item ids or a vocabulary that do not match the model', async () => {
    await expect(writeModelFiles(dir, { model, manifestFields: { ...manifestFields, itemIds: ['a'] } })).rejects.toThrow(ExportError);
    await expect(writeModelFiles(dir, { model, manifestFields: { ...manifestFields, vocabulary: [] } })).rejects.toThrow(ExportError);
  });
});
