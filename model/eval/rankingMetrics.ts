import { ShapeError } from '../errors.ts';

/**
 * The items a user actually interacted with in the test period. A `ReadonlySet<number>` fits;
 * the evaluator passes a reusable stamp-array view so that it allocates nothing per user.
 */
export interface RelevantItems {
  readonly size: number;
  has(item: number): boolean;
}

/*
 * Per-user ranking metrics at k, binary relevance. `ranked` holds distinct item indices, best
 * first, at most k of them (fewer when fewer items could be ranked). A metric whose denominator
 * is |relevant| is undefined for an empty relevant set and returns NaN; evaluators leave such
 * users out of their averages.
 */

/** Hits / k — divided by k even when `ranked` is shorter, so a short list is not rewarded. */
export function precisionAtK(ranked: Readonly<Int32Array>, relevant: RelevantItems, k: number): number {
  return countHits(ranked, relevant, k) / k;
}

/** Hits / |relevant|. */
export function recallAtK(ranked: Readonly<Int32Array>, relevant: RelevantItems, k: number): number {
  const hits = countHits(ranked, relevant, k);
  return relevant.size === 0 ? Number.NaN : hits / relevant.size;
}

/**
 * DCG / ideal DCG with DCG = Σ over hit positions i (1-based) of 1 / log2(i + 1), and the ideal DCG
 * that of min(k, |relevant|) hits in the first positions.
 */
export function ndcgAtK(ranked: Readonly<Int32Array>, relevant: RelevantItems, k: number): number {
  checkList(ranked, k);
  if (relevant.size === 0) return Number.NaN;
  let dcg = 0;
  for (let i = 0; i < ranked.length; i++) {
    if (relevant.has(ranked[i])) dcg += 1 / Math.log2(i + 2);
  }
  const idealHits = Math.min(k, relevant.size);
  let ideal = 0;
  for (let i = 0; i < idealHits; i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/**
 * Average precision at k (the per-user term of MAP@k): Σ over hit positions i (1-based) of
 * precision@i, divided by min(k, |relevant|).
 */
export function averagePrecisionAtK(ranked: Readonly<Int32Array>, relevant: RelevantItems, k: number): number {
  checkList(ranked, k);
  if (relevant.size === 0) return Number.NaN;
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < ranked.length; i++) {
    if (relevant.has(ranked[i])) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / Math.min(k, relevant.size);
}

/** 1 when any of the ranked items is relevant, else 0. */
export function hitRateAtK(ranked: Readonly<Int32Array>, relevant: RelevantItems, k: number): number {
  return countHits(ranked, relevant, k) > 0 ? 1 : 0;
}

function countHits(ranked: Readonly<Int32Array>, relevant: RelevantItems, k: number): number {
  checkList(ranked, k);
  let hits = 0;
  for (let i = 0; i < ranked.length; i++) if (relevant.has(ranked[i])) hits++;
  return hits;
}

function checkList(ranked: Readonly<Int32Array>, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ShapeError(`ranking metric: k must be a positive integer, got ${k}`);
  if (ranked.length > k) throw new ShapeError(`ranking metric: ranked list has ${ranked.length} items, more than k = ${k}`);
}
