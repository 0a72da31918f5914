import { describe, expect, it } from 'vitest';
import { ServingCatalog } from '../../../functions/commons/servingCatalog.ts';
import { historySignals, resolveSignals } from '../../../functions/commons/userSignals.ts';
import type { HistoryEntry } from '../../../functions/commons/userHistoryStore.ts';
import type { ModelManifest } from '../../../model/index.ts';

const ids = ['a', 'b', 'c'];
const manifest: ModelManifest = {
  formatVersion: 1,
  version: 'v1',
  createdAt: '2024-01-01T00:00:00Z',
  trainingData: { snapshot: 's', users: 1, items: 3, interactions: 1 },
  hyperParameters: {},
  metrics: {},
  itemIds: ids,
  vocabulary: ['genre:action', 'person:john doe', 'year:1990s'],
  files: { 'model.onnx': { sha256: '0', bytes: 0 }, 'similar.onnx': { sha256: '0', bytes: 0 } },
};
const catalog = ServingCatalog.fromFiles(
  manifest,
  Buffer.from(JSON.stringify({ items: ids.map((itemId) => ({ itemId, genres: [], cast: [], directors: [], tags: [], interactions: 1 })) })),
);

describe('historySignals', () => {
  it('weights entries with eventWeight and leaves out types it does not know', () => {
    const entries = [
      { itemId: 'a', type: 'like', timestamp: 1 },
      { itemId: 'b', type: 'watch', value: 0.4, timestamp: 2 },
      { itemId: 'c', type: 'skip', timestamp: 3 },
      { itemId: 'd', type: 'teleport', timestamp: 4 },
    ] as unknown as HistoryEntry[];
    expect(historySignals(entries)).toEqual([
      { itemId: 'a', weight: 1.5 },
      { itemId: 'b', weight: 0.4 },
      { itemId: 'c', weight: 0 },
    ]);
  });
});

describe('resolveSignals', () => {
  it('keeps the newest weight of each title: negative ones are seen but not history; unknown titles are reported', () => {
    const signals = resolveSignals(catalog, [
      { itemId: 'a', weight: 1 },
      { itemId: 'b', weight: 1 },
      { itemId: 'x', weight: 1 },
      { itemId: 'a', weight: 0 },
      { itemId: 'b', weight: 0.25 },
      { itemId: 'x', weight: 1 },
    ]);
    expect(Array.from(signals.historyItems)).toEqual([1]);
    expect(Array.from(signals.historyWeights)).toEqual([0.25]);
    expect(Array.from(signals.seen).sort()).toEqual([0, 1]);
    expect(signals.ignored).toEqual({ history: ['x'] });
  });

  it('matches preference keys and values case-insensitively and reports values outside the vocabulary', () => {
    const signals = resolveSignals(catalog, [], { GENRE: 'Action', Actor: ['JOHN  Doe', 'Jane Roe'], decade: 1994, tags: '' });
    expect(Array.from(signals.preferences).sort()).toEqual([0, 1, 2]);
    expect(signals.ignored).toEqual({ preferences: [{ key: 'Actor', value: 'Jane Roe' }] });
  });
});
