import { copyFileSync, type Dirent, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Lambda architectures as onnxruntime names its binary folders. */
export type OnnxRuntimeArch = 'x64' | 'arm64';

/**
 * The packages a function that runs onnxruntime-node needs beside its bundle. onnxruntime-node's
 * other dependencies (adm-zip, global-agent) serve only its install script, which never runs here.
 */
export const ONNX_RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-common'] as const;

/** GPU execution providers are never shipped: Lambda has no GPU, and they are hundreds of MB. */
const GPU_LIBRARY = /cuda|tensorrt|cudnn|cublas|rocm|migraphx|directml|dxil|dxcompiler/i;

/**
 * The files, relative to `nodeModulesDir`, that make onnxruntime-node load on Linux for `arch`:
 * each package's package.json, the JavaScript and package.json files under dist/ (no source maps,
 * no typings), and onnxruntime-node's native folder for linux/`arch` only (its binding and
 * libonnxruntime, about 46 MB on x64, out of about 290 MB for every platform). Sorted, so the
 * asset (and its hash) does not depend on directory order.
 */
export function onnxRuntimeFiles(nodeModulesDir: string, arch: OnnxRuntimeArch): string[] {
  const files: string[] = [];
  for (const name of ONNX_RUNTIME_PACKAGES) {
    const root = join(nodeModulesDir, name);
    files.push(join(name, 'package.json'));
    for (const file of walk(join(root, 'dist'))) {
      if (/\.(c|m)?js$/.test(file) || file.endsWith(`${sep}package.json`)) files.push(relative(nodeModulesDir, file));
    }
    if (name === 'onnxruntime-node') {
      const napiFolders = readdirSync(join(root, 'bin'), { withFileTypes: true }).filter(
        (entry) => entry.isDirectory() && entry.name.startsWith('napi-v'),
      );
      for (const napi of napiFolders) {
        for (const file of walk(join(root, 'bin', napi.name, 'linux', arch))) {
          if (!GPU_LIBRARY.test(file.slice(root.length))) files.push(relative(nodeModulesDir, file));
        }
      }
    }
  }
  if (!files.some((file) => file.endsWith('onnxruntime_binding.node'))) {
    throw new Error(
      `onnxruntime-node in ${nodeModulesDir} has no linux/${arch} binding (bin/napi-v*/linux/${arch}/onnxruntime_binding.node)`,
    );
  }
  return files.sort();
}

/** Copies onnxRuntimeFiles() into `outputDir`/node_modules; returns the files copied. */
export function copyOnnxRuntime(nodeModulesDir: string, outputDir: string, arch: OnnxRuntimeArch): string[] {
  const files = onnxRuntimeFiles(nodeModulesDir, arch);
  for (const file of files) {
    const target = join(outputDir, 'node_modules', file);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(nodeModulesDir, file), target);
  }
  return files;
}

function walk(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : []));
}
