import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { itemFeatureNames, normalizeFeatureValue } from '../../model/data/features.ts';
import { newItemVector } from '../../model/recommender/newItemVector.ts';
import type { ScoringModel } from '../../model/types/scoringModel.ts';
import { catalogChangesSince, getCatalogItems, type StoredCatalogItem } from './catalogStore.ts';
import { logger as defaultLogger } from './observability.ts';
import type { ItemFilterSpec, ResponseItem } from './servingCatalog.ts';

/** A title added to the catalog after the model was trained, scored by its content features. */
export interface NewTitle {
  readonly item: StoredCatalogItem;
  /** v_new = mean of the model's featureItemVectors rows of its known features [dim]. */
  readonly vector: Float32Array;
  /** vector / |vector| (zeros when the vector is zero), for cosine similarity. */
  readonly unit: Float32Array;
}

export interface NewTitlesOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Poll the catalog change records at most this often (MODEL_REFRESH_SECONDS). */
  readonly refreshIntervalMs: number;
  /** The model's manifest.createdAt: titles changed before it (less the margin) are in the training catalog. */
  readonly since: Date;
  /** Listing starts this long before the last look (writers' clocks differ). Default 60 s. */
  readonly marginMs?: number;
  /** Monotonic milliseconds for the schedule (tests inject a clock). Default performance.now. */
  readonly now?: () => number;
  /** Wall clock for the listing start. Default Date.now. */
  readonly wallClock?: () => number;
  /** How long `fresh()` waits for a poll when the titles went a whole interval unconfirmed. Default 5 s. */
  readonly waitMs?: number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

const DEFAULT_MARGIN_MS = 60_000;
const DEFAULT_WAIT_MS = 5_000;

/**
 * The titles added through the catalog API after a loaded model version was trained: polled from
 * the catalog change records (at most every `refreshIntervalMs`, in the background of a request),
 * each given the vector `newItemVector` builds from its known content features, and kept with its
 * catalog metadata. Titles the model already holds are ignored; titles with no feature in the
 * model's vocabulary are skipped and counted in `skipped` (they would score like any featureless
 * title, which says nothing about them). An upsert of a known new title replaces its vector.
 */
export class NewTitles {
  private readonly byId = new Map<string, NewTitle>();
  private readonly skippedIds = new Set<string>();
  private readonly seenKeys = new Set<string>();
  private readonly featureIndex: Map<string, number>;
  private readonly now: () => number;
  private readonly wallClock: () => number;
  private readonly marginMs: number;
  private listFrom: number;
  private lastPollAt = Number.NEGATIVE_INFINITY;
  /** When the last poll that succeeded started: the titles are complete up to then. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  /** The model, once a new title made it needed. */
  private loaded: ScoringModel | undefined;

  constructor(
    /**
     * The model read back from model.onnx, asked for only once a new title turns up (reading it
     * is a cold-start cost most versions never need); undefined when it cannot serve new titles
     * (no featureItemVectors), and then new titles are ignored.
     */
    private readonly model: () => Promise<ScoringModel | undefined>,
    vocabulary: readonly string[],
    /** Is this id one of the model's titles? */
    private readonly inModel: (itemId: string) => boolean,
    private readonly options: NewTitlesOptions,
  ) {
    this.featureIndex = new Map(vocabulary.map((name, f) => [name, f]));
    this.now = options.now ?? (() => performance.now());
    this.wallClock = options.wallClock ?? (() => Date.now());
    this.marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
    this.listFrom = options.since.getTime() - this.marginMs;
  }

  /** The bias every new title gets: score = u · vector + bias. */
  get bias(): number {
    return this.loaded?.newItemBias ?? 0;
  }

  /** New titles known so far. */
  titles(): IterableIterator<NewTitle> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** New titles skipped because none of their features is in the model's vocabulary. */
  get skipped(): number {
    return this.skippedIds.size;
  }

  get(itemId: string): NewTitle | undefined {
    return this.byId.get(itemId);
  }

  /** Starts a poll in the background when half the interval has passed since the last one. */
  poll(): void {
    if (this.inflight || this.now() - this.lastPollAt < this.options.refreshIntervalMs / 2) return;
    void this.refresh();
  }

  /**
   * The titles within the staleness bound of serving (ModelLoader's): a busy container polls every
   * half interval in the background, and a request finding them unconfirmed for a whole interval
   * (the first after an idle spell) waits for the poll, at most `waitMs`.
   */
  async fresh(): Promise<void> {
    this.poll();
    const inflight = this.inflight;
    if (inflight && this.now() - this.confirmedAt > this.options.refreshIntervalMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.waitMs ?? DEFAULT_WAIT_MS);
        timer.unref?.();
      });
      await Promise.race([inflight, timeout]);
      clearTimeout(timer);
    }
  }

  /** Polls now (or waits for the poll in progress). A failure is logged and retried at the next poll. */
  refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    const startedAt = this.now();
    this.lastPollAt = startedAt;
    const run = this.load()
      .then(() => {
        this.confirmedAt = startedAt;
      })
      .catch((error: unknown) => (this.options.logger ?? defaultLogger).warn('new titles poll failed', { error: error as Error }))
      .finally(() => {
        this.inflight = undefined;
      });
    this.inflight = run;
    return run;
  }

  private async load(): Promise<void> {
    const { s3, bucket } = this.options;
    const lookedAt = this.wallClock();
    const changes = (await catalogChangesSince(s3, bucket, new Date(this.listFrom))).filter((change) => !this.seenKeys.has(change.key));
    const ids = [...new Set(changes.flatMap((change) => change.itemIds))].filter((itemId) => !this.inModel(itemId));
    const model = ids.length > 0 ? (this.loaded ??= await this.model()) : undefined;
    const items = model ? await getCatalogItems(s3, bucket, ids) : [];
    for (const item of items) this.add(model as ScoringModel, item);
    for (const change of changes) this.seenKeys.add(change.key);
    this.listFrom = Math.max(this.listFrom, lookedAt - this.marginMs);
    if (items.length > 0) {
      (this.options.logger ?? defaultLogger).info('new titles loaded', {
        added: items.length,
        newTitles: this.byId.size,
        skipped: this.skippedIds.size,
      });
    }
  }

  private add(model: ScoringModel, item: StoredCatalogItem): void {
    const features: number[] = [];
    for (const name of itemFeatureNames(item)) {
      const f = this.featureIndex.get(name);
      if (f !== undefined) features.push(f);
    }
    if (features.length === 0) {
      this.byId.delete(item.itemId);
      this.skippedIds.add(item.itemId);
      return;
    }
    this.skippedIds.delete(item.itemId);
    const vector = new Float32Array(model.dim);
    newItemVector(model, Int32Array.from(features), vector);
    this.byId.set(item.itemId, { item, vector, unit: unitVector(vector) });
  }
}

/** Does a new title pass a request's filter (same rules as ServingCatalog.filter)? */
export function newTitlePasses(item: StoredCatalogItem, spec: ItemFilterSpec): boolean {
  if (spec.genres.length > 0) {
    const wanted = new Set(spec.genres.map(normalizeFeatureValue));
    if (!item.genres.some((genre) => wanted.has(normalizeFeatureValue(genre)))) return false;
  }
  if (spec.yearFrom !== undefined || spec.yearTo !== undefined) {
    if (item.year === undefined) return false;
    if (spec.yearFrom !== undefined && item.year < spec.yearFrom) return false;
    if (spec.yearTo !== undefined && item.year > spec.yearTo) return false;
  }
  return true;
}

/** A new title as responses show it (no `because` / `predictedRating`: the graph did not score it). */
export function newTitleResponse(title: NewTitle, score: number): ResponseItem {
  const { item } = title;
  return { itemId: item.itemId, score, title: item.title ?? null, genres: item.genres, year: item.year ?? null };
}

export function dot(a: Readonly<Float32Array>, b: Readonly<Float32Array>, bOffset = 0): number {
  let s = 0;
  for (let c = 0; c < a.length; c++) s += a[c] * b[bOffset + c];
  return s;
}

function unitVector(vector: Float32Array): Float32Array {
  const out = new Float32Array(vector.length);
  const norm = Math.sqrt(dot(vector, vector));
  if (norm > 0) for (let c = 0; c < vector.length; c++) out[c] = vector[c] / norm;
  return out;
}
