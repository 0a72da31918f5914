import * as ort from '/vendor/onnxruntime-web/ort.wasm.min.mjs';
import { downloadVerified } from './catalog.js';

// Served by the local service from node_modules; one thread needs no cross-origin isolation.
ort.env.wasm.wasmPaths = '/vendor/onnxruntime-web/';
ort.env.wasm.numThreads = 1;

/** Lower-cased, trimmed, inner whitespace collapsed, NFC: how the model names features (model/data/features.ts). */
const normalize = (value) => value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
const PREFERENCE_KINDS = { genre: 'genre', actor: 'person' };
const int64 = (values) =>
  new ort.Tensor(
    'int64',
    BigInt64Array.from(values, (v) => BigInt(v)),
    [values.length],
  );

/**
 * The served model on this device: model.onnx and its manifest downloaded once through
 * GET /v1/model/files, each checked against its sha256, then run by onnxruntime-web (wasm).
 */
export async function loadOnDeviceModel(files) {
  const [modelBytes, manifestBytes] = await Promise.all([
    downloadVerified(files.files.model, 'model.onnx'),
    downloadVerified(files.files.manifest, 'manifest.json'),
  ]);
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  const session = await ort.InferenceSession.create(modelBytes, { executionProviders: ['wasm'] });
  const itemIndex = new Map(manifest.itemIds.map((id, i) => [id, i]));
  const featureIndex = new Map(manifest.vocabulary.map((name, i) => [name, i]));
  return {
    version: manifest.version,
    bytes: modelBytes.length,
    /**
     * Top-k for a history (item ids, each weighing 1 as the API's bare ids do) and preferences,
     * excluding the history as the API's excludeSeen does: `[{itemId, score, because}]`.
     */
    async recommend(history, preferences, k) {
      const items = [...new Set(history.map((id) => itemIndex.get(id)).filter((i) => i !== undefined))];
      const features = new Set();
      for (const [key, value] of Object.entries(preferences)) {
        const index = value ? featureIndex.get(`${PREFERENCE_KINDS[key]}:${normalize(value)}`) : undefined;
        if (index !== undefined) features.add(index);
      }
      const out = await session.run({
        history_items: int64(items),
        history_weights: new ort.Tensor(
          'float32',
          Float32Array.from(items, () => 1),
          [items.length],
        ),
        preferences: int64([...features]),
        exclude: int64(items),
        k: int64([Math.min(k, manifest.itemIds.length)]),
      });
      const top = out.items.data;
      const scores = out.scores.data;
      const contributions = out.contributions.data;
      const results = [];
      for (let t = 0; t < top.length; t++) {
        if (!(scores[t] > -3e38)) break; // excluded titles carry the lowest float
        const because = items
          .map((item, j) => ({ itemId: manifest.itemIds[item], contribution: contributions[j * top.length + t] }))
          .filter((entry) => entry.contribution > 0)
          .sort((a, b) => b.contribution - a.contribution)
          .slice(0, 3);
        results.push({ itemId: manifest.itemIds[Number(top[t])], score: scores[t], because });
      }
      return results;
    },
  };
}
