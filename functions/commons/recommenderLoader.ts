import { loadConfig, type ServiceConfig } from './config.ts';
import { loaderSettings, ModelLoader, sharedModelLoader } from './modelLoader.ts';
import { ServingRecommender, type ServingGraph } from './servingRecommender.ts';

/**
 * The process's loader of the served model with onnxruntime sessions for `graph`: the Recommend
 * and Rank functions share the `recommend` one, Similar uses the `similar` one, so each function
 * fetches and loads only the graph it runs. Created and prefetching on first call (module load).
 */
export function recommenderLoader(graph: ServingGraph, config: ServiceConfig = loadConfig()): ModelLoader<ServingRecommender> {
  return sharedModelLoader(`${graph}-model`, () =>
    new ModelLoader<ServingRecommender>({
      name: `${graph}-model`,
      ...loaderSettings(config),
      files: ServingRecommender.files([graph]),
      build: (version) => ServingRecommender.create(version, [graph]),
      dispose: (recommender) => recommender.dispose(),
    }),
  );
}
