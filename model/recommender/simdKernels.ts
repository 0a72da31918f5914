import { assembleModule, F32, FunctionBody, I32, V128, type FunctionDefinition } from './wasmAssembler.ts';

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * The three dense products of the softmax gradient as WebAssembly SIMD (f32x4) functions over
 * buffers in one WebAssembly memory:
 *
 *   logits:        z_bi = u_b · v_i + bias_i                  (users × items)
 *   itemGradients: dv_i = Σ_b g_bi u_b                       (written, not added)
 *   userGradients: du_b = Σ_i g_bi v_i                       (written)
 *
 * Shapes are padded so that the functions have no leftover cases: users in blocks of 4, items in
 * pairs (`itemSlots`, the row stride of logits, is itemCount rounded up to even). A block or pair
 * that runs past the rows asked for reads and writes rows that the caller ignores; every buffer
 * has spare rows so that this stays inside it. Padding that enters kept results must be zero (see
 * clearPadding). Sums run in float32 lanes, four columns or
 * terms at a time, so results differ from the float64-accumulating JavaScript kernel by float32
 * rounding; du sums its items in blocks of ITEM_BLOCK before adding the block to the total, which
 * keeps that rounding small for long catalogs. Needs dim % 4 === 0.
 */
export class SimdKernels {
  readonly dim: number;
  readonly itemCount: number;
  /** Row stride of logits: itemCount rounded up to even. */
  readonly itemSlots: number;
  /** Rows of the user buffers: maxUsers rounded up to a multiple of 4, plus a spare block. */
  readonly userSlots: number;
  /** userSlots × dim user vectors. */
  readonly users: Float32Array;
  /** (itemSlots + 2) × dim item vectors. */
  readonly items: Float32Array;
  /** itemSlots + 2 biases. */
  readonly bias: Float32Array;
  /** userSlots × itemSlots logits, then their gradients (plus a spare row). */
  readonly logits: Float32Array;
  /** (itemSlots + 2) × dim gradient of the item vectors. */
  readonly itemGradient: Float32Array;
  /** userSlots × dim gradient of the user vectors. */
  readonly userGradient: Float32Array;
  /** maxEntries slot indices (rows of items / itemGradient) for the gathered kernels. */
  readonly slots: Int32Array;
  /** maxEntries coefficients: gatherDot's output, the axpy kernels' factors. */
  readonly coefficients: Float32Array;
  private readonly exports: {
    gatherDot: (dim: number, user: number, items: number, slots: number, count: number, out: number) => void;
    gatherAxpy: (dim: number, out: number, items: number, slots: number, coefficients: number, count: number) => void;
    scatterAxpy: (dim: number, x: number, rows: number, slots: number, coefficients: number, count: number) => void;
    logits: (...args: number[]) => void;
    itemGradients: (...args: number[]) => void;
    userGradients: (...args: number[]) => void;
    expShifted: (pointer: number, count: number, shift: number) => number;
    scale: (pointer: number, count: number, factor: number) => void;
  };
  private readonly pointers: {
    users: number;
    items: number;
    bias: number;
    logits: number;
    itemGradient: number;
    userGradient: number;
    slots: number;
    coefficients: number;
  };

  private constructor(dim: number, itemCount: number, maxUsers: number, maxEntries: number, logitItems: number) {
    this.dim = dim;
    this.itemCount = itemCount;
    this.itemSlots = SimdKernels.itemSlotsFor(itemCount);
    this.userSlots = roundUp4(maxUsers) + 4;
    const sizes = {
      users: this.userSlots * dim,
      items: (this.itemSlots + 2) * dim,
      bias: this.itemSlots + 2,
      logits: (this.userSlots + 1) * SimdKernels.itemSlotsFor(logitItems),
      itemGradient: (this.itemSlots + 2) * dim,
      userGradient: this.userSlots * dim,
      slots: maxEntries,
      coefficients: maxEntries,
    };
    let bytes = 0;
    const pointers = {} as Record<keyof typeof sizes, number>;
    for (const key of Object.keys(sizes) as (keyof typeof sizes)[]) {
      pointers[key] = bytes;
      bytes += Math.ceil((sizes[key] * 4) / 16) * 16;
    }
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    const api = wasm as WasmApi;
    const memory = new api.Memory({ initial: pages });
    const instance = new api.Instance(compiledModule(api), { env: { memory } });
    this.exports = instance.exports as unknown as SimdKernels['exports'];
    this.pointers = pointers;
    const view = (key: keyof typeof sizes): Float32Array => new Float32Array(memory.buffer, pointers[key], sizes[key]);
    this.users = view('users');
    this.items = view('items');
    this.bias = view('bias');
    this.logits = view('logits');
    this.itemGradient = view('itemGradient');
    this.userGradient = view('userGradient');
    this.slots = new Int32Array(memory.buffer, pointers.slots, sizes.slots);
    this.coefficients = view('coefficients');
  }

  /** Whether create() gives kernels for this dimension: a multiple of 4, on a runtime with WebAssembly SIMD. */
  static supports(dim: number): boolean {
    return dim % 4 === 0 && simdAvailable();
  }

  /**
   * Kernels for these sizes, or undefined when not supported (see supports). `maxEntries` sizes
   * the slots and coefficients of the gathered kernels (default 0: not used); `logitItems` the
   * logits rows (default itemCount; fewer when only the first rows are ever scored densely).
   */
  static create(dim: number, itemCount: number, maxUsers: number, maxEntries = 0, logitItems = itemCount): SimdKernels | undefined {
    return SimdKernels.supports(dim) ? new SimdKernels(dim, itemCount, maxUsers, maxEntries, logitItems) : undefined;
  }

  /** The logits' row stride of kernels for this many items. */
  static itemSlotsFor(itemCount: number): number {
    return itemCount + (itemCount & 1);
  }

  /**
   * Zeroes the user rows from `users` on (left over from a larger batch), so that the padding users
   * of computeItemGradients add nothing whatever their logits rows hold. The padding item's row
   * and bias are never written, so they stay zero.
   */
  clearPadding(users: number): void {
    this.users.fill(0, users * this.dim, this.userSlots * this.dim);
  }

  /**
   * logits rows from..from+count-1 (and the rest of the last block of 4), every item. `slots` (even,
   * at most itemSlots; default itemSlots) scores only the first `slots` item rows, with logits rows
   * `slots` floats apart: a sampled step's candidates gathered at the start of the item buffer.
   */
  computeLogits(from: number, count: number, slots = this.itemSlots): void {
    const p = this.pointers;
    const rowBytes = 4 * this.dim;
    this.exports.logits(this.dim, slots, roundUp4(count), p.users + from * rowBytes, p.items, p.bias, p.logits + 4 * from * slots);
  }

  /**
   * itemGradient rows itemFrom..itemTo-1 (and the rest of the last pair) from the gradient rows of
   * logits 0..users-1 (rounded up to a multiple of 4: clearPadding(users) first).
   */
  computeItemGradients(itemFrom: number, itemTo: number, users: number, slots = this.itemSlots): void {
    const p = this.pointers;
    const pairs = Math.ceil((itemTo - itemFrom) / 2) * 2;
    if (pairs <= 0) return;
    this.exports.itemGradients(
      this.dim,
      pairs,
      slots,
      roundUp4(users),
      p.logits + 4 * itemFrom,
      p.users,
      p.itemGradient + 4 * itemFrom * this.dim,
    );
  }

  /**
   * logits[at..at+count-1] = exp(logits[k] − shift), count a multiple of 4; returns their sum
   * (float32 lanes). exp is Cephes' expf polynomial, within 2 float32 ulps of exp of the float32
   * difference; a difference below −87.33654 counts as −87.33654 (e^x ≈ 1.2e-38, where float32's
   * normal range ends).
   */
  expShifted(at: number, count: number, shift: number): number {
    return this.exports.expShifted(this.pointers.logits + 4 * at, count, shift);
  }

  /** logits[at..at+count-1] *= factor, count a multiple of 4. */
  scaleLogits(at: number, count: number, factor: number): void {
    this.exports.scale(this.pointers.logits + 4 * at, count, factor);
  }

  /**
   * Gather-dot: coefficients[at + k] = users row `user` · items row slots[at + k], k < count (no
   * bias): a user's logits of the rows it alone scores (its own positives in a sampled step).
   */
  gatherDot(user: number, at: number, count: number): void {
    const p = this.pointers;
    this.exports.gatherDot(this.dim, p.users + 4 * user * this.dim, p.items, p.slots + 4 * at, count, p.coefficients + 4 * at);
  }

  /** Gather-axpy: userGradient row `user` += Σ_k coefficients[at + k] · items row slots[at + k]. */
  gatherAxpy(user: number, at: number, count: number): void {
    const p = this.pointers;
    this.exports.gatherAxpy(this.dim, p.userGradient + 4 * user * this.dim, p.items, p.slots + 4 * at, p.coefficients + 4 * at, count);
  }

  /** Scatter-axpy: itemGradient row slots[at + k] += coefficients[at + k] · users row `user`, k < count, in order. */
  scatterAxpy(user: number, at: number, count: number): void {
    const p = this.pointers;
    this.exports.scatterAxpy(this.dim, p.users + 4 * user * this.dim, p.itemGradient, p.slots + 4 * at, p.coefficients + 4 * at, count);
  }

  /** userGradient rows from..from+count-1 (and the rest of the last block) from the gradient rows of logits. */
  computeUserGradients(from: number, count: number, slots = this.itemSlots): void {
    const p = this.pointers;
    const rowBytes = 4 * this.dim;
    this.exports.userGradients(this.dim, slots, roundUp4(count), p.logits + 4 * from * slots, p.items, p.userGradient + from * rowBytes);
  }
}

/** Items summed in float32 per block of du before the block joins the total. */
const ITEM_BLOCK = 64;

function roundUp4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

let simdSupport: boolean | undefined;
function simdAvailable(): boolean {
  if (simdSupport === undefined) {
    try {
      simdSupport = wasm !== undefined && wasm.validate(compiledBytes());
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport;
}

let bytesCache: Uint8Array | undefined;
function compiledBytes(): Uint8Array {
  bytesCache ??= assembleModule(
    [
      logitsFunction(),
      itemGradientsFunction(),
      userGradientsFunction(),
      expShiftedFunction(),
      scaleFunction(),
      gatherDotFunction(),
      axpyFunction('gatherAxpy'),
      axpyFunction('scatterAxpy'),
    ],
    1,
  );
  return bytesCache;
}

let moduleCache: object | undefined;
function compiledModule(api: WasmApi): object {
  moduleCache ??= new api.Module(compiledBytes());
  return moduleCache;
}

/** Adds the four lanes of the v128 on the stack: ((l0 + l1) + l2) + l3. */
function horizontalSum(f: FunctionBody, vector: number): void {
  f.get(vector).f32x4ExtractLane(0);
  f.get(vector).f32x4ExtractLane(1).f32Add();
  f.get(vector).f32x4ExtractLane(2).f32Add();
  f.get(vector).f32x4ExtractLane(3).f32Add();
}

/** `local += a * b` on v128 locals, with a and b pushed by the callbacks. */
function multiplyAdd(f: FunctionBody, accumulator: number, a: () => void, b: () => void): void {
  f.get(accumulator);
  a();
  b();
  f.f32x4Mul().f32x4Add().set(accumulator);
}

/**
 * logits(dim, itemSlots, userSlots, users, items, bias, out): item-major like the JS kernel, two
 * items × four users per pass, eight f32x4 running sums over the row, each loaded item chunk
 * feeding four users and each user chunk two items.
 */
function logitsFunction(): FunctionDefinition {
  const f = new FunctionBody(7);
  const [dim, itemSlots, userSlots, users, items, bias, out] = [0, 1, 2, 3, 4, 5, 6];
  const rowBytes = f.local(I32);
  const i = f.local(I32);
  const b = f.local(I32);
  const c = f.local(I32);
  const vo = f.local(I32);
  const u = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const s = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const v = f.local(V128);
  const w = f.local(V128);
  const a = f.local(V128);
  const zo = f.local(I32);

  f.get(dim).i32(2).i32Shl().set(rowBytes);
  f.i32(0).set(i);
  f.block().loop(); // items, two at a time
  f.get(i).get(itemSlots).i32GeS().brIf(1);
  f.get(items).get(i).get(rowBytes).i32Mul().i32Add().set(vo);
  f.i32(0).set(b);
  f.block().loop(); // users, four at a time
  f.get(b).get(userSlots).i32GeS().brIf(1);
  f.get(users).get(b).get(rowBytes).i32Mul().i32Add().set(u[0]);
  for (let k = 1; k < 4; k++)
    f.get(u[k - 1])
      .get(rowBytes)
      .i32Add()
      .set(u[k]);
  for (let k = 0; k < 4; k++) {
    f.v128Zero().set(s[k]);
    f.v128Zero().set(t[k]);
  }
  f.i32(0).set(c);
  f.block().loop(); // columns, four at a time
  f.get(c).get(rowBytes).i32GeS().brIf(1);
  f.get(vo).get(c).i32Add().v128Load().set(v);
  f.get(vo).get(rowBytes).i32Add().get(c).i32Add().v128Load().set(w);
  for (let k = 0; k < 4; k++) {
    f.get(u[k]).get(c).i32Add().v128Load().set(a);
    multiplyAdd(
      f,
      s[k],
      () => f.get(a),
      () => f.get(v),
    );
    multiplyAdd(
      f,
      t[k],
      () => f.get(a),
      () => f.get(w),
    );
  }
  f.get(c).i32(16).i32Add().set(c);
  f.br(0);
  f.end().end();
  // out[(b + k) * itemSlots + i] and [… + 1]
  for (let k = 0; k < 4; k++) {
    f.get(out).get(b).i32(k).i32Add().get(itemSlots).i32Mul().get(i).i32Add().i32(2).i32Shl().i32Add().set(zo);
    f.get(zo);
    horizontalSum(f, s[k]);
    f.get(bias).get(i).i32(2).i32Shl().i32Add().f32Load().f32Add();
    f.f32Store();
    f.get(zo);
    horizontalSum(f, t[k]);
    f.get(bias).get(i).i32(2).i32Shl().i32Add().f32Load(4).f32Add();
    f.f32Store(4);
  }
  f.get(b).i32(4).i32Add().set(b);
  f.br(0);
  f.end().end();
  f.get(i).i32(2).i32Add().set(i);
  f.br(0);
  f.end().end();
  return { name: 'logits', params: [I32, I32, I32, I32, I32, I32, I32], body: f };
}

/**
 * itemGradients(dim, items, gStride, userSlots, g, users, out): for `items` (even) items from g's
 * first column and out's first row, each pair and each run of sixteen columns (then four), eight
 * (two) f32x4 sums over all users; each user chunk loaded feeds both items, each splatted gradient
 * entry four chunks. g rows are gStride floats apart.
 */
function itemGradientsFunction(): FunctionDefinition {
  const f = new FunctionBody(7);
  const [dim, itemsToSum, gStride, userSlots, g, users, out] = [0, 1, 2, 3, 4, 5, 6];
  const rowBytes = f.local(I32);
  const gRowBytes = f.local(I32);
  const i = f.local(I32);
  const b = f.local(I32);
  const c = f.local(I32);
  const uo = f.local(I32);
  const go = f.local(I32);
  const oo = f.local(I32);
  const gv = f.local(V128);
  const gw = f.local(V128);
  const x = f.local(V128);
  const s = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];

  f.get(dim).i32(2).i32Shl().set(rowBytes);
  f.get(gStride).i32(2).i32Shl().set(gRowBytes);
  f.i32(0).set(i);
  f.block().loop(); // item pairs
  f.get(i).get(itemsToSum).i32GeS().brIf(1);
  f.get(out).get(i).get(rowBytes).i32Mul().i32Add().set(oo);
  f.i32(0).set(c);
  // Runs of 16 columns (4 chunks), then of 4 (1 chunk).
  for (const chunks of [4, 1]) {
    const width = 16 * chunks;
    f.block().loop();
    // while c + width <= rowBytes
    f.get(c).i32(width).i32Add().get(rowBytes).i32GtS().brIf(1);
    for (let k = 0; k < chunks; k++) {
      f.v128Zero().set(s[k]);
      f.v128Zero().set(t[k]);
    }
    f.get(users).get(c).i32Add().set(uo);
    f.get(g).get(i).i32(2).i32Shl().i32Add().set(go);
    f.i32(0).set(b);
    f.block().loop(); // users
    f.get(b).get(userSlots).i32GeS().brIf(1);
    f.get(go).f32Load().f32x4Splat().set(gv);
    f.get(go).f32Load(4).f32x4Splat().set(gw);
    for (let k = 0; k < chunks; k++) {
      f.get(uo)
        .v128Load(16 * k)
        .set(x);
      multiplyAdd(
        f,
        s[k],
        () => f.get(gv),
        () => f.get(x),
      );
      multiplyAdd(
        f,
        t[k],
        () => f.get(gw),
        () => f.get(x),
      );
    }
    f.get(uo).get(rowBytes).i32Add().set(uo);
    f.get(go).get(gRowBytes).i32Add().set(go);
    f.get(b).i32(1).i32Add().set(b);
    f.br(0);
    f.end().end();
    for (let k = 0; k < chunks; k++) {
      f.get(oo)
        .get(c)
        .i32Add()
        .get(s[k])
        .v128Store(16 * k);
      f.get(oo)
        .get(rowBytes)
        .i32Add()
        .get(c)
        .i32Add()
        .get(t[k])
        .v128Store(16 * k);
    }
    f.get(c).i32(width).i32Add().set(c);
    f.br(0);
    f.end().end();
  }
  f.get(i).i32(2).i32Add().set(i);
  f.br(0);
  f.end().end();
  return { name: 'itemGradients', params: [I32, I32, I32, I32, I32, I32, I32], body: f };
}

/**
 * userGradients(dim, itemSlots, userSlots, g, items, out): for each pair of users and each run of
 * sixteen columns (then four), eight (two) f32x4 sums over the items, ITEM_BLOCK items at a time
 * into block sums that are then added to the totals.
 */
function userGradientsFunction(): FunctionDefinition {
  const f = new FunctionBody(6);
  const [dim, itemSlots, userSlots, g, items, out] = [0, 1, 2, 3, 4, 5];
  const rowBytes = f.local(I32);
  const gRowBytes = f.local(I32);
  const b = f.local(I32);
  const c = f.local(I32);
  const i = f.local(I32);
  const blockEnd = f.local(I32);
  const vo = f.local(I32);
  const go = f.local(I32);
  const oo = f.local(I32);
  const g0 = f.local(V128);
  const g1 = f.local(V128);
  const x = f.local(V128);
  const s = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const S = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const T = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];

  f.get(dim).i32(2).i32Shl().set(rowBytes);
  f.get(itemSlots).i32(2).i32Shl().set(gRowBytes);
  f.i32(0).set(b);
  f.block().loop(); // user pairs
  f.get(b).get(userSlots).i32GeS().brIf(1);
  f.get(out).get(b).get(rowBytes).i32Mul().i32Add().set(oo);
  f.i32(0).set(c);
  for (const chunks of [4, 1]) {
    const width = 16 * chunks;
    f.block().loop();
    f.get(c).i32(width).i32Add().get(rowBytes).i32GtS().brIf(1);
    for (let k = 0; k < chunks; k++) {
      f.v128Zero().set(S[k]);
      f.v128Zero().set(T[k]);
    }
    f.i32(0).set(i);
    f.block().loop(); // blocks of items
    f.get(i).get(itemSlots).i32GeS().brIf(1);
    // blockEnd = min(i + ITEM_BLOCK, itemSlots)
    f.get(i).i32(ITEM_BLOCK).i32Add().set(blockEnd);
    f.block();
    f.get(blockEnd).get(itemSlots).i32LtS().brIf(0);
    f.get(itemSlots).set(blockEnd);
    f.end();
    for (let k = 0; k < chunks; k++) {
      f.v128Zero().set(s[k]);
      f.v128Zero().set(t[k]);
    }
    f.get(items).get(i).get(rowBytes).i32Mul().i32Add().get(c).i32Add().set(vo);
    f.get(g).get(b).get(gRowBytes).i32Mul().i32Add().get(i).i32(2).i32Shl().i32Add().set(go);
    f.block().loop(); // items of the block
    f.get(i).get(blockEnd).i32GeS().brIf(1);
    f.get(go).f32Load().f32x4Splat().set(g0);
    f.get(go).get(gRowBytes).i32Add().f32Load().f32x4Splat().set(g1);
    for (let k = 0; k < chunks; k++) {
      f.get(vo)
        .v128Load(16 * k)
        .set(x);
      multiplyAdd(
        f,
        s[k],
        () => f.get(g0),
        () => f.get(x),
      );
      multiplyAdd(
        f,
        t[k],
        () => f.get(g1),
        () => f.get(x),
      );
    }
    f.get(vo).get(rowBytes).i32Add().set(vo);
    f.get(go).i32(4).i32Add().set(go);
    f.get(i).i32(1).i32Add().set(i);
    f.br(0);
    f.end().end();
    for (let k = 0; k < chunks; k++) {
      f.get(S[k]).get(s[k]).f32x4Add().set(S[k]);
      f.get(T[k]).get(t[k]).f32x4Add().set(T[k]);
    }
    f.br(0);
    f.end().end();
    for (let k = 0; k < chunks; k++) {
      f.get(oo)
        .get(c)
        .i32Add()
        .get(S[k])
        .v128Store(16 * k);
      f.get(oo)
        .get(rowBytes)
        .i32Add()
        .get(c)
        .i32Add()
        .get(T[k])
        .v128Store(16 * k);
    }
    f.get(c).i32(width).i32Add().set(c);
    f.br(0);
    f.end().end();
  }
  f.get(b).i32(2).i32Add().set(b);
  f.br(0);
  f.end().end();
  return { name: 'userGradients', params: [I32, I32, I32, I32, I32, I32], body: f };
}

/**
 * expShifted(pointer, count, shift) → Σ: each float e = exp(x − shift) in place, four at a time,
 * by Cephes' expf: n = round(x·log2 e), r = x − n·ln 2 (in two parts), e = p(r)·2^n with p its
 * degree-7 polynomial and 2^n built from the exponent bits.
 */
function expShiftedFunction(): FunctionDefinition {
  const f = new FunctionBody(3);
  const [pointer, count, shift] = [0, 1, 2];
  const end = f.local(I32);
  const p = f.local(I32);
  const m = f.local(V128);
  const x = f.local(V128);
  const fx = f.local(V128);
  const y = f.local(V128);
  const z = f.local(V128);
  const sum = f.local(V128);
  const coefficients = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

  f.get(pointer).get(count).i32(2).i32Shl().i32Add().set(end);
  f.get(pointer).set(p);
  f.get(shift).f32x4Splat().set(m);
  f.v128Zero().set(sum);
  f.block().loop();
  f.get(p).get(end).i32GeS().brIf(1);
  // x = max(value − shift, −87.33654): below, exp underflows float32's normal range.
  f.get(p).v128Load().get(m).f32x4Sub().f32x4Const(-87.33654).f32x4Max().set(x);
  // fx = round(x · log2 e); x −= fx · ln 2, in a high and a low part.
  f.get(x).f32x4Const(Math.LOG2E).f32x4Mul().f32x4Nearest().set(fx);
  f.get(x).get(fx).f32x4Const(0.693359375).f32x4Mul().f32x4Sub().get(fx).f32x4Const(-2.1219444e-4).f32x4Mul().f32x4Sub().set(x);
  f.get(x).get(x).f32x4Mul().set(z);
  // y = ((((c0 x + c1) x + c2) x + c3) x + c4) x + c5, then y·x² + x + 1.
  f.f32x4Const(coefficients[0]).set(y);
  for (const c of coefficients.slice(1)) f.get(y).get(x).f32x4Mul().f32x4Const(c).f32x4Add().set(y);
  f.get(y).get(z).f32x4Mul().get(x).f32x4Add().f32x4Const(1).f32x4Add().set(y);
  // · 2^fx, whose float32 bits are (fx + 127) << 23.
  f.get(y).get(fx).i32x4TruncSatF32x4S().i32x4Const(127).i32x4Add().i32(23).i32x4Shl().f32x4Mul().set(y);
  f.get(p).get(y).v128Store();
  f.get(sum).get(y).f32x4Add().set(sum);
  f.get(p).i32(16).i32Add().set(p);
  f.br(0);
  f.end().end();
  horizontalSum(f, sum);
  return { name: 'expShifted', params: [I32, I32, F32], results: [F32], body: f };
}

/**
 * gatherDot(dim, user, items, slots, count, out): out[k] = user · items row slots[k], one f32x4
 * running sum per row over its columns, then the four lanes added.
 */
function gatherDotFunction(): FunctionDefinition {
  const f = new FunctionBody(6);
  const [dim, user, items, slots, count, out] = [0, 1, 2, 3, 4, 5];
  const rowBytes = f.local(I32);
  const k = f.local(I32);
  const c = f.local(I32);
  const row = f.local(I32);
  const sum = f.local(V128);
  f.get(dim).i32(2).i32Shl().set(rowBytes);
  f.i32(0).set(k);
  f.block().loop(); // entries
  f.get(k).get(count).i32GeS().brIf(1);
  f.get(items).get(slots).get(k).i32(2).i32Shl().i32Add().i32Load().get(rowBytes).i32Mul().i32Add().set(row);
  f.v128Zero().set(sum);
  f.i32(0).set(c);
  f.block().loop(); // columns, four at a time
  f.get(c).get(rowBytes).i32GeS().brIf(1);
  multiplyAdd(
    f,
    sum,
    () => f.get(user).get(c).i32Add().v128Load(),
    () => f.get(row).get(c).i32Add().v128Load(),
  );
  f.get(c).i32(16).i32Add().set(c);
  f.br(0);
  f.end().end();
  f.get(out).get(k).i32(2).i32Shl().i32Add();
  horizontalSum(f, sum);
  f.f32Store();
  f.get(k).i32(1).i32Add().set(k);
  f.br(0);
  f.end().end();
  return { name: 'gatherDot', params: [I32, I32, I32, I32, I32, I32], body: f };
}

/**
 * gatherAxpy(dim, out, items, slots, coefficients, count): out += Σ_k coefficients[k] · items row
 * slots[k]; scatterAxpy(dim, x, rows, slots, coefficients, count): rows row slots[k] +=
 * coefficients[k] · x. Entries in order, four columns at a time, the coefficient splatted once
 * per entry. (One loop, with the fixed row and the gathered row in swapped roles.)
 */
function axpyFunction(name: 'gatherAxpy' | 'scatterAxpy'): FunctionDefinition {
  const f = new FunctionBody(6);
  const [dim, fixed, base, slots, coefficients, count] = [0, 1, 2, 3, 4, 5];
  const rowBytes = f.local(I32);
  const k = f.local(I32);
  const c = f.local(I32);
  const row = f.local(I32);
  const a = f.local(V128);
  const gathered = name === 'gatherAxpy';
  // gatherAxpy writes the fixed row from the gathered ones; scatterAxpy the gathered rows from the fixed one.
  const destination = gathered ? fixed : row;
  const source = gathered ? row : fixed;
  f.get(dim).i32(2).i32Shl().set(rowBytes);
  f.i32(0).set(k);
  f.block().loop(); // entries
  f.get(k).get(count).i32GeS().brIf(1);
  f.get(base).get(slots).get(k).i32(2).i32Shl().i32Add().i32Load().get(rowBytes).i32Mul().i32Add().set(row);
  f.get(coefficients).get(k).i32(2).i32Shl().i32Add().f32Load().f32x4Splat().set(a);
  f.i32(0).set(c);
  f.block().loop(); // columns, four at a time
  f.get(c).get(rowBytes).i32GeS().brIf(1);
  f.get(destination).get(c).i32Add();
  f.get(destination).get(c).i32Add().v128Load();
  f.get(a).get(source).get(c).i32Add().v128Load().f32x4Mul();
  f.f32x4Add().v128Store();
  f.get(c).i32(16).i32Add().set(c);
  f.br(0);
  f.end().end();
  f.get(k).i32(1).i32Add().set(k);
  f.br(0);
  f.end().end();
  return { name, params: [I32, I32, I32, I32, I32, I32], body: f };
}

/** scale(pointer, count, factor): each float *= factor, four at a time. */
function scaleFunction(): FunctionDefinition {
  const f = new FunctionBody(3);
  const [pointer, count, factor] = [0, 1, 2];
  const end = f.local(I32);
  const p = f.local(I32);
  const k = f.local(V128);
  f.get(pointer).get(count).i32(2).i32Shl().i32Add().set(end);
  f.get(pointer).set(p);
  f.get(factor).f32x4Splat().set(k);
  f.block().loop();
  f.get(p).get(end).i32GeS().brIf(1);
  f.get(p).get(p).v128Load().get(k).f32x4Mul().v128Store();
  f.get(p).i32(16).i32Add().set(p);
  f.br(0);
  f.end().end();
  return { name: 'scale', params: [I32, I32, F32], body: f };
}
