import { loadOnnxRuntime } from '../../model/onnx/onnxRecommender.ts';
import { loadConfig, type ServiceConfig } from './config.ts';
import { loaderSettings, ModelLoader, sharedModelLoader } from './modelLoader.ts';
import { ServingRecommender, type ServingGraph } from './servingRecommender.ts';

/**
 * The process's loader of the served model with onnxruntime sessions for `graph`: the Recommend
 * and Rank functions share the `recommend` one, Similar uses the `similar` one, so each function
 * fetches and loads only the graph it runs. Created and prefetching on first call (module load),
 * with onnxruntime itself imported only then, beside the download, not before the handler starts.
 */
export function recommenderLoader(graph: ServingGraph, config: ServiceConfig = loadConfig()): ModelLoader<ServingRecommender> {
  const loader = sharedModelLoader(`${graph}-model`, () => {
    const settings = loaderSettings(config);
    // Titles added through the catalog API after the model are polled on the pointer's cadence.
    const newTitles = { s3: settings.s3, bucket: settings.bucket, refreshIntervalMs: settings.refreshIntervalMs };
    return new ModelLoader<ServingRecommender>({
      name: `${graph}-model`,
      ...settings,
      files: ServingRecommender.files([graph], true),
      build: (version) => ServingRecommender.create(version, [graph], newTitles),
      dispose: (recommender) => recommender.dispose(),
    });
  });
  // The download has started (prefetch); onnxruntime's native library loads beside it. A failure
  // to load it surfaces when the sessions are created.
  loadOnnxRuntime().catch(() => undefined);
  return loader;
}
