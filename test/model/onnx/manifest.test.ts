import { describe, expect, it } from 'vitest';
import { ExportError } from '../../../model/errors.ts';
import { buildManifest, type ManifestInput, verifyFile } from '../../../model/onnx/manifest.ts';

const ABC = new TextEncoder().encode('abc');
/** The FIPS 180-2 test vector: sha256("abc"). */
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

function input(overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    version: '2026-11-28T10-00-00Z',
    createdAt: '2026-11-28T10:00:00.000Z',
    trainingData: { snapshot: 'events/2026/11/28/09/batch-7.ndjson', users: 3, items: 2, interactions: 5 },
    hyperParameters: { dim: 64, learningRate: 0.002, refit: true },
    metrics: { ndcgAt10: 0.31, recallAt10: 0.42 },
    itemIds: ['tt001', 'tt002'],
    vocabulary: ['genre:action', 'person:john doe'],
    files: { 'model.onnx': ABC, 'similar.onnx': Uint8Array.of(1, 2, 3, 4) },
    ...overrides,
  };
}

describe('buildManifest', () => {
  it('records each file’s sha256 and size next to the given fields', () => {
    const manifest = buildManifest(input());
    expect(manifest.files['model.onnx']).toEqual({ sha256: SHA256_ABC, bytes: 3 });
    expect(manifest.files['similar.onnx'].bytes).toBe(4);
    expect(manifest.version).toBe('2026-11-28T10-00-00Z');
    expect(manifest.itemIds).toEqual(['tt001', 'tt002']);
    expect(manifest.formatVersion).toBe(1);
  });

  it('is plain JSON: it survives a JSON round trip unchanged', () => {
    const manifest = buildManifest(input());
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('refuses values JSON would silently change, a bad time and a missing file', () => {
    expect(() => buildManifest(input({ metrics: { rmse: Number.NaN } }))).toThrow(/metrics\.rmse/);
    expect(() => buildManifest(input({ hyperParameters: { decay: Number.POSITIVE_INFINITY } }))).toThrow(ExportError);
    expect(() => buildManifest(input({ hyperParameters: { when: new Date() } }))).toThrow(ExportError);
    expect(() => buildManifest(input({ createdAt: 'yesterday' }))).toThrow(ExportError);
    expect(() => buildManifest(input({ files: { 'model.onnx': ABC } as ManifestInput['files'] }))).toThrow(/similar\.onnx/);
  });
});

describe('verifyFile', () => {
  const manifest = buildManifest(input());

  it('accepts the bytes the manifest describes', () => {
    expect(() => verifyFile(manifest, 'model.onnx', new TextEncoder().encode('abc'))).not.toThrow();
  });

  it('catches a single flipped bit', () => {
    const flipped = Uint8Array.from(ABC);
    flipped[1] ^= 0x01;
    expect(() => verifyFile(manifest, 'model.onnx', flipped)).toThrow(ExportError);
    expect(() => verifyFile(manifest, 'model.onnx', flipped)).toThrow(/sha256/);
  });

  it('catches a truncated file and an unknown file name', () => {
    expect(() => verifyFile(manifest, 'model.onnx', ABC.subarray(0, 2))).toThrow(/2 bytes/);
    expect(() => verifyFile(manifest, 'other.onnx', ABC)).toThrow(/no file other\.onnx/);
  });
});
