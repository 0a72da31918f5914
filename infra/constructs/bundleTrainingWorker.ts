import { buildSync } from 'esbuild';
import { join } from 'node:path';

/** The trainer's worker entry in the sources; ParallelTrainer starts `./gradientWorker.mjs` beside its own module. */
export const TRAINING_WORKER_SOURCE = 'model/recommender/gradientWorker.ts';
/** The worker's file in an asset, beside index.mjs (where the bundled ParallelTrainer looks for it). */
export const TRAINING_WORKER_FILE = 'gradientWorker.mjs';
/** The module whose presence in a bundle means the function trains on worker threads. */
export const PARALLEL_TRAINER_SOURCE = 'model/recommender/parallelTrainer.ts';

/**
 * Bundles the trainer's worker thread (gradientWorker.ts and what it imports, no tsx) into
 * `outputDir/gradientWorker.mjs`. In the sources, ParallelTrainer starts gradientWorker.mjs, which
 * registers tsx and loads the TypeScript worker; in a bundle, index.mjs holds ParallelTrainer and
 * `new URL('./gradientWorker.mjs', import.meta.url)` names this file, which is the worker itself,
 * so worker threads run where only the asset is shipped (Lambda). Same options as the function's
 * bundle: ESM for Node 22, minified with names kept; deterministic, so the asset hash is stable.
 */
export function bundleTrainingWorker(projectRoot: string, outputDir: string): void {
  buildSync({
    entryPoints: [join(projectRoot, TRAINING_WORKER_SOURCE)],
    outfile: join(outputDir, TRAINING_WORKER_FILE),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    keepNames: true,
    sourcemap: false,
    logLevel: 'error',
  });
}
