import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/health/handler.ts';
import { apiGatewayEvent, invoke } from '../../helpers/apiGatewayEvent.ts';

describe('Health handler', () => {
  it('answers 200 with no configuration and no model (liveness)', async () => {
    const result = await invoke(handler, apiGatewayEvent({ method: 'GET', resource: '/v1/health' }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number), models: [] });
  });

  it('405 for another method', async () => {
    const result = await invoke(handler, apiGatewayEvent({ method: 'DELETE', resource: '/v1/health' }));
    expect(result.statusCode).toBe(405);
  });
});

describe('function bundles', () => {
  /** The packages a handler's bundle imports at run time (everything else bundled in). */
  async function externalImports(entry: string): Promise<string[]> {
    const result = await build({ entryPoints: [entry], bundle: true, write: false, platform: 'node', format: 'esm', packages: 'external', metafile: true, logLevel: 'silent' });
    return Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  }

  it.each(['functions/health/handler.ts', 'functions/popular/handler.ts', 'functions/modelInfo/handler.ts'])(
    '%s does not import onnxruntime (routes.ts: usesOnnxRuntime false)',
    async (entry) => {
      const imports = await externalImports(entry);
      expect(imports.length).toBeGreaterThan(0);
      expect(imports.filter((path) => path.startsWith('onnxruntime'))).toEqual([]);
    },
  );

  it.each(['functions/recommend/handler.ts', 'functions/similar/handler.ts', 'functions/rank/handler.ts'])('%s imports onnxruntime-node', async (entry) => {
    expect(await externalImports(entry)).toContain('onnxruntime-node');
  });
});
