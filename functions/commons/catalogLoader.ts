import type { ModelManifest } from '../../model/onnx/manifest.ts';
import { loadConfig, type ServiceConfig } from './config.ts';
import { loaderSettings, ModelLoader, sharedModelLoader } from './modelLoader.ts';
import { ServingCatalog } from './servingCatalog.ts';
import { MODEL_FILES } from './storageLayout.ts';

/**
 * The process's loader of the served model's catalog (manifest + items.json, no onnxruntime), for
 * the functions that list titles without scoring them (Popular).
 */
export function catalogLoader(config: ServiceConfig = loadConfig()): ModelLoader<ServingCatalog> {
  return sharedModelLoader(
    'catalog',
    () =>
      new ModelLoader<ServingCatalog>({
        name: 'catalog',
        ...loaderSettings(config),
        files: [MODEL_FILES.items],
        build: async (version) => ServingCatalog.fromFiles(version.manifest, await version.file(MODEL_FILES.items)),
      }),
  );
}

/** The process's loader of the served model's manifest alone (ModelInfo). */
export function manifestLoader(config: ServiceConfig = loadConfig()): ModelLoader<ModelManifest> {
  return sharedModelLoader(
    'manifest',
    () =>
      new ModelLoader<ModelManifest>({
        name: 'manifest',
        ...loaderSettings(config),
        files: [],
        build: async (version) => version.manifest,
      }),
  );
}
