import { describe, expect, it } from 'vitest';
import { float16BitsOf, float16ToFloat32, float32BitsOf, float32ToFloat16, roundToFloat16 } from '../../../model/onnx/float16.ts';
import { Random } from '../../../model/random.ts';

const bitsOfFloat = (value: number): number => new Uint32Array(Float32Array.of(value).buffer)[0];
const floatOfBits = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0];

/** [float32 bit pattern, float16 bit pattern it rounds to], worked out by hand. */
const ROUNDING: readonly (readonly [number, number, string])[] = [
  [0x00000000, 0x0000, '+0'],
  [0x80000000, 0x8000, '−0'],
  [0x3f800000, 0x3c00, '1'],
  [0xc0000000, 0xc000, '−2'],
  [0x3eaaaaab, 0x3555, '1/3 (rounds down)'],
  [0x3dcccccd, 0x2e66, '0.1 (rounds down)'],
  [0x3f801000, 0x3c00, '1 + 2^-11, a tie: to the even 1'],
  [0x3f803000, 0x3c02, '1 + 3·2^-11, a tie: to the even 1 + 2^-9'],
  [0x3f801001, 0x3c01, 'just above the tie 1 + 2^-11: up'],
  [0x3fffffff, 0x4000, 'just below 2: carries into the exponent'],
  [0x477fe000, 0x7bff, '65504, the largest half'],
  [0x477feffd, 0x7bff, 'just below 65520: 65504'],
  [0x477ff000, 0x7c00, '65520, the tie past the largest half: +inf'],
  [0xc7c35000, 0xfc00, '−100000: −inf'],
  [0x7f7fffff, 0x7c00, 'the largest float32: +inf'],
  [0x7f800000, 0x7c00, '+inf'],
  [0xff800000, 0xfc00, '−inf'],
  [0x38800000, 0x0400, '2^-14, the smallest normal half'],
  [0x387fe000, 0x0400, '2^-14 − 2^-25, a tie between the largest subnormal and 2^-14: to the even 2^-14'],
  [0x387fc000, 0x03ff, '2^-14 − 2^-24, the largest subnormal'],
  [0x33800000, 0x0001, '2^-24, the smallest subnormal'],
  [0xb3800000, 0x8001, '−2^-24'],
  [0x33c00000, 0x0002, '1.5·2^-24, a tie: to the even 2·2^-24'],
  [0x34200000, 0x0002, '2.5·2^-24, a tie: to the even 2·2^-24'],
  [0x35000000, 0x0008, '2^-21'],
  [0x33000000, 0x0000, '2^-25, a tie between 0 and 2^-24: to the even 0'],
  [0x33000001, 0x0001, 'just above 2^-25: 2^-24'],
  [0xb3000000, 0x8000, '−2^-25: −0'],
  [0x00000001, 0x0000, 'the smallest float32 subnormal: 0'],
];

/** [float16 bit pattern, float32 bit pattern of its value], worked out by hand. */
const DECODING: readonly (readonly [number, number, string])[] = [
  [0x0000, 0x00000000, '+0'],
  [0x8000, 0x80000000, '−0'],
  [0x3c00, 0x3f800000, '1'],
  [0x3555, 0x3eaaa000, '0.333251953125'],
  [0xc000, 0xc0000000, '−2'],
  [0x7bff, 0x477fe000, '65504'],
  [0x0400, 0x38800000, '2^-14'],
  [0x03ff, 0x387fc000, 'the largest subnormal'],
  [0x0001, 0x33800000, '2^-24'],
  [0x8001, 0xb3800000, '−2^-24'],
  [0x0200, 0x38000000, '2^-15'],
  [0x7c00, 0x7f800000, '+inf'],
  [0xfc00, 0xff800000, '−inf'],
];

describe('float16', () => {
  for (const [float, half, what] of ROUNDING) {
    it(`rounds ${what} (0x${float.toString(16)}) to 0x${half.toString(16)}`, () => {
      expect(float16BitsOf(float)).toBe(half);
    });
  }

  for (const [half, float, what] of DECODING) {
    it(`decodes 0x${half.toString(16)} (${what}) to 0x${float.toString(16)}`, () => {
      expect(float32BitsOf(half)).toBe(float);
    });
  }

  it('keeps NaN a NaN both ways', () => {
    expect(float16BitsOf(0x7fc00000)).toBe(0x7e00);
    expect(float16BitsOf(0xff800001) & 0x7fff).toBe(0x7e00);
    expect(Number.isNaN(floatOfBits(float32BitsOf(0x7e00)))).toBe(true);
    expect(Number.isNaN(floatOfBits(float32BitsOf(0xfc01)))).toBe(true);
  });

  it('decodes every half exactly: float16 → float32 → float16 is the identity', () => {
    const wrong: number[] = [];
    for (let half = 0; half < 0x10000; half++) {
      if ((half & 0x7c00) === 0x7c00 && (half & 0x3ff) !== 0) continue; // NaN payloads
      if (float16BitsOf(float32BitsOf(half)) !== half) wrong.push(half);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds to the nearest half, ties to even, over random float32 values of every scale', () => {
    const random = new Random(3);
    for (let n = 0; n < 20_000; n++) {
      const value = Math.fround((random.next() - 0.5) * 2 ** (random.nextInt(50) - 30));
      if (Math.abs(value) >= 65504) continue;
      const half = float16BitsOf(bitsOfFloat(value));
      const decoded = floatOfBits(float32BitsOf(half));
      const error = Math.abs(value - decoded);
      // The neighbours on either side (same sign; 0x0000 has only one).
      for (const neighbour of [half + 1, half - 1]) {
        if ((neighbour & 0x7fff) === 0x7fff || neighbour < 0 || (neighbour ^ half) & 0x8000) continue;
        const other = Math.abs(value - floatOfBits(float32BitsOf(neighbour)));
        expect(error).toBeLessThanOrEqual(other);
        if (error === other) expect(half & 1).toBe(0);
      }
    }
  });

  it('converts typed arrays into the given output or a fresh one, and refuses mismatched lengths', () => {
    const values = Float32Array.of(1, -2, 1 / 3, 70000, 2 ** -25);
    const out = new Uint16Array(5);
    expect(float32ToFloat16(values, out)).toBe(out);
    expect(Array.from(out)).toEqual([0x3c00, 0xc000, 0x3555, 0x7c00, 0x0000]);
    expect(Array.from(float32ToFloat16(values))).toEqual(Array.from(out));
    const back = new Float32Array(5);
    expect(float16ToFloat32(out, back)).toBe(back);
    expect(Array.from(back)).toEqual([1, -2, 0.333251953125, Infinity, 0]);
    expect(() => float32ToFloat16(values, new Uint16Array(4))).toThrow(RangeError);
    expect(() => float16ToFloat32(out, new Float32Array(6))).toThrow(RangeError);
    // A view at an offset into a larger buffer converts only its own elements.
    const big = Float32Array.of(9, 1, 2, 9);
    expect(Array.from(float32ToFloat16(big.subarray(1, 3)))).toEqual([0x3c00, 0x4000]);
  });

  it('roundToFloat16 leaves its input alone and is idempotent', () => {
    const values = Float32Array.of(0.1, 1 / 3, -7.25);
    const rounded = roundToFloat16(values);
    expect(values[0]).toBe(Math.fround(0.1));
    expect(Array.from(rounded)).toEqual([0.0999755859375, 0.333251953125, -7.25]);
    expect(roundToFloat16(rounded)).toEqual(rounded);
  });
});
