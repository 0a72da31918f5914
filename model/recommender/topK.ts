import { ShapeError } from '../errors.ts';

/**
 * Writes the `k` highest entries of `scores` into `outIndices` / `outScores`, best first, and
 * returns how many it wrote (fewer than `k` when fewer entries are valid). Ties go to the lower
 * index, so the result is deterministic. `-Infinity` and `NaN` entries are never selected: they
 * are how callers mark excluded or unscored items.
 *
 * O(n log k), no allocation: the first `k` slots of the out arrays hold a binary min-heap whose
 * root is the worst of the current best, and a final in-place heap sort orders them.
 */
export function topK(scores: Readonly<Float32Array>, k: number, outIndices: Int32Array, outScores: Float32Array): number {
  if (!Number.isInteger(k) || k < 0) throw new ShapeError(`topK: k must be a non-negative integer, got ${k}`);
  if (outIndices.length < k || outScores.length < k) {
    throw new ShapeError(`topK: out arrays must hold k = ${k} entries, got ${outIndices.length} indices and ${outScores.length} scores`);
  }
  if (k === 0) return 0;

  const n = scores.length;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    // `s > -Infinity` is false for -Infinity and for NaN.
    if (!(s > Number.NEGATIVE_INFINITY)) continue;
    if (size < k) {
      siftUp(outIndices, outScores, size, i, s);
      size++;
    } else if (s > outScores[0]) {
      // Indices arrive in increasing order, so an entry equal to the root loses the tie to it:
      // only a strictly higher score can enter a full heap.
      siftDown(outIndices, outScores, size, i, s);
    }
  }

  // Heap sort: move the worst to the end, one slot at a time, leaving the best in slot 0.
  for (let end = size - 1; end > 0; end--) {
    const index = outIndices[end];
    const score = outScores[end];
    outIndices[end] = outIndices[0];
    outScores[end] = outScores[0];
    siftDown(outIndices, outScores, end, index, score);
  }
  return size;
}

/** True when (scoreA, indexA) ranks below (scoreB, indexB). */
function worse(scoreA: number, indexA: number, scoreB: number, indexB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && indexA > indexB);
}

/** Inserts (index, score) at heap slot `hole` (the new last slot) and restores heap order. */
function siftUp(indices: Int32Array, scores: Float32Array, hole: number, index: number, score: number): void {
  while (hole > 0) {
    const parent = (hole - 1) >> 1;
    if (!worse(score, index, scores[parent], indices[parent])) break;
    indices[hole] = indices[parent];
    scores[hole] = scores[parent];
    hole = parent;
  }
  indices[hole] = index;
  scores[hole] = score;
}

/** Replaces the root of a heap of `size` slots with (index, score) and restores heap order. */
function siftDown(indices: Int32Array, scores: Float32Array, size: number, index: number, score: number): void {
  let hole = 0;
  for (;;) {
    let child = 2 * hole + 1;
    if (child >= size) break;
    const right = child + 1;
    if (right < size && worse(scores[right], indices[right], scores[child], indices[child])) child = right;
    if (!worse(scores[child], indices[child], score, index)) break;
    indices[hole] = indices[child];
    scores[hole] = scores[child];
    hole = child;
  }
  indices[hole] = index;
  scores[hole] = score;
}
