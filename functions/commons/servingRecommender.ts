import type { S3Client } from '@aws-sdk/client-s3';
import type { PreferenceValue } from '../../model/data/features.ts';
import { topK } from '../../model/recommender/topK.ts';
import type { ScoringModel } from '../../model/types/scoringModel.ts';
import { loadOnnxRuntime, OnnxRecommender, type RecommendResult } from '../../model/onnx/onnxRecommender.ts';
import { InvalidModelError } from './modelErrors.ts';
import type { FetchedModelVersion, ModelVersionDownload } from './modelSource.ts';
import { ServingCatalog, type Because, type ItemFilter, type ItemFilterSpec, type ResponseItem } from './servingCatalog.ts';
import { dot, NewTitles, newTitlePasses, newTitleResponse, type NewTitle } from './newTitles.ts';
import { logger } from './observability.ts';
import { MODEL_FILES } from './storageLayout.ts';
import { resolveSignals, type HistorySignal, type IgnoredInput, type ResolvedSignals } from './userSignals.ts';

/** Which graphs a process runs: the Recommend and Rank functions need `recommend`, Similar needs `similar`. */
export type ServingGraph = 'recommend' | 'similar';

export interface RecommendRequest {
  /** Oldest first. */
  readonly history: readonly HistorySignal[];
  readonly preferences?: Readonly<Record<string, PreferenceValue>>;
  readonly count: number;
  readonly filter: ItemFilterSpec;
  /** Item ids never to return (unknown ones are harmless). */
  readonly exclude: readonly string[];
  /** Leave out every title of the history, negative signals included. */
  readonly excludeSeen: boolean;
  readonly explain: boolean;
}

export interface SimilarRequest {
  readonly itemId: string;
  readonly count: number;
  readonly filter: ItemFilterSpec;
  readonly exclude: readonly string[];
}

export interface RankRequest {
  readonly history: readonly HistorySignal[];
  readonly preferences?: Readonly<Record<string, PreferenceValue>>;
  /** Candidates (duplicates are ranked once). */
  readonly itemIds: readonly string[];
  readonly explain: boolean;
}

export interface ServingResult {
  readonly modelVersion: string;
  /** False when the model had nothing to go on (no usable history or preferences): popular titles. */
  readonly personalized: boolean;
  readonly items: ResponseItem[];
  readonly ignored?: IgnoredInput;
}

export interface RankResult extends ServingResult {
  readonly unknownItemIds?: string[];
}

/** Where a served version finds the titles added after it (see NewTitles). */
export interface NewTitlesSource {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly refreshIntervalMs: number;
  /** Monotonic clock of the poll schedule (tests). */
  readonly now?: () => number;
}

const MAX_BECAUSE = 3;

/**
 * A loaded model version answering requests in item ids: the catalog (ids ↔ indices, metadata,
 * filters, popularity) and the onnxruntime sessions. Filters are exact: the titles a filter
 * rejects and the excluded / seen ones go to the graph as its `exclude` input, so the top-k it
 * returns is the top-k of what passes (no over-fetching that could come back short). When fewer
 * than `count` titles remain, popular titles pad the list (`reason: "popular"`): first popular
 * titles that pass the filters, then any other title, never an excluded or seen one.
 */
export class ServingRecommender {
  private constructor(
    readonly catalog: ServingCatalog,
    private readonly onnx: OnnxRecommender,
    /** Titles added after the model (absent without a NewTitlesSource; ignored for models predating featureItemVectors). */
    readonly newTitles?: NewTitles,
    /** model.onnx read back on first use, when new titles are served (item vectors for cosine). */
    private readonly scoring?: LazyScoringModel,
  ) {}

  /**
   * The files a process serving `graphs` needs from a model version. With `newTitles`, the
   * Similar process also fetches model.onnx (its featureItemVectors and item vectors build and
   * compare the vectors of titles added after training); no session is created for it.
   */
  static files(graphs: readonly ServingGraph[], newTitles = false): string[] {
    const wanted = new Set(graphs);
    if (newTitles) wanted.add('recommend');
    return [...[...wanted].map((graph) => (graph === 'recommend' ? MODEL_FILES.recommend : MODEL_FILES.similar)), MODEL_FILES.items];
  }

  /**
   * Builds the catalog, creates the sessions and checks them against the manifest before anyone
   * uses them: a graph of another size than the manifest says is rejected (InvalidModelError). The
   * check runs the graphs once each, which also warms them up. With a download in progress,
   * items.json is parsed while the graph is still arriving.
   */
  static async create(
    version: ModelVersionDownload | FetchedModelVersion,
    graphs: readonly ServingGraph[],
    newTitlesSource?: NewTitlesSource,
  ): Promise<ServingRecommender> {
    const { manifest } = version;
    const file = 'file' in version ? (name: string) => version.file(name) : async (name: string) => version.files.get(name);
    const graphFile = (graph: ServingGraph) =>
      graphs.includes(graph) ? file(graph === 'recommend' ? MODEL_FILES.recommend : MODEL_FILES.similar) : undefined;
    const recommend = graphFile('recommend');
    const similar = graphFile('similar');
    // Awaited after the catalog: the graphs are the larger files, still streaming in meanwhile.
    recommend?.catch(() => undefined);
    similar?.catch(() => undefined);
    const catalog = ServingCatalog.fromFiles(manifest, await file(MODEL_FILES.items));
    // Outside the try below: a runtime that does not load is this deployment's fault, not the model's.
    await loadOnnxRuntime();
    const sessionGraphs = { recommend: await recommend, similar: await similar };
    let onnx: OnnxRecommender;
    try {
      onnx = await OnnxRecommender.fromGraphs(sessionGraphs, catalog.itemCount, catalog.featureCount);
    } catch (error) {
      throw new InvalidModelError(`onnxruntime cannot load model ${manifest.version}: ${(error as Error).message}`, manifest.version, {
        cause: error,
      });
    }
    try {
      await checkGraphs(onnx, catalog);
    } catch (error) {
      await onnx.release();
      if (error instanceof InvalidModelError) throw error;
      throw new InvalidModelError(`model ${manifest.version} does not run: ${(error as Error).message}`, manifest.version, {
        cause: error,
      });
    }
    // model.onnx is read back only when a title added after training turns up (most versions never see one).
    const scoring = newTitlesSource ? new LazyScoringModel(await file(MODEL_FILES.recommend), manifest.version) : undefined;
    const newTitles =
      newTitlesSource && scoring
        ? new NewTitles(
            () => scoring.get(),
            manifest.vocabulary,
            (itemId) => catalog.indexOf(itemId) >= 0,
            {
              s3: newTitlesSource.s3,
              bucket: newTitlesSource.bucket,
              refreshIntervalMs: newTitlesSource.refreshIntervalMs,
              since: new Date(manifest.createdAt),
              ...(newTitlesSource.now ? { now: newTitlesSource.now } : {}),
            },
          )
        : undefined;
    // The first poll starts with the version, so new titles are there by its first requests.
    newTitles?.poll();
    return new ServingRecommender(catalog, onnx, newTitles, scoring);
  }

  get version(): string {
    return this.catalog.version;
  }

  get hasRatings(): boolean {
    return this.onnx.hasRatings;
  }

  async recommend(request: RecommendRequest): Promise<ServingResult> {
    const { catalog } = this;
    await this.newTitles?.fresh();
    const signals = resolveSignals(catalog, request.history, request.preferences);
    const skip = this.indicesOf(request.exclude);
    if (request.excludeSeen) for (const index of signals.seen) skip.add(index);
    const filter = catalog.filter(request.filter);
    const ignored = nonEmpty(signals.ignored);

    if (signals.historyItems.length === 0 && signals.preferences.length === 0) {
      return {
        modelVersion: this.version,
        personalized: false,
        items: catalog.popularItems(request.count, filter, skip, true),
        ...ignored,
      };
    }
    const result = await this.onnx.recommend({
      historyItems: signals.historyItems,
      historyWeights: signals.historyWeights,
      preferences: signals.preferences,
      exclude: excludeList(filter, skip),
      k: request.count,
    });
    const items = this.rankedItems(result, signals, request.explain);
    this.mergeNewByScore(items, result, request);
    this.pad(items, result.items, request.count, filter, skip);
    return { modelVersion: this.version, personalized: true, items, ...ignored };
  }

  /**
   * Titles like `request.itemId`; undefined when neither the model nor the new titles know it.
   * A new title (added after training) as the query is answered from its content vector by cosine
   * over the model's item vectors; new titles closer than the k-th result join any answer.
   */
  async similar(request: SimilarRequest): Promise<ServingResult | undefined> {
    const { catalog } = this;
    await this.newTitles?.fresh();
    const index = catalog.indexOf(request.itemId);
    const skip = this.indicesOf(request.exclude);
    const filter = catalog.filter(request.filter);
    let result: { items: Int32Array; scores: Float32Array };
    let query: Float32Array | undefined;
    if (index >= 0) {
      skip.add(index);
      result =
        catalog.itemCount > 1
          ? await this.onnx.similar(index, request.count, excludeList(filter, skip))
          : { items: new Int32Array(0), scores: new Float32Array(0) };
      const scoring = this.newTitles && this.newTitles.size > 0 ? await this.scoring?.get() : undefined;
      if (scoring) query = unitRow(scoring.itemVectors, index, scoring.dim);
    } else {
      const title = this.newTitles?.get(request.itemId);
      const scoring = title ? await this.scoring?.get() : undefined;
      if (!title || !scoring) return undefined;
      query = title.unit;
      result = this.cosineTopK(scoring, query, request.count, filter.allowed, skip);
    }
    const items = Array.from(result.items, (item, t) => catalog.responseItem(item, result.scores[t]));
    if (query)
      this.mergeNew(items, request.count, request.filter, request.exclude, (title) =>
        title.item.itemId === request.itemId ? undefined : dot(query, title.unit),
      );
    this.pad(items, result.items, request.count, filter, skip);
    return { modelVersion: this.version, personalized: true, items };
  }

  /**
   * The candidates ordered by the model's score for the history and preferences — titles added
   * after the model (NewTitles) by u · v + newItemBias, as Recommend scores them; candidates
   * neither knows go last, with score 0 and `reason: "unknown_item"`, and are listed in
   * `unknownItemIds`.
   */
  async rank(request: RankRequest): Promise<RankResult> {
    const { catalog } = this;
    await this.newTitles?.fresh();
    const signals = resolveSignals(catalog, request.history, request.preferences);
    const candidates = new Uint8Array(catalog.itemCount);
    const fresh: NewTitle[] = [];
    const unknown: string[] = [];
    const others = new Set<string>();
    let known = 0;
    for (const itemId of request.itemIds) {
      const index = catalog.indexOf(itemId);
      if (index >= 0) {
        if (candidates[index] === 0) known++;
        candidates[index] = 1;
      } else if (!others.has(itemId)) {
        others.add(itemId);
        const title = this.newTitles?.get(itemId);
        if (title) fresh.push(title);
        else unknown.push(itemId);
      }
    }
    const items: ResponseItem[] = [];
    if (known > 0 || fresh.length > 0) {
      // Everything but the candidates is excluded, so the graph's top-|candidates| is exactly
      // the candidates, ordered and scored (none when only new titles are asked for: the run
      // still gives the user vector they are scored with).
      const exclude = new Int32Array(catalog.itemCount - known);
      for (let i = 0, e = 0; i < candidates.length; i++) if (candidates[i] === 0) exclude[e++] = i;
      const result = await this.onnx.recommend({
        historyItems: signals.historyItems,
        historyWeights: signals.historyWeights,
        preferences: signals.preferences,
        exclude,
        k: Math.max(known, 1),
      });
      items.push(...this.rankedItems(result, signals, request.explain));
      const u = result.userVector;
      if (u && this.newTitles) {
        const bias = result.newItemBias ?? this.newTitles.bias;
        for (const title of fresh) items.push(newTitleResponse(title, dot(u, title.vector) + bias));
        items.sort((a, b) => b.score - a.score);
      } else {
        // A model predating featureItemVectors cannot score them.
        unknown.unshift(...fresh.map((title) => title.item.itemId));
      }
    }
    for (const itemId of unknown) items.push({ itemId, score: 0, title: null, genres: [], year: null, reason: 'unknown_item' });
    return {
      modelVersion: this.version,
      personalized: signals.historyItems.length > 0 || signals.preferences.length > 0,
      items,
      ...nonEmpty(signals.ignored),
      ...(unknown.length > 0 ? { unknownItemIds: unknown } : {}),
    };
  }

  async dispose(): Promise<void> {
    await this.onnx.release();
  }

  /** New titles by u · v + newItemBias, merged into the graph's top-k (filters, exclusions and seen titles respected). */
  private mergeNewByScore(items: ResponseItem[], result: RecommendResult, request: RecommendRequest): void {
    const u = result.userVector;
    if (!u || !this.newTitles || this.newTitles.size === 0) return;
    const bias = result.newItemBias ?? this.newTitles.bias;
    const exclude = request.excludeSeen ? [...request.exclude, ...request.history.map((signal) => signal.itemId)] : request.exclude;
    // No `because` for new titles: the graph's contributions cover only the titles it holds.
    this.mergeNew(items, request.count, request.filter, exclude, (title) => dot(u, title.vector) + bias);
  }

  /**
   * Merges the new titles passing `filter` and not in `exclude` into `items` (sorted by score,
   * best first) by `score` (undefined: leave out), keeping at most `count`.
   */
  private mergeNew(
    items: ResponseItem[],
    count: number,
    filter: ItemFilterSpec,
    exclude: readonly string[],
    score: (title: NewTitle) => number | undefined,
  ): void {
    if (!this.newTitles || this.newTitles.size === 0) return;
    const excluded = new Set(exclude);
    let added = false;
    for (const title of this.newTitles.titles()) {
      if (excluded.has(title.item.itemId) || !newTitlePasses(title.item, filter)) continue;
      const value = score(title);
      if (value === undefined || !Number.isFinite(value)) continue;
      if (items.length >= count && value <= items[items.length - 1].score) continue;
      items.push(newTitleResponse(title, value));
      added = true;
    }
    if (!added) return;
    items.sort((a, b) => b.score - a.score);
    if (items.length > count) items.length = count;
  }

  /** Top `count` model titles by cosine with the unit vector `query`, among those allowed and not skipped. */
  private cosineTopK(
    scoring: ScoringModel,
    query: Float32Array,
    count: number,
    allowed: Uint8Array | undefined,
    skip: ReadonlySet<number>,
  ): { items: Int32Array; scores: Float32Array } {
    const { itemVectors, dim, itemCount } = scoring;
    const scores = new Float32Array(itemCount);
    let candidates = 0;
    for (let i = 0; i < itemCount; i++) {
      if ((allowed && allowed[i] === 0) || skip.has(i)) {
        scores[i] = Number.NEGATIVE_INFINITY;
        continue;
      }
      const offset = i * dim;
      let norm = 0;
      for (let c = 0; c < dim; c++) norm += itemVectors[offset + c] * itemVectors[offset + c];
      scores[i] = norm > 0 ? dot(query, itemVectors, offset) / Math.sqrt(norm) : 0;
      candidates++;
    }
    const k = Math.min(count, candidates);
    const items = new Int32Array(k);
    const top = new Float32Array(k);
    if (k > 0) topK(scores, k, items, top);
    return { items, scores: top };
  }

  private pad(items: ResponseItem[], listed: Int32Array, count: number, filter: ItemFilter, skip: Set<number>): void {
    if (items.length >= count) return;
    for (const index of listed) skip.add(index);
    items.push(...this.catalog.popularItems(count - items.length, filter, skip, true));
  }

  private rankedItems(result: RecommendResult, signals: ResolvedSignals, explain: boolean): ResponseItem[] {
    const { catalog } = this;
    const k = result.items.length;
    const items: ResponseItem[] = new Array(k);
    for (let t = 0; t < k; t++) {
      const item = catalog.responseItem(result.items[t], result.scores[t]);
      if (result.ratings) item.predictedRating = result.ratings[t];
      if (explain) item.because = this.because(result.contributions, k, t, signals.historyItems);
      items[t] = item;
    }
    return items;
  }

  /** The (at most 3) history titles with the largest positive contribution to result t. */
  private because(contributions: Float32Array, k: number, t: number, history: Int32Array): Because[] {
    const top: { j: number; value: number }[] = [];
    for (let j = 0; j < history.length; j++) {
      const value = contributions[j * k + t];
      if (!(value > 0)) continue;
      if (top.length === MAX_BECAUSE && value <= top[MAX_BECAUSE - 1].value) continue;
      let at = top.length < MAX_BECAUSE ? top.length : MAX_BECAUSE - 1;
      top[at] = { j, value };
      while (at > 0 && top[at - 1].value < top[at].value) {
        [top[at - 1], top[at]] = [top[at], top[at - 1]];
        at--;
      }
    }
    return top.map(({ j, value }) => ({
      itemId: this.catalog.itemId(history[j]),
      title: this.catalog.title(history[j]),
      contribution: value,
    }));
  }

  private indicesOf(itemIds: readonly string[]): Set<number> {
    const out = new Set<number>();
    for (const itemId of itemIds) {
      const index = this.catalog.indexOf(itemId);
      if (index >= 0) out.add(index);
    }
    return out;
  }
}

/**
 * model.onnx read back (featureItemVectors, item vectors) on the first `get`: at 50k titles the
 * read costs 15–30 ms, which a cold start no longer waits for, and most versions never need it.
 * Undefined, with a warning, when the graph has no featureItemVectors or cannot be read (its bytes
 * passed their sha256 and, in the Recommend process, loaded in onnxruntime).
 */
class LazyScoringModel {
  private model?: Promise<ScoringModel | undefined>;

  constructor(
    private bytes: Uint8Array | undefined,
    private readonly version: string,
  ) {}

  get(): Promise<ScoringModel | undefined> {
    this.model ??= this.read().finally(() => {
      this.bytes = undefined;
    });
    return this.model;
  }

  private async read(): Promise<ScoringModel | undefined> {
    const { bytes, version } = this;
    if (!bytes) return undefined;
    let model: ScoringModel;
    try {
      // Imported here, not with this module: onnx-proto's protobuf classes take ≈ 10 ms to set up at import.
      const { readScoringModel } = await import('../../model/onnx/readScoringModel.ts');
      model = readScoringModel(bytes);
    } catch (error) {
      logger.error('model.onnx cannot be read back: titles added after it are not served until the next model', {
        modelVersion: version,
        error: error as Error,
      });
      return undefined;
    }
    if (!model.featureItemVectors || model.newItemBias === undefined) {
      logger.warn('model has no featureItemVectors: titles added after it are not served until the next model', { modelVersion: version });
      return undefined;
    }
    return model;
  }
}

/** Row `index` of a row-major matrix, scaled to unit length (zeros stay zeros). */
function unitRow(matrix: Float32Array, index: number, dim: number): Float32Array {
  const out = matrix.slice(index * dim, (index + 1) * dim);
  const norm = Math.sqrt(dot(out, out));
  if (norm > 0) for (let c = 0; c < dim; c++) out[c] /= norm;
  return out;
}

/** The graph's `exclude` input: what the filter rejects plus the titles to skip (repeats are harmless). */
function excludeList(filter: ItemFilter, skip: ReadonlySet<number>): Int32Array {
  if (skip.size === 0) return filter.rejected;
  const out = new Int32Array(filter.rejected.length + skip.size);
  out.set(filter.rejected);
  let e = filter.rejected.length;
  for (const index of skip) out[e++] = index;
  return out;
}

function nonEmpty(ignored: IgnoredInput): { ignored?: IgnoredInput } {
  return ignored.history || ignored.preferences ? { ignored } : {};
}

/**
 * Runs each graph once with everything excluded: a graph of exactly itemCount titles returns
 * nothing, a larger one returns something, a smaller one fails on the out-of-range index. The
 * last index of the vocabulary goes in as a preference likewise. Then one ordinary run each, so
 * the first request does not pay onnxruntime's first-run allocations.
 */
async function checkGraphs(onnx: OnnxRecommender, catalog: ServingCatalog): Promise<void> {
  const n = catalog.itemCount;
  const version = catalog.version;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (onnx.hasRecommend) {
    const preferences = catalog.featureCount > 0 ? Int32Array.of(catalog.featureCount - 1) : new Int32Array(0);
    const history = Int32Array.of(n - 1);
    const weights = Float32Array.of(1);
    const none = await onnx.recommend({ historyItems: history, historyWeights: weights, preferences, exclude: all, k: 1 });
    if (none.items.length !== 0)
      throw new InvalidModelError(`the recommend graph of model ${version} holds more than the manifest's ${n} items`, version);
    const some = await onnx.recommend({
      historyItems: history,
      historyWeights: weights,
      preferences,
      exclude: new Int32Array(0),
      k: Math.min(10, n),
    });
    if (some.items.length !== Math.min(10, n))
      throw new InvalidModelError(`the recommend graph of model ${version} returned ${some.items.length} items`, version);
  }
  if (onnx.hasSimilar && n > 1) {
    const none = await onnx.similar(0, 1, all.subarray(1));
    if (none.items.length !== 0)
      throw new InvalidModelError(`the similar graph of model ${version} holds more than the manifest's ${n} items`, version);
    await onnx.similar(n - 1, Math.min(10, n - 1));
  }
}
