/**
 * ONNX stores tensor `raw_data` as little-endian bytes. These helpers copy typed arrays to and
 * from that layout: a plain byte copy on little-endian hosts (every platform Node ships for in
 * practice), a DataView walk otherwise.
 */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of `values` (a fresh copy). */
export function toLittleEndianBytes(values: Readonly<Uint16Array> | Readonly<Float32Array> | Readonly<Float64Array>): Uint8Array {
  const out = new Uint8Array(values.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return out;
  }
  const view = new DataView(out.buffer);
  if (values instanceof Uint16Array) {
    for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i], true);
  } else if (values instanceof Float32Array) {
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  } else {
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  }
  return out;
}

/**
 * Reads `bytes` (little-endian, any alignment) as `size`-byte values into `out`'s type;
 * `bytes.length` must be a multiple of `size`. On a little-endian host the bytes are copied through
 * a byte view of the result, since `bytes` may sit at an offset that is not aligned to `size`.
 */
function fromLittleEndian<T extends Float32Array | Float64Array | Uint16Array>(
  bytes: Readonly<Uint8Array>,
  size: number,
  make: (length: number) => T,
  get: (view: DataView, offset: number) => number,
): T {
  const out = make(bytes.length / size);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = get(view, i * size);
  return out;
}

/** Reads `bytes` (little-endian, any alignment) as float32 values; `bytes.length` must be a multiple of 4. */
export function float32FromLittleEndian(bytes: Readonly<Uint8Array>): Float32Array {
  return fromLittleEndian(
    bytes,
    4,
    (n) => new Float32Array(n),
    (view, offset) => view.getFloat32(offset, true),
  );
}

/** Reads `bytes` (little-endian, any alignment) as float64 values; `bytes.length` must be a multiple of 8. */
export function float64FromLittleEndian(bytes: Readonly<Uint8Array>): Float64Array {
  return fromLittleEndian(
    bytes,
    8,
    (n) => new Float64Array(n),
    (view, offset) => view.getFloat64(offset, true),
  );
}

/** Reads `bytes` (little-endian, any alignment) as uint16 values (e.g. float16 bit patterns); `bytes.length` must be even. */
export function uint16FromLittleEndian(bytes: Readonly<Uint8Array>): Uint16Array {
  return fromLittleEndian(
    bytes,
    2,
    (n) => new Uint16Array(n),
    (view, offset) => view.getUint16(offset, true),
  );
}
