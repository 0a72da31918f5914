import { describe, expect, it } from 'vitest';
import { EVENT_WEIGHTS } from '../../../model/constants.ts';
import { generateDemoCatalog, generateDemoInteractions } from '../../../model/data/demoCatalog.ts';
import { parseEventLine } from '../../../model/data/eventsNdjson.ts';
import { addEvent } from '../../../model/data/eventWeight.ts';
import { InteractionTableBuilder } from '../../../model/data/interactionTableBuilder.ts';
import { splitPerUser } from '../../../model/data/splitPerUser.ts';
import { buildTrainingData } from '../../../model/data/trainingData.ts';
import { ShapeError } from '../../../model/errors.ts';
import { Random } from '../../../model/random.ts';
import type { TrainingData } from '../../../model/types/trainingData.ts';

const START = Date.UTC(2024, 0, 1) / 1000;

describe('generateDemoCatalog', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateDemoCatalog({ seed: 42 });
    const b = generateDemoCatalog({ seed: 42 });
    const c = generateDemoCatalog({ seed: 43 });
    expect(b).toEqual(a);
    expect(c.items.map((i) => i.title)).not.toEqual(a.items.map((i) => i.title));
    expect(c.events).not.toEqual(a.events);
  });

  it('keeps the catalog of a seed whatever the number of viewers', () => {
    expect(generateDemoCatalog({ seed: 5, users: 10 }).items).toEqual(generateDemoCatalog({ seed: 5, users: 50 }).items);
  });

  it('makes plausible titles: unique ids and titles, 1–3 genres, 2–4 cast, a director, a year 1960–2025', () => {
    const { items } = generateDemoCatalog({ seed: 1, items: 2000, users: 0 });
    expect(items).toHaveLength(2000);
    expect(new Set(items.map((i) => i.itemId)).size).toBe(2000);
    expect(new Set(items.map((i) => i.title)).size).toBe(2000);
    for (const item of items) {
      expect(item.genres.length).toBeGreaterThanOrEqual(1);
      expect(item.genres.length).toBeLessThanOrEqual(3);
      expect(new Set(item.genres).size).toBe(item.genres.length);
      expect(item.cast.length).toBeGreaterThanOrEqual(2);
      expect(item.cast.length).toBeLessThanOrEqual(4);
      expect(item.directors).toHaveLength(1);
      expect(item.year).toBeGreaterThanOrEqual(1960);
      expect(item.year).toBeLessThanOrEqual(2025);
      expect(item.title.trim().length).toBeGreaterThan(0);
    }
    const genres = new Set(items.flatMap((i) => i.genres));
    expect(genres.size).toBeGreaterThanOrEqual(14);
    // People recur across titles, so person features carry signal.
    const appearances = new Map<string, number>();
    for (const person of items.flatMap((i) => [...i.cast, ...i.directors])) appearances.set(person, (appearances.get(person) ?? 0) + 1);
    expect([...appearances.values()].some((n) => n >= 3)).toBe(true);
  });

  it('makes valid events of mixed types over a year, about interactionsPerUser per viewer', () => {
    const { items, events } = generateDemoCatalog({ seed: 3, users: 200, interactionsPerUser: 30 });
    expect(events.length).toBeGreaterThan(200 * 30 * 0.85);
    expect(events.length).toBeLessThan(200 * 30 * 1.15);
    const itemIds = new Set(items.map((i) => i.itemId));
    const types = new Map<string, number>();
    for (const event of events) {
      expect(itemIds.has(event.itemId)).toBe(true);
      expect(event.timestamp).toBeGreaterThanOrEqual(START);
      expect(event.timestamp).toBeLessThan(START + 366 * 86400);
      types.set(event.type, (types.get(event.type) ?? 0) + 1);
      // Every event survives the NDJSON parser's checks.
      expect(parseEventLine(JSON.stringify(event), 'demo', 1)).toEqual(event);
    }
    expect(new Set(types.keys())).toEqual(new Set(Object.keys(EVENT_WEIGHTS)));
    const share = (type: string): number => (types.get(type) ?? 0) / events.length;
    expect(share('watch') + share('complete') + share('rating')).toBeGreaterThan(0.6);
    expect(new Set(events.map((e) => e.userId)).size).toBe(200);
  });

  it('writes the same interactions straight into a builder', () => {
    const options = { seed: 9, items: 300, users: 80 };
    const { events } = generateDemoCatalog(options);
    const fromEvents = new InteractionTableBuilder();
    for (const event of events) addEvent(fromEvents, event);
    const direct = new InteractionTableBuilder();
    const { items, eventCount } = generateDemoInteractions(options, direct);
    expect(eventCount).toBe(events.length);
    expect(items).toEqual(generateDemoCatalog(options).items);
    expect(direct.build()).toEqual(fromEvents.build());
  });

  it('has structure a recommender can learn: co-occurrence beats popularity clearly', () => {
    const demo = generateDemoCatalog({ seed: 11 });
    const builder = new InteractionTableBuilder();
    for (const event of demo.events) addEvent(builder, event);
    const { train, validation } = splitPerUser(buildTrainingData(builder.build(), demo.items), 0.2, new Random(11));
    const n = train.itemIds.length;
    const popularity = new Float64Array(n);
    const together = new Float64Array(n * n);
    for (let u = 0; u < train.userIds.length; u++) {
      const seen = train.userItems.subarray(train.userOffsets[u], train.userOffsets[u + 1]);
      for (const i of seen) {
        popularity[i]++;
        for (const j of seen) if (i !== j) together[i * n + j]++;
      }
    }
    const popular = recallAt10(train, validation, (_u, out) => out.set(popularity));
    const cooccurrence = recallAt10(train, validation, (u, out) => {
      out.fill(0);
      for (let r = train.userOffsets[u]; r < train.userOffsets[u + 1]; r++) {
        const i = train.userItems[r];
        for (let j = 0; j < n; j++) out[j] += together[i * n + j] / Math.sqrt(Math.max(popularity[i], 1) * Math.max(popularity[j], 1));
      }
    });
    expect(popular).toBeGreaterThan(0);
    expect(cooccurrence).toBeGreaterThan(1.5 * popular);
  });

  it('rejects impossible sizes', () => {
    expect(() => generateDemoCatalog({ seed: 1, items: 0 })).toThrow(ShapeError);
    expect(() => generateDemoCatalog({ seed: 1, users: -1 })).toThrow(ShapeError);
    expect(() => generateDemoCatalog({ seed: 1, interactionsPerUser: 0 })).toThrow(ShapeError);
  });
});

/** Mean over validation users of |top-10 ∩ validation items| / min(10, |validation items|). */
function recallAt10(train: TrainingData, validation: TrainingData, score: (u: number, out: Float64Array) => void): number {
  const scores = new Float64Array(train.itemIds.length);
  let total = 0;
  let users = 0;
  for (let u = 0; u < train.userIds.length; u++) {
    const held = new Set(validation.userItems.subarray(validation.userOffsets[u], validation.userOffsets[u + 1]));
    if (held.size === 0) continue;
    score(u, scores);
    for (let r = train.userOffsets[u]; r < train.userOffsets[u + 1]; r++) scores[train.userItems[r]] = -Infinity;
    const top = Array.from(scores.keys())
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, 10);
    total += top.filter((i) => held.has(i)).length / Math.min(10, held.size);
    users++;
  }
  return total / users;
}
