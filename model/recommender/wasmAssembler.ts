/**
 * A minimal WebAssembly binary writer: just what the SIMD softmax kernels need (i32 / f32 / v128
 * instructions, blocks and loops, one imported memory, exported functions). It lets the kernels be
 * written in TypeScript as instruction sequences and assembled at run time — no toolchain, no
 * committed binary. See the WebAssembly core specification, section "Binary Format".
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F32 | typeof V128;

/** The body of one function: instructions appended in order. */
export class FunctionBody {
  readonly bytes: number[] = [];
  /** Locals after the parameters, in declaration order. */
  readonly locals: ValueType[] = [];

  constructor(private readonly paramCount: number) {}

  /** Declares a local and returns its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.paramCount + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...unsignedLeb(opcode), ...immediates);
  }

  // Control. Block and loop take no values and leave none (block type 0x40).
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...unsignedLeb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...unsignedLeb(depth));
  }

  // Locals.
  get(index: number): this {
    return this.op(0x20, ...unsignedLeb(index));
  }
  set(index: number): this {
    return this.op(0x21, ...unsignedLeb(index));
  }
  tee(index: number): this {
    return this.op(0x22, ...unsignedLeb(index));
  }

  // i32.
  i32(value: number): this {
    return this.op(0x41, ...signedLeb(value));
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }

  i32Load(offset = 0): this {
    return this.op(0x28, 2, ...unsignedLeb(offset));
  }

  // f32, memory operands aligned to 4 bytes with a constant byte offset.
  f32Load(offset = 0): this {
    return this.op(0x2a, 2, ...unsignedLeb(offset));
  }
  f32Store(offset = 0): this {
    return this.op(0x38, 2, ...unsignedLeb(offset));
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Const(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.op(0x43, ...bytes);
  }

  // v128, memory operands aligned to 4 bytes (the rows are float32 arrays).
  v128Load(offset = 0): this {
    return this.simd(0x00, 2, ...unsignedLeb(offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, 2, ...unsignedLeb(offset));
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  /** v128.const with the same float32 in all four lanes. */
  f32x4Const(value: number): this {
    const lane = Array.from(new Uint8Array(new Float32Array([value]).buffer));
    return this.simd(0x0c, ...lane, ...lane, ...lane, ...lane);
  }
  /** v128.const with the same int32 in all four lanes. */
  i32x4Const(value: number): this {
    const lane = Array.from(new Uint8Array(new Int32Array([value]).buffer));
    return this.simd(0x0c, ...lane, ...lane, ...lane, ...lane);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane);
  }
  f32x4Nearest(): this {
    return this.simd(0x6a);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  i32x4TruncSatF32x4S(): this {
    return this.simd(0xf8);
  }
}

export interface FunctionDefinition {
  readonly name: string;
  readonly params: readonly ValueType[];
  /** Result types (none by default). */
  readonly results?: readonly ValueType[];
  readonly body: FunctionBody;
}

/** A module importing `env.memory` (at least `minPages` pages of 64 KiB) and exporting the functions. */
export function assembleModule(functions: readonly FunctionDefinition[], minPages: number): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, content: number[]): void => {
    out.push(id, ...unsignedLeb(content.length), ...content);
  };
  const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
  const name = (text: string): number[] => {
    const bytes = Array.from(new TextEncoder().encode(text));
    return [...unsignedLeb(bytes.length), ...bytes];
  };

  // One type per function.
  section(
    1,
    vector(
      functions.map((f) => [
        0x60,
        ...unsignedLeb(f.params.length),
        ...f.params,
        ...unsignedLeb(f.results?.length ?? 0),
        ...(f.results ?? []),
      ]),
    ),
  );
  // import "env" "memory": memory with a minimum and no maximum.
  section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...unsignedLeb(minPages)]]));
  section(3, vector(functions.map((_, k) => unsignedLeb(k))));
  section(7, vector(functions.map((f, k) => [...name(f.name), 0x00, ...unsignedLeb(k)])));
  section(
    10,
    vector(
      functions.map((f) => {
        const locals = f.body.locals.map((type) => [0x01, type]);
        const body = [...vector(locals), ...f.body.bytes, 0x0b];
        return [...unsignedLeb(body.length), ...body];
      }),
    ),
  );
  return Uint8Array.from(out);
}

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}
