import { addEvent, buildTrainingData, generateDemoCatalog, InteractionTableBuilder } from '../../model/index.ts';
import type { BuiltTrainingData, CatalogItem } from '../../model/index.ts';

/** A small generated catalog with its viewers' interactions, as training data. */
export function demoTrainingData(options: { seed?: number; items?: number; users?: number; extraItems?: CatalogItem[] } = {}): {
  data: BuiltTrainingData;
  items: CatalogItem[];
} {
  const catalog = generateDemoCatalog({ seed: options.seed ?? 3, items: options.items ?? 150, users: options.users ?? 120 });
  const builder = new InteractionTableBuilder();
  for (const event of catalog.events) addEvent(builder, event);
  const items = [...catalog.items, ...(options.extraItems ?? [])];
  return { data: buildTrainingData(builder.build(), items), items };
}
