import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../functions/routes.ts';

/** The modules a function's bundle holds (esbuild's metafile; nothing written). */
async function bundledModules(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['onnxruntime-node', '@aws-sdk/*'],
  });
  return Object.keys(metafile.inputs);
}

describe('the OpenAPI generation stays out of the serving bundles', () => {
  it('is in the OpenApi function alone', async () => {
    const holders: string[] = [];
    for (const fn of FUNCTIONS) {
      const modules = await bundledModules(fn.entry);
      if (modules.some((path) => path.startsWith('functions/openapi/'))) holders.push(fn.name);
    }
    expect(holders).toEqual(['OpenApi']);
  }, 120_000);
});
