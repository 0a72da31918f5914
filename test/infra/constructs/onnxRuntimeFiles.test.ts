import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyOnnxRuntime, onnxRuntimeFiles } from '../../../infra/constructs/onnxRuntimeFiles.ts';
import { PROJECT_ROOT } from '../../../infra/stacks/marqueeStacks.ts';

const temp = mkdtempSync(join(tmpdir(), 'marquee-ort-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A node_modules with onnxruntime's layout: every platform, a CUDA provider, typings and maps. */
function fakeNodeModules(): string {
  const root = join(temp, 'fake', 'node_modules');
  const files = [
    'onnxruntime-node/package.json',
    'onnxruntime-node/dist/index.js',
    'onnxruntime-node/dist/index.js.map',
    'onnxruntime-node/dist/index.d.ts',
    'onnxruntime-node/lib/index.ts',
    'onnxruntime-node/script/install.js',
    'onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    'onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    'onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so',
    'onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_tensorrt.so',
    'onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node',
    'onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1',
    'onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node',
    'onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node',
    'onnxruntime-node/bin/napi-v6/win32/x64/DirectML.dll',
    'onnxruntime-common/package.json',
    'onnxruntime-common/dist/cjs/index.js',
    'onnxruntime-common/dist/cjs/package.json',
    'onnxruntime-common/dist/cjs/index.d.ts',
    'onnxruntime-common/dist/esm/index.js',
    'onnxruntime-common/dist/esm/package.json',
    'adm-zip/package.json',
  ];
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), file);
  }
  return root;
}

describe('onnxRuntimeFiles', () => {
  const nodeModules = fakeNodeModules();

  it('takes the packages, their JavaScript, and the Linux binaries of one architecture without GPU providers', () => {
    expect(onnxRuntimeFiles(nodeModules, 'x64')).toEqual([
      'onnxruntime-common/dist/cjs/index.js',
      'onnxruntime-common/dist/cjs/package.json',
      'onnxruntime-common/dist/esm/index.js',
      'onnxruntime-common/dist/esm/package.json',
      'onnxruntime-common/package.json',
      'onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'onnxruntime-node/dist/index.js',
      'onnxruntime-node/package.json',
    ]);
    const arm = onnxRuntimeFiles(nodeModules, 'arm64').filter((file) => file.includes('/bin/'));
    expect(arm).toEqual([
      'onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1',
      'onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node',
    ]);
  });

  it('copies them into the asset node_modules', () => {
    const out = join(temp, 'asset');
    const copied = copyOnnxRuntime(nodeModules, out, 'x64');
    const listed = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? listed(join(dir, entry.name)).map((file) => `${entry.name}/${file}`) : [entry.name],
      );
    expect(listed(join(out, 'node_modules')).sort()).toEqual(copied);
  });

  it('fails when the architecture has no binding', () => {
    rmSync(join(nodeModules, 'onnxruntime-node/bin/napi-v6/linux/arm64'), { recursive: true });
    expect(() => onnxRuntimeFiles(nodeModules, 'arm64')).toThrow(/no linux\/arm64 binding/);
  });

  it('finds the installed onnxruntime-node binaries for both Lambda architectures', () => {
    for (const arch of ['x64', 'arm64'] as const) {
      const binaries = onnxRuntimeFiles(join(PROJECT_ROOT, 'node_modules'), arch).filter((file) => file.includes('/bin/'));
      expect(binaries.some((file) => file.endsWith(`linux/${arch}/onnxruntime_binding.node`))).toBe(true);
      expect(binaries.every((file) => file.includes(`/linux/${arch}/`))).toBe(true);
    }
  });
});
