/**
 * The item → features rows of a catalog and their transpose (feature → items), with the two linear
 * maps the trainer needs between item rows and feature rows:
 *
 *   compose: out_i = idRows_i + mean_{f ∈ F(i)} featureRows_f        (h_j or v_i from parameters)
 *   spread:  out_f += Σ_{i : f ∈ F(i)} itemGrad_i / |F(i)|           (its transpose, for gradients)
 *
 * Both work on a range of rows, so that threads can share the work by rows, and both sum in
 * float64 locals eight columns at a time and store once. The transpose lists each feature's items
 * in ascending order, so spread's sums run in the same order whoever computes them.
 */
export class FeatureRows {
  itemCount = 0;
  featureCount = 0;
  /** Item i's features are features[offsets[i] .. offsets[i+1]-1] (the caller's arrays, not copied). */
  offsets: Readonly<Int32Array> = new Int32Array(1);
  features: Readonly<Int32Array> = new Int32Array(0);
  /** Feature f's items are featureItems[featureOffsets[f] .. featureOffsets[f+1]-1], ascending. */
  featureOffsets = new Int32Array(1);
  featureItems = new Int32Array(0);
  /** 1/|F(i)| of each featureItems entry. */
  featureShares = new Float64Array(0);

  /** Points at a catalog's rows and rebuilds the transpose, reusing buffers when they are large enough. */
  set(itemCount: number, featureCount: number, offsets: Readonly<Int32Array>, features: Readonly<Int32Array>): this {
    this.itemCount = itemCount;
    this.featureCount = featureCount;
    this.offsets = offsets;
    this.features = features;
    const entries = offsets[itemCount];
    if (this.featureOffsets.length < featureCount + 1) this.featureOffsets = new Int32Array(featureCount + 1);
    if (this.featureItems.length < entries) {
      this.featureItems = new Int32Array(entries);
      this.featureShares = new Float64Array(entries);
    }
    const rows = this.featureOffsets;
    const items = this.featureItems;
    const shares = this.featureShares;
    // Counting sort by feature; rows[f + 1] first counts, then (shifted) serves as f's fill cursor.
    rows.fill(0, 0, featureCount + 1);
    for (let q = 0; q < entries; q++) rows[features[q] + 1]++;
    for (let f = 0; f < featureCount; f++) rows[f + 1] += rows[f];
    for (let i = 0; i < itemCount; i++) {
      const start = offsets[i];
      const end = offsets[i + 1];
      const share = 1 / (end - start);
      for (let q = start; q < end; q++) {
        const at = rows[features[q]]++;
        items[at] = i;
        shares[at] = share;
      }
    }
    for (let f = featureCount; f > 0; f--) rows[f] = rows[f - 1];
    rows[0] = 0;
    return this;
  }

  /** Writes rows from..to-1 of `out` (itemCount × dim): each item's id row plus the mean of its feature rows. */
  compose(
    dim: number,
    idRows: Readonly<Float32Array>,
    featureRows: Readonly<Float32Array>,
    from: number,
    to: number,
    out: Float32Array,
  ): void {
    for (let i = from; i < to; i++) composeRow(dim, idRows, featureRows, this.offsets, this.features, i, out, i * dim);
  }

  /** compose() for the rows listed in items[0..count-1] only (the other rows of `out` are left as they are). */
  composeListed(
    dim: number,
    idRows: Readonly<Float32Array>,
    featureRows: Readonly<Float32Array>,
    items: Readonly<Int32Array>,
    count: number,
    out: Float32Array,
  ): void {
    for (let k = 0; k < count; k++) composeRow(dim, idRows, featureRows, this.offsets, this.features, items[k], out, items[k] * dim);
  }

  /** compose() of the items listed in items[from..to-1] into the same rows of `out` (row k holds item items[k]: gathered). */
  composeGathered(
    dim: number,
    idRows: Readonly<Float32Array>,
    featureRows: Readonly<Float32Array>,
    items: Readonly<Int32Array>,
    from: number,
    to: number,
    out: Float32Array,
  ): void {
    for (let k = from; k < to; k++) composeRow(dim, idRows, featureRows, this.offsets, this.features, items[k], out, k * dim);
  }

  /**
   * spread() from the rows of the items listed in items[0..count-1] only: each adds its mean share
   * to its features' rows of `out`, item by item in list order. The other items' rows of
   * `itemGrad` must be zero for this to equal spread() (as in a sparse step).
   */
  spreadListed(dim: number, itemGrad: Readonly<Float32Array>, items: Readonly<Int32Array>, count: number, out: Float32Array): void {
    const { offsets, features } = this;
    for (let k = 0; k < count; k++) {
      const i = items[k];
      const start = offsets[i];
      const end = offsets[i + 1];
      if (end === start) continue;
      const share = 1 / (end - start);
      const io = i * dim;
      for (let q = start; q < end; q++) {
        const fo = features[q] * dim;
        for (let c = 0; c < dim; c++) out[fo + c] += share * itemGrad[io + c];
      }
    }
  }

  /**
   * Adds to feature rows from..to-1 of `out` (featureCount × dim) the mean share of their items'
   * rows of `itemGrad`. Feature-major over the transpose: eight columns are summed in locals over
   * all of the feature's items, then added once.
   */
  spread(dim: number, itemGrad: Readonly<Float32Array>, from: number, to: number, out: Float32Array): void {
    const rows = this.featureOffsets;
    const items = this.featureItems;
    const shares = this.featureShares;
    const dim8 = dim - (dim & 7);
    for (let f = from; f < to; f++) {
      const start = rows[f];
      const end = rows[f + 1];
      if (end === start) continue;
      const fo = f * dim;
      let c = 0;
      for (; c < dim8; c += 8) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          s4 = 0,
          s5 = 0,
          s6 = 0,
          s7 = 0;
        for (let q = start; q < end; q++) {
          const share = shares[q];
          const io = items[q] * dim + c;
          s0 += share * itemGrad[io];
          s1 += share * itemGrad[io + 1];
          s2 += share * itemGrad[io + 2];
          s3 += share * itemGrad[io + 3];
          s4 += share * itemGrad[io + 4];
          s5 += share * itemGrad[io + 5];
          s6 += share * itemGrad[io + 6];
          s7 += share * itemGrad[io + 7];
        }
        out[fo + c] += s0;
        out[fo + c + 1] += s1;
        out[fo + c + 2] += s2;
        out[fo + c + 3] += s3;
        out[fo + c + 4] += s4;
        out[fo + c + 5] += s5;
        out[fo + c + 6] += s6;
        out[fo + c + 7] += s7;
      }
      for (; c < dim; c++) {
        let s = 0;
        for (let q = start; q < end; q++) s += shares[q] * itemGrad[items[q] * dim + c];
        out[fo + c] += s;
      }
    }
  }
}

/** The row at offset o of `out`: id row i plus the mean of item i's feature rows, eight columns at a time summed in locals. */
function composeRow(
  dim: number,
  idRows: Readonly<Float32Array>,
  featureRows: Readonly<Float32Array>,
  offsets: Readonly<Int32Array>,
  features: Readonly<Int32Array>,
  i: number,
  out: Float32Array,
  o: number,
): void {
  const io = i * dim;
  const start = offsets[i];
  const end = offsets[i + 1];
  if (end === start) {
    for (let c = 0; c < dim; c++) out[o + c] = idRows[io + c];
    return;
  }
  const share = 1 / (end - start);
  const dim8 = dim - (dim & 7);
  let c = 0;
  for (; c < dim8; c += 8) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      s4 = 0,
      s5 = 0,
      s6 = 0,
      s7 = 0;
    for (let q = start; q < end; q++) {
      const fo = features[q] * dim + c;
      s0 += featureRows[fo];
      s1 += featureRows[fo + 1];
      s2 += featureRows[fo + 2];
      s3 += featureRows[fo + 3];
      s4 += featureRows[fo + 4];
      s5 += featureRows[fo + 5];
      s6 += featureRows[fo + 6];
      s7 += featureRows[fo + 7];
    }
    out[o + c] = idRows[io + c] + share * s0;
    out[o + c + 1] = idRows[io + c + 1] + share * s1;
    out[o + c + 2] = idRows[io + c + 2] + share * s2;
    out[o + c + 3] = idRows[io + c + 3] + share * s3;
    out[o + c + 4] = idRows[io + c + 4] + share * s4;
    out[o + c + 5] = idRows[io + c + 5] + share * s5;
    out[o + c + 6] = idRows[io + c + 6] + share * s6;
    out[o + c + 7] = idRows[io + c + 7] + share * s7;
  }
  for (; c < dim; c++) {
    let s = 0;
    for (let q = start; q < end; q++) s += featureRows[features[q] * dim + c];
    out[o + c] = idRows[io + c] + share * s;
  }
}
