/**
 * IEEE 754 binary16 ("half", ONNX FLOAT16) conversion on typed arrays. Node 20 has no
 * Float16Array, so halves are held as their bit patterns in a Uint16Array.
 *
 * float32 → float16 rounds to nearest, ties to even; magnitudes from 65520 up (half-way past the
 * largest half, 65504) become ±Infinity; below 2^-14 the result is a subnormal half (or ±0 below
 * 2^-25, and at 2^-25 exactly, the tie going to the even 0); NaN stays a (quiet) NaN. float16 →
 * float32 is exact. Neither allocates in its loop.
 */

/** Float32 values `bits` views as uint32: the source's own buffer, no copy. */
function bitsOf(values: Readonly<Float32Array>): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** The float16 bit pattern nearest (ties to even) to the float32 of bit pattern `bits`. */
export function float16BitsOf(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | (abs === 0x7f800000 ? 0x7c00 : 0x7e00); // ±inf, NaN
  if (abs >= 0x477ff000) return sign | 0x7c00; // ≥ 65520: past the largest half, rounds to ±inf
  if (abs >= 0x38800000) {
    // Normal half: rebias the exponent (127 → 15), round the 13 dropped mantissa bits to even;
    // a carry out of the mantissa correctly bumps the exponent.
    const rebiased = abs - 0x38000000;
    return sign | ((rebiased + 0xfff + ((rebiased >>> 13) & 1)) >>> 13);
  }
  if (abs < 0x33000000) return sign; // < 2^-25: rounds to ±0
  // Subnormal half: the value in units of 2^-24, i.e. the 24-bit significand shifted right by
  // 126 − exponent (14…24 places), rounded to even. 0x400 (2^-14, the smallest normal) may result.
  const exponent = abs >>> 23;
  const significand = (abs & 0x7fffff) | 0x800000;
  const shift = 126 - exponent;
  const kept = significand >>> shift;
  const rest = significand & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return sign | (rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept);
}

/** The float32 bit pattern of the float16 of bit pattern `half` (exact). */
export function float32BitsOf(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = half & 0x7c00;
  const mantissa = half & 0x3ff;
  if (exponent === 0x7c00) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0; // ±inf, NaN
  if (exponent !== 0) return (sign | (((half & 0x7fff) << 13) + 0x38000000)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal half: normalize (shift the leading 1 up to bit 10), one exponent step per shift.
  let m = mantissa;
  let e = 113; // 127 − 14
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** Writes the float16 bit patterns of `values` into `out` (same length; a fresh array without one). */
export function float32ToFloat16(values: Readonly<Float32Array>, out = new Uint16Array(values.length)): Uint16Array {
  if (out.length !== values.length) throw new RangeError(`float32ToFloat16: ${values.length} values into ${out.length} halves`);
  const bits = bitsOf(values);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsOf(bits[i]);
  return out;
}

/** Writes the float32 values of the float16 bit patterns `halves` into `out` (same length; a fresh array without one). */
export function float16ToFloat32(halves: Readonly<Uint16Array>, out = new Float32Array(halves.length)): Float32Array {
  if (out.length !== halves.length) throw new RangeError(`float16ToFloat32: ${halves.length} halves into ${out.length} values`);
  const bits = bitsOf(out);
  for (let i = 0; i < halves.length; i++) bits[i] = float32BitsOf(halves[i]);
  return out;
}

/** `values` rounded to float16 precision, as float32 (a fresh array; `values` is left alone). */
export function roundToFloat16(values: Readonly<Float32Array>): Float32Array {
  return float16ToFloat32(float32ToFloat16(values));
}
