/**
 * The smallest graph onnxruntime loads: one float input `x` [1] passed through Identity to `y`.
 * The first session a process creates pays for onnxruntime's set-up — its environment, the CPU
 * kernel registry — about 20–30 ms on top of the model itself. Creating a session from this
 * graph pays it while the real model is still downloading. The bytes are what GraphBuilder
 * encodes for the graph (test/model/onnx/warmupModel.test.ts builds it and compares), held
 * here so that warming up needs neither onnx-proto nor protobufjs.
 */
const WARMUP_MODEL_BASE64 =
  'CAgSB21hcnF1ZWUyADpIChwKAXgSAXkaCklkZW50aXR5XzAiCElkZW50aXR5EgZ3YXJtdXBaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAR';

/** The warm-up graph's ONNX bytes (a fresh copy each call). */
export function warmupModel(): Uint8Array {
  return new Uint8Array(Buffer.from(WARMUP_MODEL_BASE64, 'base64'));
}
