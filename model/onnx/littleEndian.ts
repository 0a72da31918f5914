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

/** Reads `bytes` (little-endian, any alignment) as float32 values; `bytes.length` must be a multiple of 4. */
export function float32FromLittleEndian(bytes: Readonly<Uint8Array>): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  if (HOST_IS_LITTLE_ENDIAN) {
    // Copy through a byte view of `out`: `bytes` may sit at an offset that is not 4-aligned.
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Reads `bytes` (little-endian, any alignment) as float64 values; `bytes.length` must be a multiple of 8. */
export function float64FromLittleEndian(bytes: Readonly<Uint8Array>): Float64Array {
  const out = new Float64Array(bytes.length / 8);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** Reads `bytes` (little-endian, any alignment) as uint16 values (e.g. float16 bit patterns); `bytes.length` must be even. */
export function uint16FromLittleEndian(bytes: Readonly<Uint8Array>): Uint16Array {
  const out = new Uint16Array(bytes.length / 2);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}
