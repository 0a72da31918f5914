import { describe, expect, it } from 'vitest';
import { PLANTED_EVENT_TYPES, PlantedCatalog } from '../../../model/data/plantedCatalog.ts';
import { itemFeatureNames } from '../../../model/data/features.ts';

describe('PlantedCatalog', () => {
  const options = { seed: 3, titles: 2_000, viewers: 1_500, clusters: 20, days: 10, lastDayTitles: 40 };
  const catalog = new PlantedCatalog(options);
  const events = catalog.events();

  it('is deterministic for its options', () => {
    const again = new PlantedCatalog(options).events();
    expect(again.size).toBe(events.size);
    expect(again.titles).toEqual(events.titles);
    expect(again.timestamps).toEqual(events.timestamps);
    expect(new PlantedCatalog(options).item(17)).toEqual(catalog.item(17));
  });

  it('gives about 40 events per viewer, at most once per viewer and title, within the days', () => {
    expect(events.size / options.viewers).toBeGreaterThan(36);
    expect(events.size / options.viewers).toBeLessThanOrEqual(40.5);
    const pairs = new Set<number>();
    let outside = 0;
    for (let r = 0; r < events.size; r++) {
      pairs.add(events.viewers[r] * options.titles + events.titles[r]);
      const day = Math.floor((events.timestamps[r] - catalog.startTime) / 86_400);
      if (day !== events.days[r] || day >= options.days || PLANTED_EVENT_TYPES[events.types[r]] === undefined) outside++;
    }
    expect(outside).toBe(0);
    expect(pairs.size).toBe(events.size);
  });

  it('plants taste: most events fall in the viewer’s clusters, popularity is skewed', () => {
    let own = 0;
    for (let r = 0; r < events.size; r++) {
      const c = catalog.titleCluster[events.titles[r]];
      const u = events.viewers[r];
      if (c === catalog.viewerClusters[2 * u] || c === catalog.viewerClusters[2 * u + 1]) own++;
    }
    // 85 % drawn from the two clusters, plus the global draws that land there by chance.
    expect(own / events.size).toBeGreaterThan(0.8);
    const counts = new Int32Array(options.titles);
    for (let r = 0; r < events.size; r++) counts[events.titles[r]]++;
    const sorted = Array.from(counts).sort((a, b) => b - a);
    expect(sorted[0]).toBeGreaterThan(10 * sorted[Math.floor(options.titles / 2)]);
  });

  it('correlates content features with the cluster', () => {
    let sameDirectorCluster = 0;
    for (let i = 0; i < 500; i++) {
      const names = itemFeatureNames(catalog.item(i));
      if (names.some((name) => name.startsWith(`person:director ${catalog.titleCluster[i]}-`))) sameDirectorCluster++;
    }
    expect(sameDirectorCluster / 500).toBeGreaterThan(0.75);
  });

  it('shows the last day’s titles only on the last day', () => {
    let early = 0;
    let late = 0;
    for (let r = 0; r < events.size; r++) {
      if (events.titles[r] < options.titles - options.lastDayTitles) continue;
      if (events.days[r] === options.days - 1) late++;
      else early++;
    }
    expect(early).toBe(0);
    expect(late).toBeGreaterThan(0);
  });
});
