import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleTrainingWorker, PARALLEL_TRAINER_SOURCE } from './bundleTrainingWorker.ts';
import { copyOnnxRuntime, type OnnxRuntimeArch } from './onnxRuntimeFiles.ts';

/** The file esbuild's metafile is written to (NodejsFunction's `metafile: true`). */
export const METAFILE = 'index.meta.json';

export interface FinishBundleOptions {
  /** The project root (NodejsFunction's bundling input), holding node_modules. */
  readonly projectRoot: string;
  /** The asset folder esbuild wrote index.mjs and the metafile into. */
  readonly outputDir: string;
  readonly arch: OnnxRuntimeArch;
  readonly usesOnnxRuntime: boolean;
  /** The function's name, for error messages. */
  readonly functionName: string;
}

interface Metafile {
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, { readonly imports: readonly { readonly path: string; readonly external?: boolean }[] }>;
}

/**
 * The step after esbuild (a NodejsFunction afterBundling hook): checks, from esbuild's metafile,
 * that only a function declared `usesOnnxRuntime` imports onnxruntime-node (else it would fail at
 * its first cold start in Lambda, where no node_modules would be beside it), removes the metafile
 * from the asset, and for onnxruntime functions copies the runtime's files for the target
 * architecture into the asset's node_modules. A bundle that holds the parallel trainer gets its
 * worker thread's bundle beside index.mjs (bundleTrainingWorker), so that training uses every core
 * in Lambda too.
 */
export function finishBundle(options: FinishBundleOptions): void {
  const metafilePath = join(options.outputDir, METAFILE);
  const metafile = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;
  rmSync(metafilePath);
  const externals = new Set(
    Object.values(metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.external).map((entry) => entry.path)),
  );
  if (!options.usesOnnxRuntime && externals.has('onnxruntime-node')) {
    throw new Error(
      `${options.functionName} imports onnxruntime-node but functions/routes.ts declares usesOnnxRuntime: false; ` +
        'set it to true or keep the import out of its handler',
    );
  }
  if (options.usesOnnxRuntime) copyOnnxRuntime(join(options.projectRoot, 'node_modules'), options.outputDir, options.arch);
  // Metafile inputs are relative to the working directory esbuild ran in (the project root).
  if (Object.keys(metafile.inputs ?? {}).some((input) => input.replaceAll('\\', '/').endsWith(PARALLEL_TRAINER_SOURCE))) {
    bundleTrainingWorker(options.projectRoot, options.outputDir);
  }
}

// `node --import tsx infra/constructs/finishBundle.ts <projectRoot> <outputDir> <x64|arm64> <true|false> <functionName>`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [projectRoot, outputDir, arch, usesOnnxRuntime, functionName] = process.argv.slice(2);
  if (
    !projectRoot ||
    !outputDir ||
    (arch !== 'x64' && arch !== 'arm64') ||
    (usesOnnxRuntime !== 'true' && usesOnnxRuntime !== 'false') ||
    !functionName
  ) {
    process.stderr.write('usage: finishBundle.ts <projectRoot> <outputDir> <x64|arm64> <true|false> <functionName>\n');
    process.exit(2);
  }
  try {
    finishBundle({ projectRoot, outputDir, arch, usesOnnxRuntime: usesOnnxRuntime === 'true', functionName });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
