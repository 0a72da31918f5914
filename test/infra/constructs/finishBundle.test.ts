import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PARALLEL_TRAINER_SOURCE, TRAINING_WORKER_FILE } from '../../../infra/constructs/bundleTrainingWorker.ts';
import { finishBundle, METAFILE } from '../../../infra/constructs/finishBundle.ts';
import { PROJECT_ROOT } from '../../../infra/stacks/marqueeStacks.ts';

const temp = mkdtempSync(join(tmpdir(), 'marquee-bundle-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let count = 0;
/** An asset folder as esbuild leaves it: index.mjs and its metafile listing `externals`. */
function bundled(externals: readonly string[], inputs: readonly string[] = []): string {
  const dir = join(temp, `asset-${count++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = () => 1;');
  const imports = externals.map((path) => ({ path, kind: 'import-statement', external: true }));
  writeFileSync(
    join(dir, METAFILE),
    JSON.stringify({
      inputs: Object.fromEntries(inputs.map((input) => [input, {}])),
      outputs: { [`${dir}/index.mjs`]: { imports, exports: ['handler'] } },
    }),
  );
  return dir;
}

describe('finishBundle', () => {
  it('ships onnxruntime beside a function that uses it, and removes the metafile', () => {
    const dir = bundled(['onnxruntime-node']);
    finishBundle({ projectRoot: PROJECT_ROOT, outputDir: dir, arch: 'x64', usesOnnxRuntime: true, functionName: 'Recommend' });
    expect(existsSync(join(dir, METAFILE))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64'))).toBe(false);
  });

  it('ships nothing beside a function that does not', () => {
    const dir = bundled([]);
    finishBundle({ projectRoot: PROJECT_ROOT, outputDir: dir, arch: 'x64', usesOnnxRuntime: false, functionName: 'Events' });
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    expect(existsSync(join(dir, METAFILE))).toBe(false);
  });

  it('bundles the training worker beside a function whose bundle holds the parallel trainer, and only there', async () => {
    const trainer = bundled([], ['functions/retrain/handler.ts', PARALLEL_TRAINER_SOURCE]);
    finishBundle({ projectRoot: PROJECT_ROOT, outputDir: trainer, arch: 'x64', usesOnnxRuntime: false, functionName: 'Retrain' });
    const worker = join(trainer, TRAINING_WORKER_FILE);
    expect(existsSync(worker)).toBe(true);
    // Self-contained: no TypeScript loader, no import of the sources.
    const text = readFileSync(worker, 'utf8');
    expect(text).not.toMatch(/tsx|\.ts['"]/);
    expect(text).toContain('node:worker_threads');
    const other = bundled([], ['functions/popular/handler.ts']);
    finishBundle({ projectRoot: PROJECT_ROOT, outputDir: other, arch: 'x64', usesOnnxRuntime: false, functionName: 'Popular' });
    expect(existsSync(join(other, TRAINING_WORKER_FILE))).toBe(false);
  });

  it('fails the build when a function not declared usesOnnxRuntime imports it', () => {
    const dir = bundled(['onnxruntime-node']);
    expect(() =>
      finishBundle({ projectRoot: PROJECT_ROOT, outputDir: dir, arch: 'x64', usesOnnxRuntime: false, functionName: 'Popular' }),
    ).toThrow(/Popular imports onnxruntime-node but functions\/routes.ts declares usesOnnxRuntime: false/);
  });
});
