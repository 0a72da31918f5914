import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../infra/local/localDefaults.ts';
import { PLAYGROUND_DIR, playgroundPages } from '../../../infra/local/playgroundPages.ts';

describe('playgroundPages', () => {
  it('serves the page at /, its files, and onnxruntime-web from node_modules, with their types', async () => {
    const pages = await playgroundPages(PROJECT_ROOT);
    const index = await pages('GET', '/');
    expect(index?.statusCode).toBe(200);
    expect(index?.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(index?.body.equals(await readFile(join(PROJECT_ROOT, PLAYGROUND_DIR, 'index.html')))).toBe(true);
    expect((await pages('GET', '/playground/playground.js?v=1'))?.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    const wasm = await pages('GET', '/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm');
    expect(wasm?.headers['Content-Type']).toBe('application/wasm');
    expect([...wasm!.body.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
    expect((await pages('HEAD', '/'))?.body.length).toBe(0);
  });

  it('leaves every other request to the API: other methods, API paths, paths outside its list', async () => {
    const pages = await playgroundPages(PROJECT_ROOT);
    for (const [method, url] of [
      ['POST', '/'],
      ['GET', '/v1/health'],
      ['GET', '/playground/../../../package.json'],
      ['GET', '/vendor/onnxruntime-web/ort.all.mjs'],
      ['GET', '/playground/%2e%2e/localService.ts'],
    ]) {
      expect(await pages(method, url), `${method} ${url}`).toBeUndefined();
    }
  });
});
