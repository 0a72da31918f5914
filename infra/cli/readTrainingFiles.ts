import { buildTrainingData, readItemsFile, readRatingsFile } from '../../model/index.ts';
import type { BuiltTrainingData, CatalogItem, InteractionTable } from '../../model/index.ts';

export interface TrainingFiles {
  readonly table: InteractionTable;
  readonly catalog: readonly CatalogItem[];
  readonly data: BuiltTrainingData;
}

/** Reads a ratings file (u.data TSV, ratings.csv or events NDJSON, told apart by content) and an optional items file. */
export async function readTrainingFiles(ratingsPath: string, itemsPath?: string): Promise<TrainingFiles> {
  const [table, catalog] = await Promise.all([
    readRatingsFile(ratingsPath),
    itemsPath ? readItemsFile(itemsPath) : Promise.resolve([] as CatalogItem[]),
  ]);
  return { table, catalog, data: buildTrainingData(table, catalog) };
}
